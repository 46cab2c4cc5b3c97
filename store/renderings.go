package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// RenderKey names one rendering.
type RenderKey struct {
	ItemID  string
	Version int
	Channel string
}

func (k RenderKey) String() string { return fmt.Sprintf("%s@%d/%s", k.ItemID, k.Version, k.Channel) }

// Rendering is one channel's rendering of one version.
type Rendering struct {
	RenderKey
	Status    string
	BrandHash string
	Queue     string
	TaskID    string
	// FanOut is the task that renders it inline when that is not its
	// item's item:render (a brand change's items:render), else empty.
	FanOut    string
	Attempts  int // times a worker started it
	Ended     int // of those, runs that ended (with a result or an error)
	Enqueues  int // times a task was put in the queue for it
	Renders   int // times a result was recorded: 1 once final
	Error     string
	Warnings  json.RawMessage
	Metrics   map[string]float64
	Duration  time.Duration
	Files     []RenderedFile
	UpdatedAt time.Time
}

// Final reports whether the rendering is done, one way or the other.
func (r *Rendering) Final() bool { return r.Status == StatusRendered || r.Status == StatusFailed }

// Unended counts the starts that never ended: runs in progress, and runs
// whose worker died inside them.
func (r *Rendering) Unended() int { return r.Attempts - r.Ended }

// MaxUnended is how many starts of one task (a rendering or a delivery)
// may never end before the task is given up: a task that kills its
// worker (out of memory, a crash in a library) must not kill it forever.
const MaxUnended = 3

// DiedError is what a task given up that way records.
const DiedError = "stopped after 3 attempts that never finished; the worker died each time, e.g. out of memory"

// RenderedFile is one file of a rendering; its bytes are a blob.
type RenderedFile struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
}

// FileData is a rendered file on its way into the store.
type FileData struct {
	Name      string
	MediaType string
	Data      []byte
}

// RenderResult is what a worker records when a rendering ends.
type RenderResult struct {
	Files    []FileData
	Warnings any // marshalled as JSON
	Metrics  map[string]float64
	Duration time.Duration
	Err      string // non-empty: the rendering failed for good
	// GivenUp says the result is a decision about the task (out of
	// retries, past its deadline, its worker dying) rather than a run's
	// own result, so no run's end is recorded with it.
	GivenUp bool
}

// Start is what StartRendering decided.
type Start int

const (
	StartRun    Start = iota // render it: the start is recorded
	StartSkip                // nothing to do: final, or now another brand version's
	StartGiveUp              // MaxUnended starts never ended: record it failed with DiedError
)

// StartRendering records a start of a rendering by the brand version
// brandHash before any work is done, so a run that kills its worker is
// counted. It refuses to start a rendering whose earlier starts never
// ended MaxUnended times.
func (s *DB) StartRendering(ctx context.Context, k RenderKey, brandHash string) (Start, error) {
	now := s.now()
	res, err := s.exec(ctx, s.db, `UPDATE renderings SET status = $5, attempts = attempts + 1, started_at = $6, updated_at = $6
		WHERE item_id = $1 AND version = $2 AND channel = $3 AND variant = '' AND brand_hash = $4 AND status IN ('queued', 'rendering')
		AND attempts - ended < $7`,
		k.ItemID, k.Version, k.Channel, brandHash, StatusRendering, now, MaxUnended)
	if err != nil {
		return StartSkip, fmt.Errorf("store: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return StartRun, err
	}
	var status, hash string
	var unended int
	err = s.queryRow(ctx, s.db, `SELECT status, brand_hash, attempts - ended FROM renderings
		WHERE item_id = $1 AND version = $2 AND channel = $3 AND variant = ''`, k.ItemID, k.Version, k.Channel).Scan(&status, &hash, &unended)
	if errors.Is(err, sql.ErrNoRows) {
		return StartSkip, nil
	}
	if err != nil {
		return StartSkip, fmt.Errorf("store: %w", err)
	}
	if hash == brandHash && (status == StatusQueued || status == StatusRendering) && unended >= MaxUnended {
		return StartGiveUp, nil
	}
	return StartSkip, nil
}

// EndRendering records that a started run ended without a result (a
// temporary error, its deadline, a shutdown): the worker survived it.
// FinishRendering records the end of a run with a result itself.
func (s *DB) EndRendering(ctx context.Context, k RenderKey) error {
	_, err := s.exec(ctx, s.db, `UPDATE renderings SET ended = ended + 1
		WHERE item_id = $1 AND version = $2 AND channel = $3 AND variant = '' AND ended < attempts`, k.ItemID, k.Version, k.Channel)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Rendering returns one rendering, without its file list.
func (s *DB) Rendering(ctx context.Context, k RenderKey) (*Rendering, error) {
	rows, err := s.query(ctx, s.db, renderingSelect+` WHERE item_id = $1 AND version = $2 AND channel = $3 AND variant = ''`, k.ItemID, k.Version, k.Channel)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	rs, err := scanRenderings(rows)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("rendering %s: %w", k, ErrNotFound)
	}
	return &rs[0], nil
}

// FinishRendering records a rendering's result and, when it was the
// version's last unfinished channel, sets the version (and the item, if
// this is its latest version) to rendered or failed, all in one
// transaction.
//
// When the version ends, index (if not nil) plans a rebuild of the
// brand's catalog index in the same transaction.
func (s *DB) FinishRendering(ctx context.Context, k RenderKey, brandHash string, r RenderResult, index IndexPlanFunc) (*Finished, error) {
	fins, err := s.FinishRenderings(ctx, brandHash, []Result{{Key: k, RenderResult: r}}, index)
	if err != nil {
		return nil, err
	}
	return fins[0], nil
}

// Result is one rendering's result, for FinishRenderings.
type Result struct {
	Key RenderKey
	RenderResult
}

// FinishRenderings records several results of renderings made by one
// brand version in one transaction, each exactly as FinishRendering
// would in turn (the last of a version's channels sets the version's
// status): an inline render's channels cost one commit.
func (s *DB) FinishRenderings(ctx context.Context, brandHash string, rs []Result, index IndexPlanFunc) ([]*Finished, error) {
	fins := make([]*Finished, len(rs))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		for i, r := range rs {
			var err error
			if fins[i], err = s.finishIn(ctx, tx, r.Key, brandHash, r.RenderResult, index, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fins, nil
}

func (s *DB) finishIn(ctx context.Context, tx *sql.Tx, k RenderKey, brandHash string, r RenderResult, index IndexPlanFunc, now time.Time) (*Finished, error) {
	warnings, err := json.Marshal(r.Warnings)
	if err != nil {
		return nil, err
	}
	if r.Warnings == nil {
		warnings = []byte("[]")
	}
	metrics, err := json.Marshal(r.Metrics)
	if err != nil || r.Metrics == nil {
		metrics = []byte("{}")
	}
	status := StatusRendered
	if r.Err != "" {
		status = StatusFailed
	}
	fin := &Finished{}
	// Lock the version first, so two channels finishing at once take
	// turns and the last one sees the other's result.
	var latest int
	var brandID string
	err = s.queryRow(ctx, tx, `SELECT i.latest_version, i.brand_id FROM items i WHERE i.id = $1`, k.ItemID).Scan(&latest, &brandID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, tx, `UPDATE item_versions SET updated_at = $3 WHERE item_id = $1 AND version = $2`, k.ItemID, k.Version, now); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	res, err := s.exec(ctx, tx, `UPDATE renderings SET status = $5, error = $6, warnings = $7, metrics = $8, duration_ms = $9,
		renders = renders + 1, ended = CASE WHEN $11 AND ended < attempts THEN ended + 1 ELSE ended END, finished_at = $10, updated_at = $10
		WHERE item_id = $1 AND version = $2 AND channel = $3 AND variant = '' AND brand_hash = $4 AND status IN ('queued', 'rendering')`,
		k.ItemID, k.Version, k.Channel, brandHash, status, r.Err, string(warnings), string(metrics), r.Duration.Milliseconds(), now, !r.GivenUp)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fin, nil
	}
	fin.Recorded = true
	if err := s.queueRenderingGarbage(ctx, tx, `item_id = $1 AND version = $2 AND channel = $3 AND variant = ''`, k.ItemID, k.Version, k.Channel); err != nil {
		return nil, err
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM rendering_files WHERE item_id = $1 AND version = $2 AND channel = $3 AND variant = ''`, k.ItemID, k.Version, k.Channel); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for _, f := range r.Files {
		sha, err := s.putBlob(ctx, tx, f.Data)
		if err != nil {
			return nil, err
		}
		_, err = s.exec(ctx, tx, `INSERT INTO rendering_files (item_id, version, channel, variant, name, media_type, sha256, size)
			VALUES ($1, $2, $3, '', $4, $5, $6, $7)`, k.ItemID, k.Version, k.Channel, f.Name, f.MediaType, sha, len(f.Data))
		if err != nil {
			return nil, fmt.Errorf("store: insert rendering file: %w", err)
		}
	}
	// The join: is anything of this version still unfinished?
	var open, failed int
	err = s.queryRow(ctx, tx, `SELECT
			COALESCE(SUM(CASE WHEN status IN ('queued', 'rendering') THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
		FROM renderings WHERE item_id = $1 AND version = $2`, k.ItemID, k.Version).Scan(&open, &failed)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	fin.VersionStatus = StatusRendering
	if open == 0 {
		fin.VersionStatus = StatusRendered
		if failed > 0 {
			fin.VersionStatus = StatusFailed
		}
	}
	if _, err := s.exec(ctx, tx, `UPDATE item_versions SET status = $3 WHERE item_id = $1 AND version = $2`, k.ItemID, k.Version, fin.VersionStatus); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if latest == k.Version {
		if _, err := s.exec(ctx, tx, `UPDATE items SET status = $2, updated_at = $3 WHERE id = $1`, k.ItemID, fin.VersionStatus, now); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	if open == 0 {
		if latest == k.Version {
			if fin.Outbox, err = s.wantIndex(ctx, tx, brandID, index, now); err != nil {
				return nil, err
			}
		}
		return fin, s.addEvent(ctx, tx, Event{At: now, Actor: "worker", Kind: fin.VersionStatus, ItemID: k.ItemID, Version: k.Version})
	}
	return fin, nil
}

// Finished tells what FinishRendering did.
type Finished struct {
	// Recorded is false when the rendering was already final or
	// superseded (a second worker finishing the same task): nothing changed.
	Recorded bool
	// VersionStatus is the version's status after the call.
	VersionStatus string
	// Outbox holds committed tasks (an index build) to enqueue now.
	Outbox []Task
}

// Renderings returns every rendering of a version, with its file list.
func (s *DB) Renderings(ctx context.Context, itemID string, version int) ([]Rendering, error) {
	rows, err := s.query(ctx, s.db, renderingSelect+` WHERE item_id = $1 AND version = $2 ORDER BY channel`, itemID, version)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	rs, err := scanRenderings(rows)
	if err != nil {
		return nil, err
	}
	files, err := s.query(ctx, s.db, `SELECT channel, name, media_type, sha256, size FROM rendering_files
		WHERE item_id = $1 AND version = $2 ORDER BY channel, name`, itemID, version)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer files.Close()
	byChannel := map[string]*Rendering{}
	for i := range rs {
		byChannel[rs[i].Channel] = &rs[i]
	}
	for files.Next() {
		var ch string
		var f RenderedFile
		if err := files.Scan(&ch, &f.Name, &f.MediaType, &f.SHA256, &f.Size); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if r := byChannel[ch]; r != nil {
			r.Files = append(r.Files, f)
		}
	}
	return rs, files.Err()
}

// UnfinishedRenderings lists renderings not final whose row has not
// changed since before, oldest first: the reconciler's candidates.
func (s *DB) UnfinishedRenderings(ctx context.Context, before time.Time, limit int) ([]Rendering, error) {
	rows, err := s.query(ctx, s.db, renderingSelect+` WHERE status IN ('queued', 'rendering') AND updated_at < $1 ORDER BY updated_at LIMIT $2`, before.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return scanRenderings(rows)
}

// Reenqueued records that the reconciler put a new task in the queue for
// an unfinished rendering. It does nothing if the rendering has become
// final meanwhile.
func (s *DB) Reenqueued(ctx context.Context, k RenderKey, taskID string) error {
	_, err := s.exec(ctx, s.db, `UPDATE renderings SET task_id = $4, enqueues = enqueues + 1, updated_at = $5
		WHERE item_id = $1 AND version = $2 AND channel = $3 AND variant = '' AND status IN ('queued', 'rendering')`,
		k.ItemID, k.Version, k.Channel, taskID, s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// RenderingFile returns one rendered file.
func (s *DB) RenderingFile(ctx context.Context, k RenderKey, name string) (*RenderedFile, []byte, error) {
	f := &RenderedFile{Name: name}
	var data []byte
	err := s.queryRow(ctx, s.db, `SELECT f.media_type, f.sha256, f.size, a.data FROM rendering_files f JOIN assets a ON a.sha256 = f.sha256
		WHERE f.item_id = $1 AND f.version = $2 AND f.channel = $3 AND f.variant = '' AND f.name = $4`, k.ItemID, k.Version, k.Channel, name).
		Scan(&f.MediaType, &f.SHA256, &f.Size, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("file %q of %s: %w", name, k, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	return f, data, nil
}

const renderingSelect = `SELECT item_id, version, channel, status, brand_hash, queue, task_id, fanout, attempts, ended, enqueues, renders,
	error, warnings, metrics, duration_ms, updated_at FROM renderings`

func scanRenderings(rows *sql.Rows) ([]Rendering, error) {
	defer rows.Close()
	var out []Rendering
	for rows.Next() {
		var r Rendering
		var warnings, metrics string
		var ms int64
		if err := rows.Scan(&r.ItemID, &r.Version, &r.Channel, &r.Status, &r.BrandHash, &r.Queue, &r.TaskID, &r.FanOut, &r.Attempts, &r.Ended, &r.Enqueues, &r.Renders,
			&r.Error, &warnings, &metrics, &ms, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		r.Warnings = json.RawMessage(warnings)
		json.Unmarshal([]byte(metrics), &r.Metrics)
		r.Duration = time.Duration(ms) * time.Millisecond
		out = append(out, r)
	}
	return out, rows.Err()
}
