package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Garbage collection. Blobs (the assets table) are shared by content
// hash among item versions, brand kits, renderings, brand indexes and
// derivatives. Whatever drops a reference to a blob (a rebuilt index, a
// re-rendered item) queues the blob in gc_candidates in the same
// transaction; CollectGarbage later deletes the queued blobs that nothing
// refers to any more. Its work per pass is bounded and follows what
// changed, not the size of the store.
//
// Races with writers: on SQLite every write transaction holds the one
// write lock, so the collector and a writer never interleave. On
// PostgreSQL a writer that finds a blob already stored locks it (putBlob)
// until it commits its reference, and the collector skips locked blobs;
// a writer that finds a blob already queued locks its candidate
// (queueCandidates), and the collector skips that too.

// GCLimits bound one collection pass. Zero fields take the defaults.
type GCLimits struct {
	Blobs int   // queued blobs checked per pass (default 2000)
	Bytes int64 // bytes of blobs deleted per pass (default 1 GiB)
	// DerivativeAge is how long a derivative of an image that no item or
	// brand stores (a live preview's) is kept for reuse (default 24h).
	DerivativeAge time.Duration
	// VacuumPages caps the SQLite pages given back to the file system
	// per pass (default 16384, 64 MiB of 4 KiB pages).
	VacuumPages int
}

func (l GCLimits) withDefaults() GCLimits {
	if l.Blobs <= 0 {
		l.Blobs = 2000
	}
	if l.Bytes <= 0 {
		l.Bytes = 1 << 30
	}
	if l.DerivativeAge <= 0 {
		l.DerivativeAge = 24 * time.Hour
	}
	if l.VacuumPages <= 0 {
		l.VacuumPages = 16384
	}
	return l
}

// GCStats tells what one pass did.
type GCStats struct {
	Checked     int   // queued blobs looked at
	Blobs       int   // blobs deleted
	Bytes       int64 // their size
	Derivatives int   // derivatives deleted
	Vacuumed    int   // SQLite pages given back to the file system
	More        bool  // the pass stopped at a limit: work is left
}

// Each transaction of a pass stays short, so writers waiting for the
// SQLite write lock are not held up for long.
const (
	gcTxBlobs       = 250
	gcTxBytes       = 64 << 20
	gcTxDerivatives = 500
)

// CollectGarbage runs one bounded pass: derivatives of images nothing
// stores, then queued blobs that nothing refers to, then (SQLite with
// incremental auto-vacuum) returns free pages to the file system.
func (s *DB) CollectGarbage(ctx context.Context, lim GCLimits) (GCStats, error) {
	lim = lim.withDefaults()
	var st GCStats
	n, err := s.collectDerivatives(ctx, s.now().Add(-lim.DerivativeAge))
	if err != nil {
		return st, err
	}
	st.Derivatives = n
	for st.Checked < lim.Blobs && st.Bytes < lim.Bytes {
		checked, blobs, bytes, err := s.collectBlobs(ctx, min(gcTxBlobs, lim.Blobs-st.Checked), min(gcTxBytes, lim.Bytes-st.Bytes))
		if err != nil {
			return st, err
		}
		st.Checked += checked
		st.Blobs += blobs
		st.Bytes += bytes
		if checked == 0 {
			break
		}
	}
	if st.Vacuumed, err = s.vacuum(ctx, lim.VacuumPages); err != nil {
		return st, err
	}
	var left int
	if err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM (SELECT 1 FROM gc_candidates LIMIT 1) c`).Scan(&left); err != nil {
		return st, fmt.Errorf("store: gc: %w", err)
	}
	st.More = left > 0 || n == gcTxDerivatives
	return st, nil
}

// queueGarbage queues blobs that just lost a reference, inside the
// caller's transaction, in one statement per batchRows distinct blobs.
func (s *DB) queueGarbage(ctx context.Context, tx *sql.Tx, shas ...string) error {
	shas = distinct(shas)
	slices.Sort(shas) // as putBlobs: lock waits in one order
	for start := 0; start < len(shas); start += batchRows {
		if err := s.queueCandidates(ctx, tx, shas[start:min(start+batchRows, len(shas))]); err != nil {
			return fmt.Errorf("store: queue garbage: %w", err)
		}
	}
	return nil
}

// queueCandidates queues up to batchRows distinct blobs. On PostgreSQL
// one already queued is locked FOR KEY SHARE until this transaction
// commits: a collector holding it (FOR UPDATE) is waited for, since it
// may still see this transaction's dropped reference, keep the blob and
// delete the candidate, and nothing would look at the blob again; so a
// candidate deleted meanwhile is queued afresh. The lock is shared, so
// writers dropping one blob (an old logo, from every item) do not queue
// behind each other, and a collector skips the candidate until then.
func (s *DB) queueCandidates(ctx context.Context, tx *sql.Tx, shas []string) error {
	for range 3 {
		now := s.now()
		args := make([]any, 0, 2*len(shas))
		for _, sha := range shas {
			args = append(args, sha, now)
		}
		q := `INSERT INTO gc_candidates (sha256, queued_at) VALUES ` + s.placeholders(len(shas), 2) + ` ON CONFLICT (sha256) DO NOTHING`
		if s.dialect != postgres {
			_, err := s.exec(ctx, tx, q, args...)
			return err
		}
		added, err := s.queryStrings(ctx, tx, q+` RETURNING sha256`, args...)
		if err != nil {
			return err
		}
		old := without(shas, added)
		if len(old) == 0 {
			return nil
		}
		locked, err := s.queryStrings(ctx, tx, `SELECT sha256 FROM gc_candidates WHERE sha256 = ANY($1) FOR KEY SHARE`, old)
		if err != nil {
			return err
		}
		if shas = without(old, locked); len(shas) == 0 {
			return nil
		}
	}
	return fmt.Errorf("blob %s: its candidate was deleted while being queued, three times", shas[0])
}

// distinct returns ss without repeats, in first-seen order.
func distinct(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// dropRenderingFiles deletes the rendering files a WHERE clause
// (parameters from $1) picks and queues their blobs: one statement when
// there were none, two when there were.
func (s *DB) dropRenderingFiles(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	shas, err := s.queryStrings(ctx, tx, `DELETE FROM rendering_files WHERE `+where+` RETURNING sha256`, args...)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.queueGarbage(ctx, tx, shas...)
}

// blobReferenced is true while any row refers to the blob.
const blobReferenced = `SELECT
	EXISTS (SELECT 1 FROM version_assets WHERE sha256 = $1) OR
	EXISTS (SELECT 1 FROM brand_files WHERE sha256 = $1) OR
	EXISTS (SELECT 1 FROM rendering_files WHERE sha256 = $1) OR
	EXISTS (SELECT 1 FROM index_files WHERE sha256 = $1) OR
	EXISTS (SELECT 1 FROM derivatives WHERE sha256 = $1)`

// collectBlobs checks up to limit queued blobs in one transaction and
// deletes those nothing refers to, stopping once maxBytes are deleted.
func (s *DB) collectBlobs(ctx context.Context, limit int, maxBytes int64) (checked, blobs int, bytes int64, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		checked, blobs, bytes = 0, 0, 0
		shas, err := s.candidates(ctx, tx, limit)
		if err != nil {
			return err
		}
		for _, sha := range shas {
			if bytes >= maxBytes {
				break
			}
			checked++
			n, keep, err := s.collectBlob(ctx, tx, sha)
			if err != nil {
				return err
			}
			if keep {
				continue // a writer holds it: look again next pass
			}
			if _, err := s.exec(ctx, tx, `DELETE FROM gc_candidates WHERE sha256 = $1`, sha); err != nil {
				return fmt.Errorf("store: gc: %w", err)
			}
			if n >= 0 {
				blobs++
				bytes += n
			}
		}
		return nil
	})
	return checked, blobs, bytes, err
}

// candidates returns the oldest queued blobs, skipping (PostgreSQL) those
// another collector is working on.
func (s *DB) candidates(ctx context.Context, tx *sql.Tx, limit int) ([]string, error) {
	q := `SELECT sha256 FROM gc_candidates ORDER BY queued_at, sha256 LIMIT $1`
	if s.dialect == postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := s.query(ctx, tx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("store: gc: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, fmt.Errorf("store: gc: %w", err)
		}
		out = append(out, sha)
	}
	return out, rows.Err()
}

// collectBlob deletes one blob if nothing refers to it, returning its
// size (-1 when it stays or was gone already). keep reports a blob a
// writer has locked on PostgreSQL, to be checked again later.
func (s *DB) collectBlob(ctx context.Context, tx *sql.Tx, sha string) (size int64, keep bool, err error) {
	if s.dialect == postgres {
		var got string
		err := s.queryRow(ctx, tx, `SELECT sha256 FROM assets WHERE sha256 = $1 FOR UPDATE SKIP LOCKED`, sha).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			// Gone, or locked by a writer about to refer to it.
			err = s.queryRow(ctx, tx, `SELECT sha256 FROM assets WHERE sha256 = $1`, sha).Scan(&got)
			if errors.Is(err, sql.ErrNoRows) {
				return -1, false, nil
			}
			return -1, err == nil, wrapGC(err)
		}
		if err != nil {
			return -1, false, wrapGC(err)
		}
	}
	var used bool
	if err := s.queryRow(ctx, tx, blobReferenced, sha).Scan(&used); err != nil {
		return -1, false, wrapGC(err)
	}
	if used {
		return -1, false, nil
	}
	err = s.queryRow(ctx, tx, `DELETE FROM assets WHERE sha256 = $1 RETURNING size`, sha).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, false, nil
	}
	return size, false, wrapGC(err)
}

func wrapGC(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: gc: %w", err)
}

// collectDerivatives deletes derivatives made before cut from an image
// the store does not keep (a live preview's upload), queueing their
// blobs; a derivative of a kept image is marked checked and stays.
func (s *DB) collectDerivatives(ctx context.Context, cut time.Time) (int, error) {
	deleted := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		deleted = 0
		rows, err := s.query(ctx, tx, `SELECT key, sha256 FROM derivatives WHERE gc_checked = 0 AND created_at < $1 ORDER BY created_at LIMIT $2`, cut, gcTxDerivatives)
		if err != nil {
			return wrapGC(err)
		}
		type derivative struct{ key, sha string }
		var ds []derivative
		for rows.Next() {
			var d derivative
			if err := rows.Scan(&d.key, &d.sha); err != nil {
				rows.Close()
				return wrapGC(err)
			}
			ds = append(ds, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return wrapGC(err)
		}
		for _, d := range ds {
			// The key starts with the source image's SHA-256.
			src, _, _ := strings.Cut(d.key, "/")
			var kept bool
			if err := s.queryRow(ctx, tx, `SELECT EXISTS (SELECT 1 FROM assets WHERE sha256 = $1)`, src).Scan(&kept); err != nil {
				return wrapGC(err)
			}
			if kept {
				if _, err := s.exec(ctx, tx, `UPDATE derivatives SET gc_checked = 1 WHERE key = $1`, d.key); err != nil {
					return wrapGC(err)
				}
				continue
			}
			if _, err := s.exec(ctx, tx, `DELETE FROM derivatives WHERE key = $1`, d.key); err != nil {
				return wrapGC(err)
			}
			if err := s.queueGarbage(ctx, tx, d.sha); err != nil {
				return err
			}
			deleted++
		}
		return nil
	})
	return deleted, err
}

// vacuum gives up to pages free pages back to the file system on a
// SQLite file with incremental auto-vacuum (every file Migrate created;
// an older file keeps reusing its free pages but does not shrink).
func (s *DB) vacuum(ctx context.Context, pages int) (int, error) {
	if s.dialect != sqlite {
		return 0, nil // PostgreSQL's autovacuum makes the space reusable
	}
	var mode, before, after int
	if err := s.db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return 0, wrapGC(err)
	}
	if mode != 2 {
		return 0, nil
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&before); err != nil {
		return 0, wrapGC(err)
	}
	if before == 0 {
		return 0, nil
	}
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, min(before, pages))); err != nil {
		return 0, wrapGC(err)
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&after); err != nil {
		return 0, wrapGC(err)
	}
	return before - after, nil
}

// Size is the space the database takes: on SQLite the file's size after
// a checkpoint (free pages included), on PostgreSQL the total size of
// the tables in its schema, indexes and TOAST included.
func (s *DB) Size(ctx context.Context) (int64, error) {
	var n int64
	var err error
	if s.dialect == postgres {
		err = s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&n)
	} else {
		err = s.db.QueryRowContext(ctx, `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("store: size: %w", err)
	}
	return n, nil
}

// BlobUsage counts the stored blobs and their bytes.
func (s *DB) BlobUsage(ctx context.Context) (n int, bytes int64, err error) {
	err = s.queryRow(ctx, s.db, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM assets`).Scan(&n, &bytes)
	if err != nil {
		return 0, 0, fmt.Errorf("store: %w", err)
	}
	return n, bytes, nil
}
