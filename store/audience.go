package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A subscriber's statuses. Pending waits for a confirmed opt-in; only
// active subscribers are sent to; the other three are suppressed and
// stay so when the address is added again, until a new confirmed
// opt-in.
const (
	SubPending      = "pending"
	SubActive       = "active"
	SubUnsubscribed = "unsubscribed"
	SubBounced      = "bounced"
	SubComplained   = "complained"
)

// Suppressed reports whether status is one that is never sent to.
func SuppressedStatus(status string) bool {
	return status == SubUnsubscribed || status == SubBounced || status == SubComplained
}

// Subscriber is one address on a brand's list.
type Subscriber struct {
	BrandID string   `json:"brand"`
	Address string   `json:"address"`
	Status  string   `json:"status"`
	Lang    string   `json:"lang"`
	Topics  []string `json:"topics"`
	Paused  bool     `json:"paused"`
	// Token is the secret of the subscriber's unsubscribe and
	// preference links.
	Token       string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	ChangedAt   time.Time `json:"changed_at"`
	// ConfirmSentAt is when the latest confirmation email was planned;
	// zero when none is outstanding.
	ConfirmSentAt time.Time `json:"-"`
}

const subscriberCols = `brand_id, address, status, lang, topics, paused, token, created_at, confirmed_at, changed_at, confirm_sent_at`

func scanSubscriber(row rowScanner) (*Subscriber, error) {
	var sb Subscriber
	var topics string
	var paused int
	var confirmed, changed, sent sql.NullTime
	err := row.Scan(&sb.BrandID, &sb.Address, &sb.Status, &sb.Lang, &topics, &paused, &sb.Token, &sb.CreatedAt, &confirmed, &changed, &sent)
	if err != nil {
		return nil, err
	}
	sb.Topics = splitTopics(topics)
	sb.Paused = paused != 0
	sb.CreatedAt = sb.CreatedAt.UTC()
	sb.ConfirmedAt, sb.ChangedAt, sb.ConfirmSentAt = confirmed.Time.UTC(), changed.Time.UTC(), sent.Time.UTC()
	if !confirmed.Valid {
		sb.ConfirmedAt = time.Time{}
	}
	if !sent.Valid {
		sb.ConfirmSentAt = time.Time{}
	}
	return &sb, nil
}

// joinTopics stores topics as sorted, distinct keys separated by spaces.
func joinTopics(ts []string) string {
	ts = slices.Clone(ts)
	slices.Sort(ts)
	return strings.Join(slices.Compact(ts), " ")
}

func splitTopics(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Fields(s)
}

func (s *DB) subscriber(ctx context.Context, x execer, where string, args ...any) (*Subscriber, error) {
	q := `SELECT ` + subscriberCols + ` FROM subscribers WHERE ` + where
	if _, ok := x.(*sql.Tx); ok {
		q += s.forUpdate()
	}
	sb, err := scanSubscriber(s.queryRow(ctx, x, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("subscriber: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return sb, nil
}

// SubscriberByToken returns the subscriber a link's token belongs to.
func (s *DB) SubscriberByToken(ctx context.Context, token string) (*Subscriber, error) {
	return s.subscriber(ctx, s.db, `token = $1`, token)
}

// Subscriber returns one subscriber of a brand by address.
func (s *DB) Subscriber(ctx context.Context, brandID, address string) (*Subscriber, error) {
	return s.subscriber(ctx, s.db, `brand_id = $1 AND address = $2`, brandID, normAddress(address))
}

// SubscriberFilter selects a page of a brand's subscribers, by address.
type SubscriberFilter struct {
	Status string // "": any
	After  string // the last address of the previous page
	Limit  int    // 0: 100
	// Contains keeps the addresses with this text in them.
	Contains string
}

// Subscribers lists a brand's subscribers in address order.
func (s *DB) Subscribers(ctx context.Context, brandID string, f SubscriberFilter) ([]Subscriber, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := s.query(ctx, s.db, `SELECT `+subscriberCols+` FROM subscribers
		WHERE brand_id = $1 AND ($2 = '' OR status = $2) AND address > $3 AND ($5 = '' OR address LIKE $6 ESCAPE '\')
		ORDER BY address LIMIT $4`,
		brandID, f.Status, f.After, f.Limit, f.Contains, "%"+likeEscaper.Replace(strings.ToLower(f.Contains))+"%")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := []Subscriber{}
	for rows.Next() {
		sb, err := scanSubscriber(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *sb)
	}
	return out, rows.Err()
}

// Join is a request to put an address on a brand's list: from the
// sign-up form, the API or an import.
type Join struct {
	BrandID, Address, Lang string
	Topics                 []string
	// Confirmed is an opt-in that needs no confirmation email: a brand's
	// single opt-in, or an admin stating the basis they hold (recorded
	// as the consent's wording). Without it the subscriber is pending
	// until they confirm.
	Confirmed bool
	// Consent describes how the request came (Source, Wording,
	// ClientHash); its Action, Status and choices are filled in.
	Consent Consent
	// ResendAfter is how long after one confirmation email another may
	// go to the same address; 0 means 10 minutes. It bounds how often a
	// stranger can have crosscast mail someone.
	ResendAfter time.Duration
	// QuietSuppressed sends no confirmation email to a suppressed
	// address: an import must not mail someone who left the list.
	QuietSuppressed bool
	// Confirm makes the task that sends the confirmation email, given
	// the subscriber's token and the time that email is planned at.
	Confirm func(token string, sentAt time.Time) (Task, error)
}

// Joined is what became of a Join.
type Joined struct {
	Subscriber *Subscriber
	// Created is a new subscriber; otherwise the address was on the list.
	Created bool
	// Suppressed is an address that unsubscribed, bounced, complained or
	// was erased: it stays suppressed until a new confirmed opt-in, and
	// a Confirmed join did not change that.
	Suppressed bool
	// Tasks hold the confirmation email when one was planned; they are
	// in the outbox, for the caller to dispatch.
	Tasks []Task
}

// JoinSubscriber adds an address to a brand's list or updates its
// request, recording the consent in the same transaction. An active
// subscriber is left as it is (a stranger's sign-up must not change
// their choices), and neither is a pending one (the confirmation is
// sent again, see join); a
// suppressed one stays suppressed however the request came, and is sent
// a confirmation email when the join asks for one. An erased address is
// suppressed again under its address.
func (s *DB) JoinSubscriber(ctx context.Context, j Join) (*Joined, error) {
	addr, err := NormalizeAddress(j.Address)
	if err != nil {
		return nil, err
	}
	if j.ResendAfter <= 0 {
		j.ResendAfter = 10 * time.Minute
	}
	var out *Joined
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var err error
		if out, err = s.join(ctx, tx, j, addr, now); err != nil {
			return err
		}
		out.Tasks, err = s.insertOutbox(ctx, tx, out.Tasks, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// join is JoinSubscriber's work inside tx, for the normalized address
// addr; Tasks are left to the caller to put in the outbox.
func (s *DB) join(ctx context.Context, tx *sql.Tx, j Join, addr string, now time.Time) (*Joined, error) {
	out := &Joined{}
	err := func() error {
		sb, err := s.subscriber(ctx, tx, `brand_id = $1 AND address = $2`, j.BrandID, addr)
		if errors.Is(err, ErrNotFound) {
			status, err := s.takeTombstone(ctx, tx, j.BrandID, addr)
			if err != nil {
				return err
			}
			if status == "" {
				status = SubPending
				if j.Confirmed {
					status = SubActive
				}
			}
			buf := make([]byte, 18)
			rand.Read(buf)
			sb = &Subscriber{BrandID: j.BrandID, Address: addr, Status: status, Lang: j.Lang, Topics: splitTopics(joinTopics(j.Topics)),
				Token: base64.RawURLEncoding.EncodeToString(buf), CreatedAt: now, ChangedAt: now}
			if status == SubActive {
				sb.ConfirmedAt = now
			}
			res, err := s.exec(ctx, tx, `INSERT INTO subscribers (brand_id, address, token, status, lang, topics, created_at, confirmed_at, changed_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) ON CONFLICT (brand_id, address) DO NOTHING`,
				j.BrandID, addr, sb.Token, status, sb.Lang, joinTopics(sb.Topics), now, nullTime(sb.ConfirmedAt))
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errLostRace
			}
			out.Created = true
			action := "signup"
			if status == SubActive {
				action = "opt_in"
			}
			if err := s.addConsent(ctx, tx, sb, j.Consent, action, now); err != nil {
				return err
			}
		} else if err != nil {
			return err
		} else {
			switch {
			case sb.Status == SubPending && j.Confirmed:
				sb.Status, sb.Lang, sb.Topics, sb.ConfirmedAt, sb.ConfirmSentAt = SubActive, j.Lang, splitTopics(joinTopics(j.Topics)), now, time.Time{}
				if err := s.saveSubscriber(ctx, tx, sb, now); err != nil {
					return err
				}
				if err := s.addConsent(ctx, tx, sb, j.Consent, "opt_in", now); err != nil {
					return err
				}
			case sb.Status == SubPending:
				// Anyone can post any address to the sign-up form, so a
				// second sign-up of an unconfirmed address changes none
				// of its choices: it is recorded and the confirmation
				// sent again, and the owner changes language and topics
				// once confirmed, in the preference centre.
				if err := s.addConsent(ctx, tx, sb, j.Consent, "signup", now); err != nil {
					return err
				}
			case SuppressedStatus(sb.Status) && !j.Confirmed:
				// Recorded, so the subscriber's history shows the
				// request; nothing changes until they confirm.
				if err := s.addConsent(ctx, tx, sb, j.Consent, "signup", now); err != nil {
					return err
				}
			}
		}
		out.Subscriber = sb
		out.Suppressed = SuppressedStatus(sb.Status)
		needsMail := sb.Status == SubPending || (out.Suppressed && !j.Confirmed && !j.QuietSuppressed)
		if !needsMail || j.Confirm == nil || (!sb.ConfirmSentAt.IsZero() && now.Sub(sb.ConfirmSentAt) < j.ResendAfter) {
			return nil
		}
		t, err := j.Confirm(sb.Token, now)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE subscribers SET confirm_sent_at = $3 WHERE brand_id = $1 AND address = $2`, sb.BrandID, sb.Address, now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		sb.ConfirmSentAt = now
		out.Tasks = []Task{t}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// takeTombstone turns an erased address's hashed suppression back into
// one under its address, returning the status it suppresses with ("":
// none).
func (s *DB) takeTombstone(ctx context.Context, tx *sql.Tx, brandID, addr string) (string, error) {
	var reason string
	err := s.queryRow(ctx, tx, `SELECT reason FROM suppressions WHERE brand_id = $1 AND address = $2`, brandID, tombstone(addr)).Scan(&reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM suppressions WHERE brand_id = $1 AND address = $2`, brandID, tombstone(addr)); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO suppressions (brand_id, address, reason, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (brand_id, address) DO NOTHING`, brandID, addr, reason, s.now()); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return statusOfReason(reason), nil
}

// statusOfReason maps a suppression's reason to the status it stands for.
func statusOfReason(reason string) string {
	switch reason {
	case SubBounced, SubComplained:
		return reason
	}
	return SubUnsubscribed
}

func (s *DB) saveSubscriber(ctx context.Context, tx *sql.Tx, sb *Subscriber, now time.Time) error {
	paused := 0
	if sb.Paused {
		paused = 1
	}
	sb.ChangedAt = now
	_, err := s.exec(ctx, tx, `UPDATE subscribers SET status = $3, lang = $4, topics = $5, paused = $6, confirmed_at = $7, changed_at = $8, confirm_sent_at = $9
		WHERE brand_id = $1 AND address = $2`, sb.BrandID, sb.Address, sb.Status, sb.Lang, joinTopics(sb.Topics), paused,
		nullTime(sb.ConfirmedAt), now, nullTime(sb.ConfirmSentAt))
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t.UTC(), Valid: !t.IsZero()} }

// ConfirmSubscriber is a confirmed opt-in: the subscriber whose token it
// is, sent the confirmation email planned at sentAt, becomes active,
// leaving any suppression behind. A link from an older email, or one
// already used, is ErrNotFound; confirming an active subscriber changes
// nothing.
func (s *DB) ConfirmSubscriber(ctx context.Context, token string, sentAt time.Time, c Consent) (*Subscriber, error) {
	var out *Subscriber
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sb, err := s.subscriber(ctx, tx, `token = $1`, token)
		if err != nil {
			return err
		}
		out = sb
		if sb.Status == SubActive {
			return nil
		}
		if sb.ConfirmSentAt.IsZero() || !sb.ConfirmSentAt.Equal(sentAt.UTC()) {
			return fmt.Errorf("confirmation link: %w", ErrNotFound)
		}
		now := s.now()
		sb.Status, sb.Paused, sb.ConfirmedAt, sb.ConfirmSentAt = SubActive, false, now, time.Time{}
		if err := s.saveSubscriber(ctx, tx, sb, now); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM suppressions WHERE brand_id = $1 AND address = $2`, sb.BrandID, sb.Address); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return s.addConsent(ctx, tx, sb, c, "confirm", now)
	})
	return out, err
}

// Preferences are the choices a subscriber (or an admin) changes; nil
// fields stay as they are.
type Preferences struct {
	Lang   *string
	Topics *[]string
	Paused *bool
}

// UpdateSubscriber changes a subscriber's choices, recording them. A
// suppressed subscriber's choices do not change: nothing is sent to
// them, and the page they changed them on says so.
func (s *DB) UpdateSubscriber(ctx context.Context, brandID, address string, p Preferences, c Consent) (*Subscriber, error) {
	var out *Subscriber
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sb, err := s.subscriber(ctx, tx, `brand_id = $1 AND address = $2`, brandID, normAddress(address))
		if err != nil {
			return err
		}
		out = sb
		if SuppressedStatus(sb.Status) {
			return fmt.Errorf("%s is %s: %w", sb.Address, sb.Status, ErrConflict)
		}
		before := *sb
		if p.Lang != nil {
			sb.Lang = *p.Lang
		}
		if p.Topics != nil {
			sb.Topics = splitTopics(joinTopics(*p.Topics))
		}
		if p.Paused != nil {
			sb.Paused = *p.Paused
		}
		if sb.Lang == before.Lang && slices.Equal(sb.Topics, before.Topics) && sb.Paused == before.Paused {
			return nil
		}
		now := s.now()
		if err := s.saveSubscriber(ctx, tx, sb, now); err != nil {
			return err
		}
		action := "preferences"
		switch {
		case sb.Paused && !before.Paused:
			action = "pause"
		case !sb.Paused && before.Paused:
			action = "resume"
		}
		return s.addConsent(ctx, tx, sb, c, action, now)
	})
	return out, err
}
