package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Source statuses.
const (
	SourceNew         = "new"          // declared, never fetched
	SourceOK          = "ok"           // the last fetch worked
	SourceNotModified = "not_modified" // the last fetch was a 304
	SourceFailed      = "failed"       // the last fetch failed; see Error
)

// SourceState is what the store keeps of one brand source's polling.
type SourceState struct {
	Brand        string    `json:"brand"`
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	Status       string    `json:"status"`
	Error        string    `json:"error,omitempty"`
	Note         string    `json:"note,omitempty"` // the last run's report: skipped and removed entries
	ETag         string    `json:"-"`
	LastModified string    `json:"-"`
	LastFetch    time.Time `json:"last_fetch"` // zero: never
	NextRun      time.Time `json:"next_run"`
	Failures     int       `json:"failures"` // in a row
	Fetches      int       `json:"fetches"`
	Created      int       `json:"items_created"`
	Updated      int       `json:"items_updated"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Entries are the content ids of the last fetch's entries, in feed
	// order.
	Entries []string `json:"-"`
}

// SourceRun is the outcome of one poll of a source.
type SourceRun struct {
	Brand, ID, Kind     string
	Status, Error, Note string
	ETag, LastModified  string
	At, NextRun         time.Time
	Failures            int // in a row, this run included
	Created, Updated    int // items this run created and versions it added
	// Entries are the content ids the run saw, in feed order (at most
	// MaxSourceEntries kept); none keeps the previous run's.
	Entries []string
}

// MaxSourceEntries bounds the entries kept per source.
const MaxSourceEntries = 1000

// MaxSourceText bounds the error and note kept per source.
const MaxSourceText = 4000

// EnsureSource records a declared source, due at nextRun, unless it is
// already known. It reports whether it added it.
func (s *DB) EnsureSource(ctx context.Context, brand, id, kind string, nextRun time.Time) (bool, error) {
	res, err := s.exec(ctx, s.db, `INSERT INTO sources (brand_id, source_id, kind, next_run, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (brand_id, source_id) DO NOTHING`, brand, id, kind, nextRun.UTC(), s.now())
	if err != nil {
		return false, fmt.Errorf("store: ensure source: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RecordSourceRun saves a poll's outcome; the item counts add to the
// source's totals.
func (s *DB) RecordSourceRun(ctx context.Context, r SourceRun) error {
	entries := r.Entries[:min(len(r.Entries), MaxSourceEntries)]
	_, err := s.exec(ctx, s.db, `INSERT INTO sources (brand_id, source_id, kind, status, error, note, etag, last_modified, last_fetch, next_run, failures, fetches, items_created, items_updated, updated_at, entries)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, $15)
		ON CONFLICT (brand_id, source_id) DO UPDATE SET kind = excluded.kind, status = excluded.status, error = excluded.error,
			note = excluded.note, etag = excluded.etag, last_modified = excluded.last_modified, last_fetch = excluded.last_fetch,
			next_run = excluded.next_run, failures = excluded.failures, fetches = sources.fetches + 1,
			items_created = sources.items_created + excluded.items_created, items_updated = sources.items_updated + excluded.items_updated,
			updated_at = excluded.updated_at,
			entries = CASE WHEN excluded.entries = '' THEN sources.entries ELSE excluded.entries END`,
		r.Brand, r.ID, r.Kind, r.Status, clipText(r.Error), clipText(r.Note), r.ETag, r.LastModified, r.At.UTC(), r.NextRun.UTC(),
		r.Failures, r.Created, r.Updated, s.now(), strings.Join(entries, "\n"))
	if err != nil {
		return fmt.Errorf("store: record source run: %w", err)
	}
	return nil
}

// SetSourceNextRun moves a source's next run (a "fetch now").
func (s *DB) SetSourceNextRun(ctx context.Context, brand, id string, at time.Time) error {
	_, err := s.exec(ctx, s.db, `UPDATE sources SET next_run = $3, updated_at = $4 WHERE brand_id = $1 AND source_id = $2`, brand, id, at.UTC(), s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// SourceState returns one source's state, or ErrNotFound.
func (s *DB) SourceState(ctx context.Context, brand, id string) (*SourceState, error) {
	rows, err := s.query(ctx, s.db, sourceCols+` WHERE brand_id = $1 AND source_id = $2`, brand, id)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	sts, err := scanSources(rows)
	if err != nil {
		return nil, err
	}
	if len(sts) == 0 {
		return nil, fmt.Errorf("source %s/%s: %w", brand, id, ErrNotFound)
	}
	return &sts[0], nil
}

// SourceStates lists the sources of brand ("" for every brand), by brand
// and id.
func (s *DB) SourceStates(ctx context.Context, brand string) ([]SourceState, error) {
	rows, err := s.query(ctx, s.db, sourceCols+` WHERE $1 = '' OR brand_id = $1 ORDER BY brand_id, source_id`, brand)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return scanSources(rows)
}

// DueSources lists up to limit sources whose next run is before cut,
// the most overdue first.
func (s *DB) DueSources(ctx context.Context, cut time.Time, limit int) ([]SourceState, error) {
	rows, err := s.query(ctx, s.db, sourceCols+` WHERE next_run < $1 ORDER BY next_run LIMIT $2`, cut.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return scanSources(rows)
}

const sourceCols = `SELECT brand_id, source_id, kind, status, error, note, etag, last_modified, last_fetch, next_run, failures, fetches, items_created, items_updated, updated_at, entries FROM sources`

func scanSources(rows *sql.Rows) ([]SourceState, error) {
	defer rows.Close()
	var out []SourceState
	for rows.Next() {
		var st SourceState
		var last sql.NullTime
		var entries string
		if err := rows.Scan(&st.Brand, &st.ID, &st.Kind, &st.Status, &st.Error, &st.Note, &st.ETag, &st.LastModified, &last,
			&st.NextRun, &st.Failures, &st.Fetches, &st.Created, &st.Updated, &st.UpdatedAt, &entries); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if entries != "" {
			st.Entries = strings.Split(entries, "\n")
		}
		if last.Valid {
			st.LastFetch = last.Time.UTC()
		}
		st.NextRun, st.UpdatedAt = st.NextRun.UTC(), st.UpdatedAt.UTC()
		out = append(out, st)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

func clipText(s string) string {
	if len(s) <= MaxSourceText {
		return s
	}
	return strings.ToValidUTF8(s[:MaxSourceText], "") + "…"
}
