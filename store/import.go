package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ImportRow is one row of an import, with the line it came from.
type ImportRow struct {
	Line int
	Join Join
}

// RowError is a row an import refused, by line.
type RowError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ImportResult counts what an import did, or in a dry run would do.
type ImportResult struct {
	Rows       int `json:"rows"`
	Created    int `json:"created"`
	Existing   int `json:"existing"`
	Active     int `json:"active"`
	Pending    int `json:"pending"`
	Suppressed int `json:"suppressed"`
	// Errors are the refused rows; when there are any nothing was
	// imported.
	Errors []RowError `json:"errors"`
	// Tasks hold the confirmation emails, in the outbox, for the caller
	// to dispatch.
	Tasks []Task `json:"-"`
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("store: dry run")

// ImportSubscribers joins every row in one transaction: either all rows
// are imported or none is. A row with a bad address, or an address an
// earlier row already has, fails the whole import and is reported by
// line. A dry run does the same work and rolls it back, so its counts
// are exactly what the import would do.
func (s *DB) ImportSubscribers(ctx context.Context, rows []ImportRow, dryRun bool) (*ImportResult, error) {
	res := &ImportResult{Rows: len(rows), Errors: []RowError{}}
	addrs := make([]string, len(rows))
	seen := make(map[string]int, len(rows))
	for i, r := range rows {
		addr, err := NormalizeAddress(r.Join.Address)
		if err != nil {
			res.Errors = append(res.Errors, RowError{Line: r.Line, Message: err.Error()})
			continue
		}
		if first, ok := seen[r.Join.BrandID+"\x00"+addr]; ok {
			res.Errors = append(res.Errors, RowError{Line: r.Line, Message: fmt.Sprintf("%s is on line %d already", addr, first)})
			continue
		}
		seen[r.Join.BrandID+"\x00"+addr] = r.Line
		addrs[i] = addr
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		counts := ImportResult{Rows: len(rows), Errors: res.Errors}
		now := s.now()
		var tasks []Task
		analyze := s.importStats(ctx, tx, dryRun)
		for start := 0; start < len(rows); start += importChunk {
			if err := analyze(start); err != nil {
				return err
			}
			end := min(start+importChunk, len(rows))
			ts, err := s.importBatch(ctx, tx, rows[start:end], addrs[start:end], now, &counts)
			if err != nil {
				return err
			}
			tasks = append(tasks, ts...)
		}
		*res = counts
		if dryRun {
			return errDryRun
		}
		var err error
		res.Tasks, err = s.insertOutboxBatch(ctx, tx, tasks, now)
		return err
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return res, nil
}

// importStats returns what keeps PostgreSQL's statistics of subscribers
// fresh during an import: called before each chunk with the rows done so
// far, it runs ANALYZE (which counts the transaction's own rows) when
// the table's statistics are older than the rows changed since they
// were taken, and again each time the import has doubled its rows.
// Without it, an import into a new brand (or with autovacuum off, or in
// one transaction of a million rows) plans each chunk's lookup as a
// scan of the whole brand, and 1,000,000 rows went in at 300 a second
// instead of thousands. ANALYZE holds its lock on the table until the
// import commits, so two large imports take turns at it; a dry run,
// rolled back, leaves the statistics alone. SQLite needs none of this
// (its planner takes the primary key).
func (s *DB) importStats(ctx context.Context, tx *sql.Tx, dryRun bool) func(done int) error {
	if s.dialect != postgres || dryRun {
		return func(int) error { return nil }
	}
	next := 2 * importChunk
	return func(done int) error {
		stale := false
		if done == 0 {
			var known, changed float64
			if err := tx.QueryRowContext(ctx, `SELECT c.reltuples, COALESCE(t.n_mod_since_analyze, 0) FROM pg_class c
				LEFT JOIN pg_stat_user_tables t ON t.relid = c.oid WHERE c.oid = 'subscribers'::regclass`).Scan(&known, &changed); err != nil {
				return fmt.Errorf("store: %w", classify(err))
			}
			stale = changed > 2*importChunk && changed > known
		}
		if !stale && done < next {
			return nil
		}
		if done >= next {
			next = 2 * done
		}
		if _, err := tx.ExecContext(ctx, `ANALYZE subscribers`); err != nil {
			return fmt.Errorf("store: analyze: %w", classify(err))
		}
		return nil
	}
}
