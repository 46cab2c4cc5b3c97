package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Delivery (and recipient) statuses. A delivery moves pending → sending →
// sent, failed or unknown; unknown means a crash came between handing the
// message to a target that cannot de-duplicate and recording the answer,
// and only an editor may decide whether to send again.
const (
	DelPending    = "pending"
	DelSending    = "sending"
	DelSent       = "sent"
	DelFailed     = "failed"
	DelUnknown    = "unknown"
	DelCancelled  = "cancelled"
	DelSuppressed = "suppressed" // recipients only
	DelWithdrawn  = "withdrawn"  // a site page taken down again
)

// Delivery is one row of the ledger: one channel's rendering (one
// variant) going to one target.
type Delivery struct {
	ID          int64     `json:"-"`
	Key         string    `json:"idempotency_key"`
	ItemID      string    `json:"item_id"`
	Version     int       `json:"version"`
	BrandID     string    `json:"brand"`
	Channel     string    `json:"channel"`
	Target      string    `json:"target"`
	Kind        string    `json:"kind"`
	Variant     string    `json:"variant,omitempty"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	Ended       int       `json:"-"` // of the attempts, those whose run ended (the worker survived it)
	Error       string    `json:"error,omitempty"`
	ExternalID  string    `json:"external_id,omitempty"`
	ExternalURL string    `json:"external_url,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
	// ProcessAt is when it goes out: the publication's time, or later
	// for a social re-share.
	ProcessAt time.Time `json:"process_at"`
}

// NewDelivery names a delivery a publication needs.
type NewDelivery struct {
	Channel, Target, Kind, Variant string
	// At is when it goes out, for one later than the publication (a
	// social re-share); zero means with the publication.
	At time.Time
}

// DeliveryKey is the idempotency key of (item, version, channel, target,
// variant): the same on every attempt, so the target can tell a retry
// from a new post.
func DeliveryKey(itemID string, version int, channel, target, variant string) string {
	k := fmt.Sprintf("%s/%d/%s/%s", itemID, version, channel, target)
	if variant != "" {
		k += "/" + variant
	}
	return k
}

// KeyHash is a delivery key as an opaque token for targets that limit
// what their idempotency keys may hold.
func KeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

const deliveryCols = `id, idempotency_key, item_id, version, brand_id, channel, target, kind, variant, status, attempts, ended, error, external_id, external_url, updated_at, process_at`

func scanDelivery(r rowScanner) (*Delivery, error) {
	d := &Delivery{}
	err := r.Scan(&d.ID, &d.Key, &d.ItemID, &d.Version, &d.BrandID, &d.Channel, &d.Target, &d.Kind, &d.Variant,
		&d.Status, &d.Attempts, &d.Ended, &d.Error, &d.ExternalID, &d.ExternalURL, &d.UpdatedAt, &d.ProcessAt)
	return d, err
}

// Deliveries returns an item version's ledger rows (all versions when
// version is 0), in a fixed order.
func (s *DB) Deliveries(ctx context.Context, itemID string, version int) ([]Delivery, error) {
	return s.deliveries(ctx, `SELECT `+deliveryCols+` FROM deliveries
		WHERE item_id = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC, channel, target, variant`, itemID, version)
}

func (s *DB) deliveries(ctx context.Context, query string, args ...any) ([]Delivery, error) {
	rows, err := s.query(ctx, s.db, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// Delivery returns one ledger row by idempotency key.
func (s *DB) Delivery(ctx context.Context, key string) (*Delivery, error) {
	d, err := scanDelivery(s.queryRow(ctx, s.db, `SELECT `+deliveryCols+` FROM deliveries WHERE idempotency_key = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("delivery %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return d, nil
}

// Claim is what ClaimDelivery decided.
type Claim int

const (
	ClaimGo      Claim = iota // send (again, with the same key)
	ClaimDone                 // final already: nothing to do
	ClaimUnknown              // found mid-send after a crash: left for an editor
)

// ClaimDelivery moves a delivery to sending before the external call,
// counting the attempt. A row found already sending was interrupted: for
// a target that de-duplicates by key (dedup) it is sent again with the
// same key; otherwise it becomes unknown and is not sent. One whose runs
// never ended MaxUnended times (each killed its worker) becomes unknown
// too, with DiedError: whether the last one reached the target is not
// known, so it is never sent again without an editor.
func (s *DB) ClaimDelivery(ctx context.Context, key string, dedup bool) (Claim, *Delivery, error) {
	claim := ClaimDone
	var d *Delivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = scanDelivery(s.queryRow(ctx, tx, `SELECT `+deliveryCols+` FROM deliveries WHERE idempotency_key = $1`+s.forUpdate(), key))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("delivery %q: %w", key, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		switch {
		case d.Status == DelSending && d.Attempts-d.Ended >= MaxUnended:
			claim = ClaimUnknown
			return s.giveUpDelivery(ctx, tx, d)
		case d.Status == DelPending, d.Status == DelSending && dedup:
			claim = ClaimGo
			d.Status = DelSending
			d.Attempts++
		case d.Status == DelSending:
			claim = ClaimUnknown
			d.Status = DelUnknown
			d.Error = "interrupted while sending; the target cannot tell a repeat, so it was not sent again"
			d.Attempts++
			d.Ended++ // a decision, not a run
		default:
			claim = ClaimDone
			return nil
		}
		_, err = s.exec(ctx, tx, `UPDATE deliveries SET status = $2, attempts = $3, ended = $4, error = $5, updated_at = $6 WHERE id = $1`,
			d.ID, d.Status, d.Attempts, d.Ended, d.Error, s.now())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
	return claim, d, err
}

// GiveUpDelivery makes a sending delivery whose runs never ended
// MaxUnended times unknown, with DiedError, so the reconciler does not
// queue it again. It reports whether it did.
func (s *DB) GiveUpDelivery(ctx context.Context, key string) (bool, error) {
	done := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, err := scanDelivery(s.queryRow(ctx, tx, `SELECT `+deliveryCols+` FROM deliveries WHERE idempotency_key = $1`+s.forUpdate(), key))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("delivery %q: %w", key, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if d.Status != DelSending || d.Attempts-d.Ended < MaxUnended {
			return nil
		}
		done = true
		return s.giveUpDelivery(ctx, tx, d)
	})
	return done, err
}

// giveUpDelivery records d, sending, as unknown with DiedError, and so
// its recipients in flight (an email's), logging it for the editor.
func (s *DB) giveUpDelivery(ctx context.Context, tx *sql.Tx, d *Delivery) error {
	now := s.now()
	d.Status = DelUnknown
	d.Error = DiedError + "; it may or may not have reached the target, so it was not sent again"
	if _, err := s.exec(ctx, tx, `UPDATE deliveries SET status = $2, error = $3, updated_at = $4 WHERE id = $1`, d.ID, d.Status, d.Error, now); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, tx, `UPDATE delivery_recipients SET status = $2, error = $3, updated_at = $4 WHERE delivery_id = $1 AND status = 'sending'`,
		d.ID, DelUnknown, DiedError, now); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.addEvent(ctx, tx, Event{Actor: "worker", Kind: "delivery " + DelUnknown, ItemID: d.ItemID, Version: d.Version,
		Detail: d.Channel + " → " + d.Target + ": " + DiedError})
}

// FinishDelivery records a delivery's outcome: sent (with the target's
// id and URL for it), failed or unknown.
func (s *DB) FinishDelivery(ctx context.Context, key, status, externalID, externalURL, errText string) error {
	if status != DelSent && status != DelFailed && status != DelUnknown {
		return fmt.Errorf("store: FinishDelivery with status %q", status)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var d struct {
			item    string
			version int
			channel string
			target  string
		}
		err := s.queryRow(ctx, tx, `UPDATE deliveries SET status = $2, external_id = $3, external_url = $4, error = $5, updated_at = $6,
			ended = CASE WHEN ended < attempts THEN ended + 1 ELSE ended END
			WHERE idempotency_key = $1 AND status = 'sending' RETURNING item_id, version, channel, target`,
			key, status, externalID, externalURL, errText, s.now()).Scan(&d.item, &d.version, &d.channel, &d.target)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // finished already (a duplicate task)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		detail := d.channel + " → " + d.target
		if externalURL != "" {
			detail += " " + externalURL
		} else if errText != "" {
			detail += ": " + errText
		}
		return s.addEvent(ctx, tx, Event{Actor: "worker", Kind: "delivery " + status, ItemID: d.item, Version: d.version, Detail: detail})
	})
}

// ReleaseDelivery puts a sending delivery back to pending after a failure
// that surely left the target without it (refused before delivery, a
// temporary error); the task's retry claims it again.
func (s *DB) ReleaseDelivery(ctx context.Context, key, errText string) error {
	_, err := s.exec(ctx, s.db, `UPDATE deliveries SET status = $2, error = $3, updated_at = $4,
		ended = CASE WHEN ended < attempts THEN ended + 1 ELSE ended END
		WHERE idempotency_key = $1 AND status = 'sending'`,
		key, DelPending, errText, s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// ResolveDelivery is an editor's decision on an unknown delivery: sent
// (it arrived) or pending (send it again).
func (s *DB) ResolveDelivery(ctx context.Context, key, status, actor string) (*Delivery, error) {
	if status != DelSent && status != DelPending {
		return nil, fmt.Errorf("an unknown delivery resolves to sent or pending, not %q: %w", status, ErrConflict)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var item string
		var version int
		err := s.queryRow(ctx, tx, `UPDATE deliveries SET status = $2, updated_at = $3 WHERE idempotency_key = $1 AND status = 'unknown'
			RETURNING item_id, version`, key, status, s.now()).Scan(&item, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("delivery %q is not unknown: %w", key, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE delivery_recipients SET status = $2 WHERE status = 'unknown'
			AND delivery_id = (SELECT id FROM deliveries WHERE idempotency_key = $1)`, key, status); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if status == DelPending {
			// Its batches run again for the recipients set back.
			if _, err := s.exec(ctx, tx, `UPDATE delivery_batches SET status = 'pending', updated_at = $2
				WHERE delivery_id = (SELECT id FROM deliveries WHERE idempotency_key = $1)`, key, s.now()); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		return s.addEvent(ctx, tx, Event{Actor: actor, Kind: "delivery resolved " + status, ItemID: item, Version: version, Detail: key})
	})
	if err != nil {
		return nil, err
	}
	return s.Delivery(ctx, key)
}

// StalledDeliveries returns deliveries of started publications still
// pending or sending since before the cut-off, and (when pending) due by
// then: their task was lost. A re-share not yet due is left to its
// scheduled task (or to a later pass, once due); a sending delivery split
// into batches is left to StalledBatches.
func (s *DB) StalledDeliveries(ctx context.Context, before time.Time, limit int) ([]Delivery, error) {
	return s.deliveries(ctx, `SELECT `+prefixed("d.", deliveryCols)+` FROM deliveries d
		JOIN publications p ON p.item_id = d.item_id AND p.version = d.version
		WHERE p.status IN ('publishing', 'published') AND d.status IN ('pending', 'sending') AND d.updated_at < $1 AND (d.status = 'sending' OR d.process_at < $1)
		AND NOT (d.status = 'sending' AND EXISTS (SELECT 1 FROM delivery_batches b WHERE b.delivery_id = d.id))
		ORDER BY d.updated_at LIMIT $2`, before, limit)
}

// CancelReshares cancels the pending deliveries of an item that go out
// later than their publication (social re-shares), of one version, or of
// every version when version is 0, or of the versions before one when
// before is set. It returns what it cancelled, so the caller can delete
// their queued tasks, and logs it for the editor.
func (s *DB) CancelReshares(ctx context.Context, itemID string, version int, before bool, actor string) ([]Delivery, error) {
	var out []Delivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := s.query(ctx, tx, `UPDATE deliveries SET status = $4, updated_at = $5
			WHERE item_id = $1 AND status = 'pending' AND channel = 'social'
			AND ($2 = 0 OR ($3 AND version < $2) OR (NOT $3 AND version = $2))
			AND process_at > (SELECT p.process_at FROM publications p WHERE p.item_id = deliveries.item_id AND p.version = deliveries.version)
			RETURNING `+deliveryCols, itemID, version, before, DelCancelled, s.now())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			out = append(out, *d)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		rows.Close()
		for _, d := range out {
			if err := s.addEvent(ctx, tx, Event{Actor: actor, Kind: "re-share cancelled", ItemID: d.ItemID, Version: d.Version,
				Detail: d.Channel + " → " + d.Target + " " + d.Variant}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
