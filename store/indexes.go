package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// BrandIndex is the state of a brand's catalog index.
type BrandIndex struct {
	BrandID   string    `json:"brand"`
	Wanted    int       `json:"wanted"`
	Built     int       `json:"built"`
	Builds    int       `json:"builds"` // how many times it was built
	Error     string    `json:"error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	Files     []RenderedFile
}

// IndexPlanFunc returns the task that builds a brand's index for change
// number gen. The worker owns task types; the store keeps the outbox row.
// An error aborts the transaction.
type IndexPlanFunc func(brandID string, gen int) (Task, error)

// wantIndex records one more change to a brand's items and plans its
// index build, inside the caller's transaction.
func (s *DB) wantIndex(ctx context.Context, tx *sql.Tx, brandID string, plan IndexPlanFunc, now time.Time) ([]Task, error) {
	if plan == nil {
		return nil, nil
	}
	var gen int
	err := s.queryRow(ctx, tx, `INSERT INTO brand_indexes (brand_id, wanted, updated_at) VALUES ($1, 1, $2)
		ON CONFLICT (brand_id) DO UPDATE SET wanted = brand_indexes.wanted + 1, updated_at = $2
		RETURNING wanted`, brandID, now).Scan(&gen)
	if err != nil {
		return nil, fmt.Errorf("store: index: %w", err)
	}
	t, err := plan(brandID, gen)
	if err != nil {
		return nil, fmt.Errorf("store: index: %w", err)
	}
	return s.insertOutbox(ctx, tx, []Task{t}, now)
}

// BrandIndex returns a brand's index state and file list.
func (s *DB) BrandIndex(ctx context.Context, brandID string) (*BrandIndex, error) {
	bi := &BrandIndex{BrandID: brandID}
	err := s.queryRow(ctx, s.db, `SELECT wanted, built, builds, error, updated_at FROM brand_indexes WHERE brand_id = $1`, brandID).
		Scan(&bi.Wanted, &bi.Built, &bi.Builds, &bi.Error, &bi.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("index of brand %q: %w", brandID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	rows, err := s.query(ctx, s.db, `SELECT name, media_type, sha256, size FROM index_files WHERE brand_id = $1 ORDER BY name`, brandID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f RenderedFile
		if err := rows.Scan(&f.Name, &f.MediaType, &f.SHA256, &f.Size); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		bi.Files = append(bi.Files, f)
	}
	return bi, rows.Err()
}

// DueIndexes lists brands whose index is behind their items: the
// reconciler's candidates.
func (s *DB) DueIndexes(ctx context.Context, before time.Time) ([]BrandIndex, error) {
	rows, err := s.query(ctx, s.db, `SELECT brand_id, wanted, built, builds, error, updated_at FROM brand_indexes WHERE wanted > built AND updated_at < $1`, before.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []BrandIndex
	for rows.Next() {
		var bi BrandIndex
		if err := rows.Scan(&bi.BrandID, &bi.Wanted, &bi.Built, &bi.Builds, &bi.Error, &bi.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, bi)
	}
	return out, rows.Err()
}

// ItemFiles returns one rendered file (say the catalog's entry.json) of
// the latest version of every rendered item of a brand, by item id. The
// index is built from these without parsing any Markdown.
func (s *DB) ItemFiles(ctx context.Context, brandID, channel, name string) (map[string][]byte, error) {
	rows, err := s.query(ctx, s.db, `SELECT i.id, a.data FROM items i
		JOIN rendering_files f ON f.item_id = i.id AND f.version = i.latest_version AND f.channel = $2 AND f.variant = '' AND f.name = $3
		JOIN assets a ON a.sha256 = f.sha256
		WHERE i.brand_id = $1 AND i.status = 'rendered'`, brandID, channel, name)
	return filesByItem(rows, err)
}

// filesByItem reads (item id, file data) rows into a map.
func filesByItem(rows *sql.Rows, err error) (map[string][]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out[id] = data
	}
	return out, rows.Err()
}

// FinishIndex stores a built index for change gen, replacing the old
// files, unless a build for a later change got there first.
func (s *DB) FinishIndex(ctx context.Context, brandID string, gen int, files []FileData, buildErr string) (bool, error) {
	stored := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		stored = false
		res, err := s.exec(ctx, tx, `UPDATE brand_indexes SET built = $2, builds = builds + 1, error = $3, updated_at = $4
			WHERE brand_id = $1 AND built < $2`, brandID, gen, buildErr, s.now())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 || buildErr != "" {
			return nil
		}
		if err := s.replaceIndexFiles(ctx, tx, brandID, files); err != nil {
			return err
		}
		stored = true
		return nil
	})
	return stored, err
}

// replaceIndexFiles makes files the brand's index. Only files that
// changed are written, so rebuilding an unchanged index (or one whose
// feeds alone changed) writes no blob and no row for the rest; the blobs
// of replaced and dropped files are queued for collection.
func (s *DB) replaceIndexFiles(ctx context.Context, tx *sql.Tx, brandID string, files []FileData) error {
	type stored struct{ mediaType, sha string }
	old := map[string]stored{}
	rows, err := s.query(ctx, tx, `SELECT name, media_type, sha256 FROM index_files WHERE brand_id = $1`, brandID)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for rows.Next() {
		var name string
		var f stored
		if err := rows.Scan(&name, &f.mediaType, &f.sha); err != nil {
			rows.Close()
			return fmt.Errorf("store: %w", err)
		}
		old[name] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var garbage []string
	for _, f := range files {
		prev, had := old[f.Name]
		delete(old, f.Name)
		if had && prev.sha == blobHash(f.Data) && prev.mediaType == f.MediaType {
			continue
		}
		sha, err := s.putBlob(ctx, tx, f.Data)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO index_files (brand_id, name, media_type, sha256, size) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (brand_id, name) DO UPDATE SET media_type = excluded.media_type, sha256 = excluded.sha256, size = excluded.size`,
			brandID, f.Name, f.MediaType, sha, len(f.Data)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if had && prev.sha != sha {
			garbage = append(garbage, prev.sha)
		}
	}
	for name, f := range old {
		if _, err := s.exec(ctx, tx, `DELETE FROM index_files WHERE brand_id = $1 AND name = $2`, brandID, name); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		garbage = append(garbage, f.sha)
	}
	return s.queueGarbage(ctx, tx, garbage...)
}

// IndexFile returns one file of a brand's built index.
func (s *DB) IndexFile(ctx context.Context, brandID, name string) (*RenderedFile, []byte, error) {
	f := &RenderedFile{Name: name}
	var data []byte
	err := s.queryRow(ctx, s.db, `SELECT f.media_type, f.sha256, f.size, a.data FROM index_files f JOIN assets a ON a.sha256 = f.sha256
		WHERE f.brand_id = $1 AND f.name = $2`, brandID, name).Scan(&f.MediaType, &f.SHA256, &f.Size, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("index file %q of %s: %w", name, brandID, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	return f, data, nil
}
