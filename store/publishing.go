package store

import (
	"context"
	"database/sql"
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
			dat := at
			if !d.At.IsZero() {
				dat = d.At.UTC()
			}
			_, err := s.exec(ctx, tx, `INSERT INTO deliveries (idempotency_key, item_id, version, channel, target, kind, variant, brand_id, status, process_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
				ON CONFLICT (idempotency_key) DO UPDATE SET status = $9, process_at = $10, updated_at = $11
				WHERE deliveries.status IN ('pending', 'cancelled')`,
				key, r.ItemID, r.Version, d.Channel, d.Target, d.Kind, d.Variant, brandID, DelPending, dat, now)
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
// index and feeds are built from these. While a brand change re-renders
// that version its previous files are returned, so the item stays on
// the site until the new ones replace them.
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
