package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
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
	Files     []RenderedFile // only once rendered: a re-render's older files are not shown
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
	shas []string // of Files, set by FinishRenderings
}

// FinishRenderings records several results of renderings made by one
// brand version in one transaction, each exactly as FinishRendering
// would in turn (the last of a version's channels sets the version's
// status): an inline render's channels cost one commit. Consecutive
// results of one version share its statements (see finishVersion).
func (s *DB) FinishRenderings(ctx context.Context, brandHash string, rs []Result, index IndexPlanFunc) ([]*Finished, error) {
	fins := make([]*Finished, len(rs))
	// Hash the files before taking the writer: hashing a version's
	// files took a third of the time the writer held for it.
	rs = slices.Clone(rs)
	for i := range rs {
		rs[i].shas = make([]string, len(rs[i].Files))
		for j, f := range rs[i].Files {
			rs[i].shas[j] = blobHash(f.Data)
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		for start := 0; start < len(rs); {
			end := start + 1
			for end < len(rs) && end-start < batchRows && rs[end].Key.ItemID == rs[start].Key.ItemID && rs[end].Key.Version == rs[start].Key.Version {
				end++
			}
			if err := s.finishVersion(ctx, tx, brandHash, rs[start:end], fins[start:end], index, now); err != nil {
				return err
			}
			start = end
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fins, nil
}

// finishVersion records consecutive results of one version's
// renderings into fins, running once what recording each would: the
// version's and the item's statements once for all of them, the
// renderings' and their files' as one multi-row statement each. The
// outcome is that of recording them in turn: each recorded result but
// the last sees the version still rendering, since the later ones were
// still open then; the last sees what the version ends as, and only it
// can end it.
func (s *DB) finishVersion(ctx context.Context, tx *sql.Tx, brandHash string, rs []Result, fins []*Finished, index IndexPlanFunc, now time.Time) error {
	itemID, v := rs[0].Key.ItemID, rs[0].Key.Version
	for i := range fins {
		fins[i] = &Finished{}
	}
	// Lock the version first, so two transactions finishing its
	// channels at once take turns and the later one sees the other's
	// results.
	var latest int
	var brandID string
	err := s.queryRow(ctx, tx, `SELECT i.latest_version, i.brand_id FROM items i WHERE i.id = $1`, itemID).Scan(&latest, &brandID)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, tx, `UPDATE item_versions SET updated_at = $3 WHERE item_id = $1 AND version = $2`, itemID, v, now); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	recorded, err := s.recordResults(ctx, tx, brandHash, rs, now)
	if err != nil {
		return err
	}
	last := -1
	var chans []string
	var files []channelFile
	for i, r := range rs {
		if !recorded[i] {
			continue
		}
		fins[i].Recorded, fins[i].VersionStatus = true, StatusRendering
		last = i
		chans = append(chans, r.Key.Channel)
		for j, f := range r.Files {
			files = append(files, channelFile{r.Key.Channel, r.shas[j], f})
		}
	}
	if last < 0 {
		return nil
	}
	if err := s.replaceRenderingFiles(ctx, tx, itemID, v, chans, files); err != nil {
		return err
	}
	// The join: is anything of this version still unfinished?
	var status string
	err = s.queryRow(ctx, tx, `UPDATE item_versions SET status = (SELECT CASE
			WHEN SUM(CASE WHEN r.status IN ('queued', 'rendering') THEN 1 ELSE 0 END) > 0 THEN $3
			WHEN SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END) > 0 THEN $4
			ELSE $5 END
		FROM renderings r WHERE r.item_id = $1 AND r.version = $2)
		WHERE item_id = $1 AND version = $2 RETURNING status`, itemID, v, StatusRendering, StatusFailed, StatusRendered).Scan(&status)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	fin := fins[last]
	fin.VersionStatus = status
	if latest == v {
		if _, err := s.exec(ctx, tx, `UPDATE items SET status = $2, updated_at = $3 WHERE id = $1`, itemID, status, now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	if status == StatusRendering {
		return nil
	}
	if latest == v {
		if fin.Outbox, err = s.wantIndex(ctx, tx, brandID, index, now); err != nil {
			return err
		}
	}
	return s.addEvent(ctx, tx, Event{At: now, Actor: "worker", Kind: status, ItemID: itemID, Version: v})
}

// recordResults records results of one version's renderings with one
// UPDATE, reporting which were recorded: those whose rendering was
// still open for brandHash. A channel named twice is recorded at most
// once, by its first result, as it would be in turn.
func (s *DB) recordResults(ctx context.Context, tx *sql.Tx, brandHash string, rs []Result, now time.Time) ([]bool, error) {
	first := make(map[string]int, len(rs))
	args := []any{rs[0].Key.ItemID, rs[0].Key.Version, brandHash, now}
	var values strings.Builder
	for i, r := range rs {
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
		if _, ok := first[r.Key.Channel]; ok {
			continue
		}
		first[r.Key.Channel] = i
		status := StatusRendered
		if r.Err != "" {
			status = StatusFailed
		}
		ends := 1 // a run's own result ends that run
		if r.GivenUp {
			ends = 0
		}
		if values.Len() > 0 {
			values.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&values, "($%d, $%d, $%d, $%d, $%d, CAST($%d AS BIGINT), CAST($%d AS INTEGER))", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
		args = append(args, r.Key.Channel, status, r.Err, string(warnings), string(metrics), r.Duration.Milliseconds(), ends)
	}
	// The values' columns are named apart from the table's, which
	// PostgreSQL would find ambiguous.
	got, err := s.queryStrings(ctx, tx, `WITH v (ch, st, err, warn, met, ms, ends) AS (VALUES `+values.String()+`)
		UPDATE renderings SET status = v.st, error = v.err, warnings = v.warn, metrics = v.met, duration_ms = v.ms,
		renders = renders + 1, ended = CASE WHEN v.ends = 1 AND ended < attempts THEN ended + 1 ELSE ended END, finished_at = $4, updated_at = $4
		FROM v WHERE item_id = $1 AND version = $2 AND channel = v.ch AND variant = '' AND brand_hash = $3 AND status IN ('queued', 'rendering')
		RETURNING channel`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	recorded := make([]bool, len(rs))
	for _, ch := range got {
		recorded[first[ch]] = true
	}
	return recorded, nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// channelFile is a rendered file, its channel and its hash.
type channelFile struct {
	channel, sha string
	FileData
}

// replaceRenderingFiles makes files the rendered files of the version's
// channels chans, writing only what changed. A file of the same name,
// type and content stays as it is: a brand change keeps a version's
// files until its re-render (see rerenderVersions), whose images and
// often pages come out the same. A file gone or changed is deleted and
// its blob queued as garbage; only the new files' blobs are stored.
func (s *DB) replaceRenderingFiles(ctx context.Context, tx *sql.Tx, itemID string, v int, chans []string, files []channelFile) error {
	type key struct{ channel, name string }
	type stored struct{ mediaType, sha string }
	rows, err := s.query(ctx, tx, `SELECT channel, name, media_type, sha256 FROM rendering_files
		WHERE item_id = `+s.param(1)+` AND version = `+s.param(2)+` AND variant = '' AND channel IN (`+s.inList(3, len(chans))+`)`,
		append([]any{itemID, v}, anys(chans)...)...)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	old := map[key]stored{}
	for rows.Next() {
		var k key
		var f stored
		if err := rows.Scan(&k.channel, &k.name, &f.mediaType, &f.sha); err != nil {
			rows.Close()
			return fmt.Errorf("store: %w", err)
		}
		old[k] = f
	}
	// A read cut short would leave old files in place, to be shown as
	// this result's.
	if err := cmp.Or(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var add []channelFile
	for _, f := range files {
		k := key{f.channel, f.Name}
		if o, ok := old[k]; ok && o.sha == f.sha && o.mediaType == f.MediaType {
			delete(old, k) // kept as it is
			continue
		}
		add = append(add, f)
	}
	// What is left in old goes: gone, or changed and inserted anew.
	for part := range slices.Chunk(slices.Collect(maps.Keys(old)), batchRows) {
		args := []any{itemID, v}
		var which strings.Builder
		for i, k := range part {
			if i > 0 {
				which.WriteString(" OR ")
			}
			fmt.Fprintf(&which, "channel = %s AND name = %s", s.param(len(args)+1), s.param(len(args)+2))
			args = append(args, k.channel, k.name)
		}
		if err := s.dropRenderingFiles(ctx, tx, `item_id = `+s.param(1)+` AND version = `+s.param(2)+
			` AND variant = '' AND (`+which.String()+`)`, args...); err != nil {
			return err
		}
	}
	return s.insertRenderingFiles(ctx, tx, itemID, v, add)
}

// insertRenderingFiles stores one version's rendered files and their
// blobs, one INSERT of each per batchRows files.
func (s *DB) insertRenderingFiles(ctx context.Context, tx *sql.Tx, itemID string, v int, files []channelFile) error {
	if len(files) == 0 {
		return nil
	}
	shas := make([]string, len(files))
	blobs := make([][]byte, len(files))
	for i, f := range files {
		shas[i], blobs[i] = f.sha, f.Data
	}
	if err := s.putBlobs(ctx, tx, shas, blobs); err != nil {
		return err
	}
	for start := 0; start < len(files); start += batchRows {
		chunk := files[start:min(start+batchRows, len(files))]
		args := make([]any, 0, 8*len(chunk))
		for _, f := range chunk {
			args = append(args, itemID, v, f.channel, "", f.Name, f.MediaType, f.sha, len(f.Data))
		}
		_, err := s.exec(ctx, tx, `INSERT INTO rendering_files (item_id, version, channel, variant, name, media_type, sha256, size)
			VALUES `+s.placeholders(len(chunk), 8), args...)
		if err != nil {
			return fmt.Errorf("store: insert rendering file: %w", err)
		}
	}
	return nil
}

// Finished tells what FinishRendering did.
type Finished struct {
	// Recorded is false when the rendering was already final or
	// superseded (a second worker finishing the same task): nothing changed.
	Recorded bool
	// VersionStatus is the version's status once the result is
	// recorded: after the call, or, among FinishRenderings' results,
	// after this one in turn (so only the one that ends the version
	// sees it rendered or failed). Empty when not Recorded.
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
	// Only rendered renderings' files: the others' are an earlier
	// brand's, waiting to be replaced.
	files, err := s.query(ctx, s.db, `SELECT f.channel, f.name, f.media_type, f.sha256, f.size FROM rendering_files f
		JOIN renderings r ON r.item_id = f.item_id AND r.version = f.version AND r.channel = f.channel AND r.variant = f.variant
		WHERE f.item_id = $1 AND f.version = $2 AND r.status = $3 ORDER BY f.channel, f.name`, itemID, version, StatusRendered)
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
		JOIN renderings r ON r.item_id = f.item_id AND r.version = f.version AND r.channel = f.channel AND r.variant = f.variant
		WHERE f.item_id = $1 AND f.version = $2 AND f.channel = $3 AND f.variant = '' AND f.name = $4 AND r.status = $5`,
		k.ItemID, k.Version, k.Channel, name, StatusRendered).
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
