package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
)

// Status values of items, versions and renderings.
const (
	StatusQueued    = "queued"
	StatusRendering = "rendering"
	StatusRendered  = "rendered"
	StatusFailed    = "failed"
)

// Item is the current state of one item: a brand's piece of content in one
// language. Its versions keep every submission.
type Item struct {
	ID            string    `json:"id"`
	Brand         string    `json:"brand"`
	Lang          string    `json:"lang"`
	Slug          string    `json:"slug"`
	ContentID     string    `json:"content_id"` // shared by translations
	Title         string    `json:"title"`
	LatestVersion int       `json:"latest_version"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Version is one submission of an item, with everything needed to render
// it again: the source as submitted, the assets it uses and the brand
// version it is rendered with.
type Version struct {
	ItemID      string
	Version     int
	Brand       string
	BrandHash   string
	Path        string            // the source's file name inside the bundle
	Compat      string            // front matter dialect it was written in
	Source      []byte            // exactly as submitted
	Assets      map[string]string // path inside the bundle → sha256
	VersionHash string
	Status      string
	SubmittedBy string
	CreatedAt   time.Time
}

// Submission is a validated item on its way into the store.
type Submission struct {
	ItemID      string
	Brand       string
	BrandHash   string
	Lang        string
	Slug        string
	ContentID   string
	Title       string
	Path        string
	Compat      string
	Source      []byte
	VersionHash string            // identifies source plus assets
	Assets      map[string][]byte // path inside the bundle → bytes
	// Actor is who submits ("user:NAME", "token:NAME"): the audit log's
	// name, and the owner of an item it starts.
	Actor string
	// Role is the actor's role. Writers may add versions only to items
	// they started and that were never published (see MayAddVersion);
	// editors and admins to any. Empty means an in-process caller acting
	// as the operator (bench, tests); the HTTP server always sets it.
	Role string
}

// Task is a unit of queue work as the outbox keeps it.
type Task struct {
	OutboxID  int64
	Type      string
	ID        string // the queue's task ID, which makes enqueueing idempotent
	Queue     string
	Payload   []byte
	ProcessAt time.Time // zero: now
	// Timeout bounds one run; zero: the queue's default for the type.
	// Not kept in the outbox.
	Timeout time.Duration
}

// NewRendering names a rendering a version needs and the task that makes it.
type NewRendering struct {
	Channel string
	Queue   string
	TaskID  string
	FanOut  string // see Rendering.FanOut
}

// Plan is the work a new version (or a re-render) needs: the renderings
// to make and the tasks to enqueue once the transaction commits.
type Plan struct {
	Renderings []NewRendering
	Tasks      []Task
}

// PlanFunc plans the work for one item version rendered with a brand
// version. The worker package owns task types and IDs; the store only
// keeps what it is told, in the same transaction as the version; an
// error aborts the transaction.
type PlanFunc func(itemID string, version int, brandHash string) (Plan, error)

// SubmitResult tells what Submit did.
type SubmitResult struct {
	ItemID  string
	Version int
	Created bool   // false when the submission repeats the latest version
	Outbox  []Task // committed; enqueue them, then DeleteOutbox
}

// Submit stores a new version of an item with its assets, its planned
// renderings, the outbox rows to enqueue them and an audit event, all in
// one transaction. Submitting the latest version again (same source, same
// assets, same brand) creates nothing and returns that version.
func (s *DB) Submit(ctx context.Context, sub Submission, plan PlanFunc) (*SubmitResult, error) {
	var res *SubmitResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res = &SubmitResult{ItemID: sub.ItemID}
		now := s.now()
		// The slug names the portal page, so it belongs to one item per
		// brand and language.
		var other string
		err := s.queryRow(ctx, tx, `SELECT id FROM items WHERE brand_id = $1 AND lang = $2 AND slug = $3 AND id <> $4`, sub.Brand, sub.Lang, sub.Slug, sub.ItemID).Scan(&other)
		if err == nil {
			return content.Errors{{File: sub.Path, Field: "slug", Code: content.EInvalid,
				Message: fmt.Sprintf("slug %q is already used by item %s; set a different slug, or the same id to make this a new version of it", sub.Slug, other)}}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: %w", err)
		}
		var latest int
		err = s.queryRow(ctx, tx, `SELECT latest_version FROM items WHERE id = $1`+s.forUpdate(), sub.ItemID).Scan(&latest)
		if err == nil {
			// Checked under the item's lock, so a publication cannot slip
			// in between the check and the new version.
			if err := s.mayAddVersion(ctx, tx, sub.ItemID, sub.Actor, sub.Role); err != nil {
				return err
			}
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Two first submissions of one item (a client retrying), or
			// of two items with one slug, may race: the second runs
			// again and sees the item, or the slug taken.
			var ins sql.Result
			ins, err = s.exec(ctx, tx, `INSERT INTO items (id, brand_id, lang, slug, content_id, title, latest_version, status, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8) ON CONFLICT DO NOTHING`,
				sub.ItemID, sub.Brand, sub.Lang, sub.Slug, sub.ContentID, sub.Title, StatusQueued, now)
			if err != nil {
				return fmt.Errorf("store: insert item: %w", err)
			}
			if n, _ := ins.RowsAffected(); n == 0 {
				return errLostRace
			}
		case err != nil:
			return fmt.Errorf("store: read item: %w", err)
		default:
			var hash, brandHash string
			err := s.queryRow(ctx, tx, `SELECT version_hash, brand_hash FROM item_versions WHERE item_id = $1 AND version = $2`, sub.ItemID, latest).Scan(&hash, &brandHash)
			if err != nil {
				return fmt.Errorf("store: read version: %w", err)
			}
			if hash == sub.VersionHash && brandHash == sub.BrandHash {
				res.Version = latest
				return nil
			}
		}
		v := latest + 1
		res.Version, res.Created = v, true
		sum := sha256.Sum256(sub.Source)
		_, err = s.exec(ctx, tx, `INSERT INTO item_versions (item_id, version, path, compat, source, source_sha256, version_hash, brand_hash, status, submitted_by, created_at, updated_at)
			VALUES ($1, $2, $3, $11, $4, $5, $6, $7, $8, $9, $10, $10)`,
			sub.ItemID, v, sub.Path, sub.Source, hex.EncodeToString(sum[:]), sub.VersionHash, sub.BrandHash, StatusQueued, sub.Actor, now, sub.Compat)
		if err != nil {
			return fmt.Errorf("store: insert version: %w", err)
		}
		for _, p := range slices.Sorted(maps.Keys(sub.Assets)) {
			sha, err := s.putBlob(ctx, tx, sub.Assets[p])
			if err != nil {
				return err
			}
			if _, err := s.exec(ctx, tx, `INSERT INTO version_assets (item_id, version, path, sha256) VALUES ($1, $2, $3, $4)`, sub.ItemID, v, p, sha); err != nil {
				return fmt.Errorf("store: insert asset: %w", err)
			}
		}
		_, err = s.exec(ctx, tx, `UPDATE items SET latest_version = $2, title = $3, content_id = $4, status = $5, updated_at = $6, slug = $7 WHERE id = $1`,
			sub.ItemID, v, sub.Title, sub.ContentID, StatusQueued, now, sub.Slug)
		if err != nil {
			return fmt.Errorf("store: update item: %w", err)
		}
		p, err := plan(sub.ItemID, v, sub.BrandHash)
		if err != nil {
			return fmt.Errorf("store: plan: %w", err)
		}
		if err := s.insertRenderings(ctx, tx, sub.ItemID, v, sub.BrandHash, p.Renderings, now); err != nil {
			return err
		}
		if res.Outbox, err = s.insertOutbox(ctx, tx, p.Tasks, now); err != nil {
			return err
		}
		return s.addEvent(ctx, tx, Event{At: now, Actor: sub.Actor, Kind: "submitted", ItemID: sub.ItemID, Version: v})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// MayAddVersion tells whether actor, with role, may add a version to the
// item: editors and admins always; writers only to an item they started
// (its first version is theirs) until a version of it has been published
// (a publication that started; scheduled or cancelled ones do not count).
// A refusal wraps ErrForbidden. Submit applies the same rule; the editor
// UI asks first only to refuse before the writer types.
func (s *DB) MayAddVersion(ctx context.Context, itemID, actor, role string) error {
	return s.mayAddVersion(ctx, s.db, itemID, actor, role)
}

func (s *DB) mayAddVersion(ctx context.Context, x execer, itemID, actor, role string) error {
	if role == "" || RoleAtLeast(role, RoleEditor) {
		return nil
	}
	var owner string
	err := s.queryRow(ctx, x, `SELECT submitted_by FROM item_versions WHERE item_id = $1 AND version = 1`, itemID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a new item: whoever submits it starts it
	}
	if err != nil {
		return fmt.Errorf("store: read owner: %w", err)
	}
	if owner != actor {
		return fmt.Errorf("item %s was started by someone else; writers change only the items they started, so ask an editor: %w", itemID, ErrForbidden)
	}
	var published int
	err = s.queryRow(ctx, x, `SELECT COUNT(*) FROM publications WHERE item_id = $1 AND status NOT IN ($2, $3)`, itemID, PubScheduled, PubCancelled).Scan(&published)
	if err != nil {
		return fmt.Errorf("store: read publications: %w", err)
	}
	if published > 0 {
		return fmt.Errorf("item %s has been published; an editor changes it now: %w", itemID, ErrForbidden)
	}
	return nil
}

// forUpdate locks the rows a read returns on PostgreSQL; SQLite's
// immediate transactions already hold the only write lock.
func (s *DB) forUpdate() string {
	if s.dialect == postgres {
		return " FOR UPDATE"
	}
	return ""
}

func (s *DB) insertRenderings(ctx context.Context, tx *sql.Tx, itemID string, v int, brandHash string, rs []NewRendering, now time.Time) error {
	rows := make([]renderingRow, 0, len(rs))
	for _, r := range rs {
		rows = append(rows, renderingRow{ItemID: itemID, Version: v, NewRendering: r})
	}
	return s.insertRenderingRows(ctx, tx, brandHash, rows, now)
}

// renderingRow is a new rendering of one item version.
type renderingRow struct {
	ItemID  string
	Version int
	NewRendering
}

// insertRenderingRows inserts queued renderings made with brandHash,
// many rows to a statement.
func (s *DB) insertRenderingRows(ctx context.Context, tx *sql.Tx, brandHash string, rows []renderingRow, now time.Time) error {
	for part := range slices.Chunk(rows, batchRows) {
		args := make([]any, 0, 11*len(part))
		for _, r := range part {
			args = append(args, r.ItemID, r.Version, r.Channel, "", StatusQueued, brandHash, r.Queue, r.TaskID, r.FanOut, 1, now)
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO renderings (item_id, version, channel, variant, status, brand_hash, queue, task_id, fanout, enqueues, updated_at)
			VALUES `+s.placeholders(len(part), 11), args...); err != nil {
			return fmt.Errorf("store: insert rendering: %w", err)
		}
	}
	return nil
}

// putBlob stores data once under its SHA-256 and returns the hash. The
// caller refers to the blob in the same transaction.
func (s *DB) putBlob(ctx context.Context, tx *sql.Tx, data []byte) (string, error) {
	sha := blobHash(data)
	if err := s.putBlobs(ctx, tx, []string{sha}, [][]byte{data}); err != nil {
		return "", err
	}
	return sha, nil
}

// batchRows bounds the rows of one multi-row statement on the paths
// that run for every rendering. Those statements stay prepared, one per
// row count (see stmt), so it also bounds how many are kept; a text
// version's ~20 files fit in one.
const batchRows = 64

// putBlobs is putBlob for many blobs, hashed by the caller (shas[i] is
// blobHash(blobs[i])) before its transaction: each distinct one not yet
// stored is stored with one INSERT per batchRows of them.
func (s *DB) putBlobs(ctx context.Context, tx *sql.Tx, shas []string, blobs [][]byte) error {
	byHash := make(map[string][]byte, len(blobs))
	for i, data := range blobs {
		byHash[shas[i]] = data
	}
	// In hash order: PostgreSQL makes a second writer of the same new
	// blob wait for the first one's commit, and writers that insert
	// shared blobs in one order cannot wait for each other in a circle.
	todo := slices.Sorted(maps.Keys(byHash))
	for start := 0; start < len(todo); start += batchRows {
		if err := s.insertBlobs(ctx, tx, todo[start:min(start+batchRows, len(todo))], byHash); err != nil {
			return err
		}
	}
	return nil
}

// insertBlobs stores the blobs named by distinct hashes that are not
// stored yet. Those that are are looked up first, so their bytes are
// not sent again (most of a re-render's are stored already).
func (s *DB) insertBlobs(ctx context.Context, tx *sql.Tx, shas []string, data map[string][]byte) error {
	for round := 0; ; round++ {
		// On PostgreSQL a stored blob, maybe unreferenced and about to
		// be collected, is locked until this transaction commits its
		// references (see gc.go); on SQLite the writer's lock does that.
		var have []string
		var err error
		if s.dialect == postgres {
			have, err = s.queryStrings(ctx, tx, `SELECT sha256 FROM assets WHERE sha256 = ANY($1) FOR KEY SHARE`, shas)
		} else {
			have, err = s.queryStrings(ctx, tx, `SELECT sha256 FROM assets WHERE sha256 IN (`+s.inList(1, len(shas))+`)`, anys(shas)...)
		}
		if err != nil {
			return fmt.Errorf("store: look up blobs: %w", err)
		}
		if shas = without(shas, have); len(shas) == 0 {
			return nil
		}
		if round == 3 {
			return fmt.Errorf("store: blob %s: deleted while being stored, three times", shas[0])
		}
		now := s.now()
		args := make([]any, 0, 4*len(shas))
		for _, sha := range shas {
			args = append(args, sha, len(data[sha]), data[sha], now)
		}
		q := `INSERT INTO assets (sha256, size, data, created_at) VALUES ` + s.placeholders(len(shas), 4) + ` ON CONFLICT (sha256) DO NOTHING`
		if s.dialect != postgres {
			if _, err := s.exec(ctx, tx, q, args...); err != nil {
				return fmt.Errorf("store: insert blob: %w", err)
			}
			return nil
		}
		added, err := s.queryStrings(ctx, tx, q+` RETURNING sha256`, args...)
		if err != nil {
			return fmt.Errorf("store: insert blob: %w", err)
		}
		// Those not added another transaction stored meanwhile: lock
		// them in the next round, or store them again if the collector
		// got to them first.
		if shas = without(shas, added); len(shas) == 0 {
			return nil
		}
	}
}

// without returns the strings of ss not in drop, in order.
func without(ss, drop []string) []string {
	if len(drop) == 0 {
		return ss
	}
	gone := make(map[string]bool, len(drop))
	for _, d := range drop {
		gone[d] = true
	}
	var out []string
	for _, s := range ss {
		if !gone[s] {
			out = append(out, s)
		}
	}
	return out
}

func blobHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Blob returns the bytes stored under sha.
func (s *DB) Blob(ctx context.Context, sha string) ([]byte, error) {
	var data []byte
	err := s.queryRow(ctx, s.db, `SELECT data FROM assets WHERE sha256 = $1`, sha).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("blob %s: %w", sha, ErrNotFound)
	}
	return data, err
}

// Item returns an item's current state.
func (s *DB) Item(ctx context.Context, id string) (*Item, error) {
	rows, err := s.query(ctx, s.db, itemSelect+` WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("item %q: %w", id, ErrNotFound)
	}
	return &items[0], nil
}

// ItemStatuses are the states an item can be filtered by: its latest
// version's rendering, then its publications'.
func ItemStatuses() []string {
	return []string{StatusQueued, StatusRendering, StatusRendered, StatusFailed, PubScheduled, PubPublishing, PubPublished, PubCancelled}
}

// ItemFilter narrows Items. Empty fields match everything.
type ItemFilter struct {
	Brand string
	// Status is one of ItemStatuses: a rendering status matches the
	// latest version's, a publication status any version's publication.
	Status string
	Lang   string
	Query  string // a case-insensitive substring of the title
	Limit  int    // default 100
	Offset int
}

// Items lists items, most recently updated first.
func (s *DB) Items(ctx context.Context, f ItemFilter) ([]Item, error) {
	where, args := f.where()
	q := itemSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	args = append(args, f.Limit, max(f.Offset, 0))
	q += fmt.Sprintf(" ORDER BY updated_at DESC, id LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return scanItems(rows)
}

// CountItems counts the items Items would list without a limit.
func (s *DB) CountItems(ctx context.Context, f ItemFilter) (int, error) {
	where, args := f.where()
	q := `SELECT COUNT(*) FROM items`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var n int
	if err := s.queryRow(ctx, s.db, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}

func (f ItemFilter) where() ([]string, []any) {
	var where []string
	var args []any
	// cond has one %d, for the number of its placeholder.
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Brand != "" {
		add("brand_id = $%d", f.Brand)
	}
	switch f.Status {
	case "":
	case PubScheduled, PubPublishing, PubPublished, PubCancelled:
		// Where the item is in publishing, not rendering: any version
		// with a publication in that state (a v2 draft over a live v1
		// is still published).
		add("EXISTS (SELECT 1 FROM publications p WHERE p.item_id = items.id AND p.status = $%d)", f.Status)
	default:
		add("status = $%d", f.Status)
	}
	if f.Lang != "" {
		add("lang = $%d", f.Lang)
	}
	if f.Query != "" {
		add("LOWER(title) LIKE $%d", "%"+strings.ToLower(f.Query)+"%")
	}
	return where, args
}

const itemSelect = `SELECT id, brand_id, lang, slug, content_id, title, latest_version, status, created_at, updated_at FROM items`

func scanItems(rows *sql.Rows) ([]Item, error) {
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.Brand, &it.Lang, &it.Slug, &it.ContentID, &it.Title, &it.LatestVersion, &it.Status, &it.CreatedAt, &it.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Version returns one version of an item with its source and asset list.
func (s *DB) Version(ctx context.Context, itemID string, version int) (*Version, error) {
	v := &Version{ItemID: itemID, Version: version, Assets: map[string]string{}}
	err := s.queryRow(ctx, s.db, `SELECT i.brand_id, v.brand_hash, v.path, v.compat, v.source, v.version_hash, v.status, v.submitted_by, v.created_at
		FROM item_versions v JOIN items i ON i.id = v.item_id WHERE v.item_id = $1 AND v.version = $2`, itemID, version).
		Scan(&v.Brand, &v.BrandHash, &v.Path, &v.Compat, &v.Source, &v.VersionHash, &v.Status, &v.SubmittedBy, &v.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("item %q version %d: %w", itemID, version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	rows, err := s.query(ctx, s.db, `SELECT path, sha256 FROM version_assets WHERE item_id = $1 AND version = $2`, itemID, version)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, sha string
		if err := rows.Scan(&p, &sha); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		v.Assets[p] = sha
	}
	return v, rows.Err()
}

// VersionInfo summarises one version for listings.
type VersionInfo struct {
	Version     int       `json:"version"`
	Status      string    `json:"status"`
	BrandHash   string    `json:"brand_hash"`
	SubmittedBy string    `json:"submitted_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Versions lists an item's versions, newest first.
func (s *DB) Versions(ctx context.Context, itemID string) ([]VersionInfo, error) {
	rows, err := s.query(ctx, s.db, `SELECT version, status, brand_hash, submitted_by, created_at FROM item_versions WHERE item_id = $1 ORDER BY version DESC`, itemID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []VersionInfo
	for rows.Next() {
		var v VersionInfo
		if err := rows.Scan(&v.Version, &v.Status, &v.BrandHash, &v.SubmittedBy, &v.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
