package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Digest run statuses.
const (
	// DigestPlanned: its digest:run task is due at the period's end.
	DigestPlanned = "planned"
	// DigestSkipped: nothing was published in the period.
	DigestSkipped = "skipped"
	// DigestRendered: its item holds the digest and is published like
	// any item (approval, segments, ledger).
	DigestRendered = "rendered"
	// DigestApproved and DigestSent are read, never stored: a rendered
	// run whose item's publication is scheduled (or going out), or done.
	DigestApproved = "approved"
	DigestSent     = "sent"
)

// DigestRun is one period of one brand's digest.
type DigestRun struct {
	BrandID  string `json:"brand"`
	DigestID string `json:"digest"`
	// Start and End bound the period [Start, End); End is the run's
	// scheduled time and, with the brand and digest, its identity.
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	Status    string        `json:"status"`
	ItemID    string        `json:"item_id,omitempty"`
	Version   int           `json:"version,omitempty"`
	Entries   []DigestEntry `json:"entries,omitempty"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// DigestEntry is an item version a digest shows.
type DigestEntry struct {
	ItemID  string `json:"item"`
	Version int    `json:"version"`
}

// MaxDigestEntries bounds what a run records.
const MaxDigestEntries = 50

// digestCols reads a run with its status as the item's publication has
// it: a rendered run is approved once its item is scheduled and sent once
// it is published. The ledger, not this table, says what went out.
const digestCols = `d.brand_id, d.digest_id, d.period_start, d.period_end,
	CASE WHEN d.status <> 'rendered' OR p.status IS NULL OR p.status = 'cancelled' THEN d.status
		WHEN p.status = 'published' THEN 'sent' ELSE 'approved' END,
	d.item_id, d.version, d.entries, d.updated_at`

// digestFrom joins each run to its item's publication.
const digestFrom = ` FROM digests d LEFT JOIN publications p ON p.item_id = d.item_id AND p.version = d.version AND d.version > 0`

func scanDigest(sc rowScanner) (*DigestRun, error) {
	var r DigestRun
	var entries string
	if err := sc.Scan(&r.BrandID, &r.DigestID, &r.Start, &r.End, &r.Status, &r.ItemID, &r.Version, &entries, &r.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(entries), &r.Entries); err != nil {
		return nil, fmt.Errorf("store: digest %s/%s entries: %w", r.BrandID, r.DigestID, err)
	}
	r.Start, r.End, r.UpdatedAt = r.Start.UTC(), r.End.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// PlanDigest records the run of a digest for the period [start, end) as
// planned, with its task in the outbox, in one transaction. A period
// already recorded is left as it is (planned reports false): a period is
// planned once, whoever asks.
func (s *DB) PlanDigest(ctx context.Context, brandID, digestID string, start, end time.Time, task Task) (planned bool, tasks []Task, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := s.exec(ctx, tx, `INSERT INTO digests (brand_id, digest_id, period_start, period_end, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (brand_id, digest_id, period_end) DO NOTHING`,
			brandID, digestID, start.UTC(), end.UTC(), DigestPlanned, now)
		if err != nil {
			return fmt.Errorf("store: digest: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		planned = true
		tasks, err = s.insertOutbox(ctx, tx, []Task{task}, now)
		return err
	})
	if err != nil {
		return false, nil, err
	}
	return planned, tasks, nil
}

// DigestRun returns the run of a digest whose period ends at end.
func (s *DB) DigestRun(ctx context.Context, brandID, digestID string, end time.Time) (*DigestRun, error) {
	r, err := scanDigest(s.queryRow(ctx, s.db, `SELECT `+digestCols+digestFrom+` WHERE d.brand_id = $1 AND d.digest_id = $2 AND d.period_end = $3`,
		brandID, digestID, end.UTC()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("digest %s/%s ending %s: %w", brandID, digestID, end.UTC().Format(time.RFC3339), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return r, nil
}

// LastDigestRun returns a digest's latest run, whatever its status;
// ErrNotFound before the first.
func (s *DB) LastDigestRun(ctx context.Context, brandID, digestID string) (*DigestRun, error) {
	r, err := scanDigest(s.queryRow(ctx, s.db, `SELECT `+digestCols+digestFrom+` WHERE d.brand_id = $1 AND d.digest_id = $2 ORDER BY d.period_end DESC LIMIT 1`,
		brandID, digestID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("digest %s/%s has not run: %w", brandID, digestID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return r, nil
}

// DigestByItem returns the run whose item is itemID; ErrNotFound for an
// item that is not a digest.
func (s *DB) DigestByItem(ctx context.Context, itemID string) (*DigestRun, error) {
	r, err := scanDigest(s.queryRow(ctx, s.db, `SELECT `+digestCols+digestFrom+` WHERE d.item_id = $1 ORDER BY d.period_end DESC LIMIT 1`, itemID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("digest of item %q: %w", itemID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return r, nil
}

// DigestRuns lists a brand's runs, newest first, at most limit.
func (s *DB) DigestRuns(ctx context.Context, brandID string, limit int) ([]DigestRun, error) {
	return s.digestRuns(ctx, `SELECT `+digestCols+digestFrom+` WHERE d.brand_id = $1 ORDER BY d.period_end DESC LIMIT $2`, brandID, limit)
}

// DueDigests lists planned runs whose time is before the cut-off: their
// task may be lost, so the reconciler enqueues them again.
func (s *DB) DueDigests(ctx context.Context, before time.Time, limit int) ([]DigestRun, error) {
	return s.digestRuns(ctx, `SELECT `+digestCols+digestFrom+` WHERE d.status = 'planned' AND d.period_end < $1 ORDER BY d.period_end LIMIT $2`, before.UTC(), limit)
}

func (s *DB) digestRuns(ctx context.Context, q string, args ...any) ([]DigestRun, error) {
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []DigestRun
	for rows.Next() {
		r, err := scanDigest(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// FinishDigest records what a planned run did: skipped, or rendered as
// item itemID at version showing entries. Only a planned run changes, so
// a run that finishes twice (a retry after a crash) records once;
// finished reports whether this call did.
func (s *DB) FinishDigest(ctx context.Context, brandID, digestID string, end time.Time, status, itemID string, version int, entries []DigestEntry) (finished bool, err error) {
	if status != DigestSkipped && status != DigestRendered {
		return false, fmt.Errorf("store: digest status %q", status)
	}
	if len(entries) > MaxDigestEntries {
		return false, fmt.Errorf("store: digest of %d entries; at most %d", len(entries), MaxDigestEntries)
	}
	if entries == nil {
		entries = []DigestEntry{}
	}
	js, err := json.Marshal(entries)
	if err != nil {
		return false, err
	}
	res, err := s.exec(ctx, s.db, `UPDATE digests SET status = $4, item_id = $5, version = $6, entries = $7, updated_at = $8
		WHERE brand_id = $1 AND digest_id = $2 AND period_end = $3 AND status = 'planned'`,
		brandID, digestID, end.UTC(), status, itemID, version, string(js), s.now())
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PublishedItem is an item version that finished publishing at At.
type PublishedItem struct {
	ItemID  string
	Version int
	At      time.Time
}

// PublishedBetween lists the items of a brand in lang whose publication
// finished in [from, to), newest first, the latest such version of each,
// at most limit; digests' own items are left out.
func (s *DB) PublishedBetween(ctx context.Context, brandID, lang string, from, to time.Time, limit int) ([]PublishedItem, error) {
	rows, err := s.query(ctx, s.db, `SELECT p.item_id, p.version, p.updated_at FROM publications p JOIN items i ON i.id = p.item_id
		WHERE p.brand_id = $1 AND i.lang = $2 AND p.status = 'published' AND p.updated_at >= $3 AND p.updated_at < $4
		AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.item_id = p.item_id)
		ORDER BY p.updated_at DESC, p.item_id LIMIT $5`, brandID, lang, from.UTC(), to.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []PublishedItem
	seen := map[string]bool{}
	for rows.Next() {
		var p PublishedItem
		if err := rows.Scan(&p.ItemID, &p.Version, &p.At); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if seen[p.ItemID] {
			continue // an older version published in the same period
		}
		seen[p.ItemID] = true
		p.At = p.At.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// RecordDigestEntries records, on a planned run, the item the digest will
// be and the item versions it shows, before that item is submitted: its
// email rendering reads them (DigestByItem). A run already finished is
// left as it is.
func (s *DB) RecordDigestEntries(ctx context.Context, brandID, digestID string, end time.Time, itemID string, entries []DigestEntry) error {
	if len(entries) > MaxDigestEntries {
		return fmt.Errorf("store: digest of %d entries; at most %d", len(entries), MaxDigestEntries)
	}
	js, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, s.db, `UPDATE digests SET item_id = $4, entries = $5, updated_at = $6
		WHERE brand_id = $1 AND digest_id = $2 AND period_end = $3 AND status = 'planned'`,
		brandID, digestID, end.UTC(), itemID, string(js), s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// UnscheduledDigests lists rendered runs whose item has no publication
// (none scheduled, or one cancelled), oldest first, at most limit: an
// auto_publish digest whose worker died between rendering it and
// scheduling it is among them.
func (s *DB) UnscheduledDigests(ctx context.Context, limit int) ([]DigestRun, error) {
	return s.digestRuns(ctx, `SELECT `+digestCols+digestFrom+` WHERE d.status = 'rendered' AND p.item_id IS NULL ORDER BY d.period_end LIMIT $1`, limit)
}
