package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Publication statuses.
const (
	PubScheduled  = "scheduled"
	PubPublishing = "publishing"
	PubPublished  = "published"
	PubCancelled  = "cancelled"
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

// Publication is an approved item version and when it goes out.
type Publication struct {
	ItemID     string    `json:"item_id"`
	Version    int       `json:"version"`
	BrandID    string    `json:"brand"`
	Status     string    `json:"status"`
	ProcessAt  time.Time `json:"process_at"`
	Generation int       `json:"generation"` // bumped by every (re)schedule
	ApprovedBy string    `json:"approved_by"`
	UpdatedAt  time.Time `json:"updated_at"`
}

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
}

// NewDelivery names a delivery a publication needs.
type NewDelivery struct {
	Channel, Target, Kind, Variant string
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

// ScheduleRequest approves an item version for publishing at At.
type ScheduleRequest struct {
	ItemID     string
	Version    int
	At         time.Time
	Actor      string
	Deliveries []NewDelivery
	// Task returns the task that starts the publication of generation
	// gen; an error aborts the transaction.
	Task func(gen int) (Task, error)
}

// Schedule records a publication and its deliveries, and the outbox task
// that starts it at At, in one transaction. Scheduling again before it
// starts moves it (a new generation; the old task finds itself stale);
// once it has started, Schedule returns ErrConflict.
func (s *DB) Schedule(ctx context.Context, r ScheduleRequest) (*Publication, []Task, error) {
	var pub *Publication
	var tasks []Task
	at := r.At.UTC()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var brandID, status string
		err := s.queryRow(ctx, tx, `SELECT i.brand_id, v.status FROM item_versions v JOIN items i ON i.id = v.item_id
			WHERE v.item_id = $1 AND v.version = $2`, r.ItemID, r.Version).Scan(&brandID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("item %q version %d: %w", r.ItemID, r.Version, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if status != StatusRendered {
			return fmt.Errorf("item %q version %d is %s, not rendered: %w", r.ItemID, r.Version, status, ErrConflict)
		}
		p, err := s.publication(ctx, tx, r.ItemID, r.Version)
		switch {
		case errors.Is(err, ErrNotFound):
			// Two editors scheduling one version at once: the later one
			// runs again and moves the other's schedule.
			p = &Publication{ItemID: r.ItemID, Version: r.Version, BrandID: brandID, Generation: 1}
			var ins sql.Result
			ins, err = s.exec(ctx, tx, `INSERT INTO publications (item_id, version, brand_id, status, process_at, generation, approved_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) ON CONFLICT (item_id, version) DO NOTHING`, r.ItemID, r.Version, brandID, PubScheduled, at, r.Actor, now)
			if err == nil {
				if n, _ := ins.RowsAffected(); n == 0 {
					return errLostRace
				}
			}
		case err != nil:
			return err
		case p.Status == PubPublishing || p.Status == PubPublished:
			return fmt.Errorf("item %q version %d is already %s: %w", r.ItemID, r.Version, p.Status, ErrConflict)
		default:
			p.Generation++
			_, err = s.exec(ctx, tx, `UPDATE publications SET status = $3, process_at = $4, generation = $5, approved_by = $6, updated_at = $7
				WHERE item_id = $1 AND version = $2`, r.ItemID, r.Version, PubScheduled, at, p.Generation, r.Actor, now)
		}
		if err != nil {
			return fmt.Errorf("store: publication: %w", err)
		}
		p.Status, p.ProcessAt, p.ApprovedBy, p.UpdatedAt = PubScheduled, at, r.Actor, now
		for _, d := range r.Deliveries {
			key := DeliveryKey(r.ItemID, r.Version, d.Channel, d.Target, d.Variant)
			_, err := s.exec(ctx, tx, `INSERT INTO deliveries (idempotency_key, item_id, version, channel, target, kind, variant, brand_id, status, process_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
				ON CONFLICT (idempotency_key) DO UPDATE SET status = $9, process_at = $10, updated_at = $11
				WHERE deliveries.status IN ('pending', 'cancelled')`,
				key, r.ItemID, r.Version, d.Channel, d.Target, d.Kind, d.Variant, brandID, DelPending, at, now)
			if err != nil {
				return fmt.Errorf("store: delivery: %w", err)
			}
		}
		kind := "scheduled"
		if p.Generation > 1 {
			kind = "rescheduled"
		}
		if err := s.addEvent(ctx, tx, Event{Actor: r.Actor, Kind: kind, ItemID: r.ItemID, Version: r.Version, Detail: at.Format(time.RFC3339)}); err != nil {
			return err
		}
		t, err := r.Task(p.Generation)
		if err != nil {
			return fmt.Errorf("store: schedule: %w", err)
		}
		tasks, err = s.insertOutbox(ctx, tx, []Task{t}, now)
		pub = p
		return err
	})
	return pub, tasks, err
}

func (s *DB) publication(ctx context.Context, x execer, itemID string, version int) (*Publication, error) {
	p := &Publication{ItemID: itemID, Version: version}
	err := s.queryRow(ctx, x, `SELECT brand_id, status, process_at, generation, approved_by, updated_at FROM publications
		WHERE item_id = $1 AND version = $2`, itemID, version).
		Scan(&p.BrandID, &p.Status, &p.ProcessAt, &p.Generation, &p.ApprovedBy, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("publication of %q version %d: %w", itemID, version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return p, nil
}

// Publication returns an item version's publication.
func (s *DB) Publication(ctx context.Context, itemID string, version int) (*Publication, error) {
	return s.publication(ctx, s.db, itemID, version)
}

// Publications returns an item's publications, newest version first.
func (s *DB) Publications(ctx context.Context, itemID string) ([]Publication, error) {
	rows, err := s.query(ctx, s.db, `SELECT version, brand_id, status, process_at, generation, approved_by, updated_at FROM publications
		WHERE item_id = $1 ORDER BY version DESC`, itemID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		p := Publication{ItemID: itemID}
		if err := rows.Scan(&p.Version, &p.BrandID, &p.Status, &p.ProcessAt, &p.Generation, &p.ApprovedBy, &p.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Cancel withdraws a scheduled publication and its pending deliveries.
// Once it has started, Cancel returns ErrConflict. The publication it
// returns keeps its generation, so the caller can delete its queued task.
func (s *DB) Cancel(ctx context.Context, itemID string, version int, actor string) (*Publication, error) {
	var pub *Publication
	err := s.tx(ctx, func(tx *sql.Tx) error {
		p, err := s.publication(ctx, tx, itemID, version)
		if err != nil {
			return err
		}
		if p.Status != PubScheduled {
			return fmt.Errorf("item %q version %d is %s, not scheduled: %w", itemID, version, p.Status, ErrConflict)
		}
		now := s.now()
		if _, err := s.exec(ctx, tx, `UPDATE publications SET status = $3, updated_at = $4 WHERE item_id = $1 AND version = $2`,
			itemID, version, PubCancelled, now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE deliveries SET status = $3, updated_at = $4 WHERE item_id = $1 AND version = $2 AND status = 'pending'`,
			itemID, version, DelCancelled, now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		p.Status, p.UpdatedAt = PubCancelled, now
		pub = p
		return s.addEvent(ctx, tx, Event{Actor: actor, Kind: "cancelled", ItemID: itemID, Version: version})
	})
	return pub, err
}

// StartPublication marks generation gen of a publication as started and
// returns its deliveries. It returns nil when the task is stale: the
// publication was cancelled or rescheduled to another generation. A
// publication already publishing (a retried task) starts again, so every
// delivery is looked at once more.
func (s *DB) StartPublication(ctx context.Context, itemID string, version, gen int) ([]Delivery, error) {
	now := s.now()
	res, err := s.exec(ctx, s.db, `UPDATE publications SET status = $4, updated_at = $5
		WHERE item_id = $1 AND version = $2 AND generation = $3 AND status IN ('scheduled', 'publishing')`,
		itemID, version, gen, PubPublishing, now)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	return s.Deliveries(ctx, itemID, version)
}

// FinishPublication marks a publishing publication published.
func (s *DB) FinishPublication(ctx context.Context, itemID string, version int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE publications SET status = $3, updated_at = $4 WHERE item_id = $1 AND version = $2 AND status = 'publishing'`,
			itemID, version, PubPublished, s.now())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.addEvent(ctx, tx, Event{Actor: "worker", Kind: "published", ItemID: itemID, Version: version})
	})
}

const deliveryCols = `id, idempotency_key, item_id, version, brand_id, channel, target, kind, variant, status, attempts, ended, error, external_id, external_url, updated_at`

func scanDelivery(r rowScanner) (*Delivery, error) {
	d := &Delivery{}
	err := r.Scan(&d.ID, &d.Key, &d.ItemID, &d.Version, &d.BrandID, &d.Channel, &d.Target, &d.Kind, &d.Variant,
		&d.Status, &d.Attempts, &d.Ended, &d.Error, &d.ExternalID, &d.ExternalURL, &d.UpdatedAt)
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
		return s.addEvent(ctx, tx, Event{Actor: actor, Kind: "delivery resolved " + status, ItemID: item, Version: version, Detail: key})
	})
	if err != nil {
		return nil, err
	}
	return s.Delivery(ctx, key)
}

// StalledDeliveries returns deliveries of started publications still
// pending or sending since before the cut-off: their task was lost.
func (s *DB) StalledDeliveries(ctx context.Context, before time.Time, limit int) ([]Delivery, error) {
	return s.deliveries(ctx, `SELECT `+prefixed("d.", deliveryCols)+` FROM deliveries d
		JOIN publications p ON p.item_id = d.item_id AND p.version = d.version
		WHERE p.status IN ('publishing', 'published') AND d.status IN ('pending', 'sending') AND d.updated_at < $1
		ORDER BY d.updated_at LIMIT $2`, before, limit)
}

// DuePublications returns publications scheduled before the cut-off that
// have not started, or started and not finished: their task may be lost.
func (s *DB) DuePublications(ctx context.Context, before time.Time, limit int) ([]Publication, error) {
	rows, err := s.query(ctx, s.db, `SELECT item_id, version, brand_id, status, process_at, generation, approved_by, updated_at FROM publications
		WHERE (status = 'scheduled' AND process_at < $1) OR (status = 'publishing' AND updated_at < $1)
		ORDER BY process_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		var p Publication
		if err := rows.Scan(&p.ItemID, &p.Version, &p.BrandID, &p.Status, &p.ProcessAt, &p.Generation, &p.ApprovedBy, &p.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = prefix + parts[i]
	}
	return strings.Join(parts, ", ")
}

// PublishedFiles returns one rendered file of every item of a brand that
// is on its static site (its catalog delivery to the site sent, or being
// sent), from the latest such version, by item id. The site's catalog
// index and feeds are built from these.
func (s *DB) PublishedFiles(ctx context.Context, brandID, channel, name string) (map[string][]byte, error) {
	rows, err := s.query(ctx, s.db, `SELECT d.item_id, a.data FROM deliveries d
		JOIN rendering_files f ON f.item_id = d.item_id AND f.version = d.version AND f.channel = $2 AND f.variant = '' AND f.name = $3
		JOIN assets a ON a.sha256 = f.sha256
		WHERE d.brand_id = $1 AND d.channel = $2 AND d.target = 'site' AND d.status IN ('sent', 'sending')
		AND d.version = (SELECT MAX(d2.version) FROM deliveries d2 WHERE d2.item_id = d.item_id AND d2.channel = $2
			AND d2.target = 'site' AND d2.status IN ('sent', 'sending'))`, brandID, channel, name)
	return filesByItem(rows, err)
}

// Unpublish marks an item's site deliveries withdrawn, so the next site
// index leaves it out, and logs who did it.
func (s *DB) Unpublish(ctx context.Context, itemID, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE deliveries SET status = $2, updated_at = $3 WHERE item_id = $1 AND target = 'site' AND status = 'sent'`,
			itemID, DelWithdrawn, s.now())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("item %q is not on its site: %w", itemID, ErrConflict)
		}
		return s.addEvent(ctx, tx, Event{Actor: actor, Kind: "unpublished", ItemID: itemID})
	})
}
