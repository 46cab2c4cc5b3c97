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
)

// BrandInfo is a brand's current version.
type BrandInfo struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BrandHash identifies a brand kit version by its files' names and bytes.
func BrandHash(files map[string][]byte) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(h, "%s\x00%x\x00", name, sum)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// PutBrandResult tells what PutBrand did.
type PutBrandResult struct {
	Hash    string
	Changed bool   // the kit differs from the stored one (or is new)
	Items   int    // items queued for re-rendering
	Outbox  []Task // committed; enqueue them, then DeleteOutbox
}

// ItemVersion names one item version.
type ItemVersion struct {
	ItemID  string
	Version int
}

// Grouping gathers the item versions a brand change renders again into
// groups of up to Size, each rendered by the one task Task makes, which
// every rendering of the group records as its FanOut; the tasks plan
// gives for each version are then left out. A zero Grouping keeps them.
type Grouping struct {
	Size int
	Task func(brandHash string, items []ItemVersion) (Task, error)
}

// PutBrand stores a brand kit's files as the brand's current version.
// When it changed, the latest version of every item of the brand is set
// to render again with it, as plan says (with its tasks grouped as
// group says), in the same transaction: one brand change shows in every
// channel of every item.
func (s *DB) PutBrand(ctx context.Context, id, name string, files map[string][]byte, actor string, plan PlanFunc, group Grouping) (*PutBrandResult, error) {
	res := &PutBrandResult{Hash: BrandHash(files)}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res.Changed, res.Items, res.Outbox = false, 0, nil
		now := s.now()
		var cur string
		err := s.queryRow(ctx, tx, `SELECT hash FROM brands WHERE id = $1`+s.forUpdate(), id).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Processes starting together may each put a new brand: the
			// later ones run again and find it.
			var ins sql.Result
			ins, err = s.exec(ctx, tx, `INSERT INTO brands (id, hash, name, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, id, res.Hash, name, now)
			if err == nil {
				if n, _ := ins.RowsAffected(); n == 0 {
					return errLostRace
				}
			}
		case err != nil:
		case cur == res.Hash:
			return nil
		default:
			_, err = s.exec(ctx, tx, `UPDATE brands SET hash = $2, name = $3, updated_at = $4 WHERE id = $1`, id, res.Hash, name, now)
		}
		if err != nil {
			return fmt.Errorf("store: brand: %w", err)
		}
		res.Changed = true
		for _, n := range slices.Sorted(maps.Keys(files)) {
			sha, err := s.putBlob(ctx, tx, files[n])
			if err != nil {
				return err
			}
			_, err = s.exec(ctx, tx, `INSERT INTO brand_files (brand_id, hash, name, sha256) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, id, res.Hash, n, sha)
			if err != nil {
				return fmt.Errorf("store: brand file: %w", err)
			}
		}
		if err := s.addEvent(ctx, tx, Event{At: now, Actor: actor, Kind: "brand_changed", Detail: id + "@" + res.Hash}); err != nil {
			return err
		}
		if cur == "" {
			return nil
		}
		return s.rerenderBrand(ctx, tx, id, res, plan, group, now)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *DB) rerenderBrand(ctx context.Context, tx *sql.Tx, brandID string, res *PutBrandResult, plan PlanFunc, group Grouping, now time.Time) error {
	rows, err := s.query(ctx, tx, `SELECT id, latest_version FROM items WHERE brand_id = $1 AND latest_version > 0 ORDER BY id`, brandID)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var items []ItemVersion
	for rows.Next() {
		var x ItemVersion
		if err := rows.Scan(&x.ItemID, &x.Version); err != nil {
			rows.Close()
			return fmt.Errorf("store: %w", err)
		}
		items = append(items, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	size := group.Size
	if size <= 0 {
		size = resetVersions
	}
	for part := range slices.Chunk(items, size) {
		var fanout string
		if group.Size > 0 {
			t, err := group.Task(res.Hash, part)
			if err != nil {
				return fmt.Errorf("store: plan: %w", err)
			}
			out, err := s.insertOutbox(ctx, tx, []Task{t}, now)
			if err != nil {
				return err
			}
			res.Outbox = append(res.Outbox, out...)
			fanout = t.ID
		}
		for reset := range slices.Chunk(part, resetVersions) {
			out, err := s.rerenderVersions(ctx, tx, reset, res.Hash, plan, fanout, now)
			if err != nil {
				return err
			}
			res.Outbox = append(res.Outbox, out...)
			res.Items += len(reset)
		}
	}
	return nil
}

// resetVersions bounds the item versions one rerenderVersions call
// resets, whatever the grouping: its statements grow with them (SQLite
// refuses an expression deeper than 1,000), and each length is one more
// statement kept prepared.
const resetVersions = 20

// rerenderVersions sets item versions back to queued with fresh
// renderings for brand version hash, and returns the committed tasks.
// With a fanout task (a brand change's group) the renderings record it
// and the plan's tasks are left out: that task renders them. Each step
// is one statement for all of vs, not one per version: on SQLite a
// statement costs more than the few rows each touches.
func (s *DB) rerenderVersions(ctx context.Context, tx *sql.Tx, vs []ItemVersion, hash string, plan PlanFunc, fanout string, now time.Time) ([]Task, error) {
	var rows []renderingRow
	var tasks []Task
	for _, x := range vs {
		p, err := plan(x.ItemID, x.Version, hash)
		if err != nil {
			return nil, fmt.Errorf("store: plan: %w", err)
		}
		for _, r := range p.Renderings {
			if fanout != "" {
				r.FanOut = fanout
			}
			rows = append(rows, renderingRow{ItemID: x.ItemID, Version: x.Version, NewRendering: r})
		}
		if fanout == "" {
			tasks = append(tasks, p.Tasks...)
		}
	}
	which, args := versionsWhere(vs, 1)
	n := len(args)
	if _, err := s.exec(ctx, tx, fmt.Sprintf(`UPDATE item_versions SET brand_hash = $%d, status = $%d, updated_at = $%d WHERE `, n+1, n+2, n+3)+which,
		append(slices.Clip(args), hash, StatusQueued, now)...); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, tx, fmt.Sprintf(`UPDATE items SET status = $%d, updated_at = $%d WHERE id IN (SELECT item_id FROM item_versions WHERE %s)`, n+1, n+2, which),
		append(slices.Clip(args), StatusQueued, now)...); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM renderings WHERE `+which, args...); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := s.insertRenderingRows(ctx, tx, hash, rows, now); err != nil {
		return nil, err
	}
	// The rendered files stay, unseen while their rendering is not
	// rendered, until its result replaces them: most come out the same
	// (see replaceRenderingFiles). Those of a channel no longer rendered
	// go now.
	if err := s.dropRenderingFiles(ctx, tx, which+` AND NOT EXISTS (SELECT 1 FROM renderings r
		WHERE r.item_id = rendering_files.item_id AND r.version = rendering_files.version
		AND r.channel = rendering_files.channel AND r.variant = rendering_files.variant)`, args...); err != nil {
		return nil, err
	}
	return s.insertOutbox(ctx, tx, tasks, now)
}

// versionsWhere is a condition matching the rows of item versions vs, on
// columns item_id and version, with its arguments numbered from $from.
func versionsWhere(vs []ItemVersion, from int) (string, []any) {
	terms := make([]string, 0, len(vs))
	args := make([]any, 0, 2*len(vs))
	for i, x := range vs {
		terms = append(terms, fmt.Sprintf("(item_id = $%d AND version = $%d)", from+2*i, from+2*i+1))
		args = append(args, x.ItemID, x.Version)
	}
	return "(" + strings.Join(terms, " OR ") + ")", args
}

// Rerender renders an item's latest version again with its brand's
// current kit, for an editor who asks. A version that is being or has
// been published keeps its renderings: what went out stays on record.
func (s *DB) Rerender(ctx context.Context, itemID, actor string, plan PlanFunc) ([]Task, error) {
	var out []Task
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var brand string
		var v int
		err := s.queryRow(ctx, tx, `SELECT brand_id, latest_version FROM items WHERE id = $1`+s.forUpdate(), itemID).Scan(&brand, &v)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("item %q: %w", itemID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		var pub string
		err = s.queryRow(ctx, tx, `SELECT status FROM publications WHERE item_id = $1 AND version = $2`, itemID, v).Scan(&pub)
		if err == nil && (pub == PubPublishing || pub == PubPublished) {
			return fmt.Errorf("version %d is %s; submit a new version to change it: %w", v, pub, ErrConflict)
		}
		if err == nil && pub == PubScheduled {
			return fmt.Errorf("version %d is scheduled; cancel it first: %w", v, ErrConflict)
		}
		var hash string
		if err := s.queryRow(ctx, tx, `SELECT hash FROM brands WHERE id = $1`, brand).Scan(&hash); err != nil {
			return fmt.Errorf("store: brand %s: %w", brand, err)
		}
		now := s.now()
		if out, err = s.rerenderVersions(ctx, tx, []ItemVersion{{ItemID: itemID, Version: v}}, hash, plan, "", now); err != nil {
			return err
		}
		return s.addEvent(ctx, tx, Event{At: now, Actor: actor, Kind: "rerender", ItemID: itemID, Version: v})
	})
	return out, err
}

// Brand returns a brand's current version.
func (s *DB) Brand(ctx context.Context, id string) (*BrandInfo, error) {
	b := &BrandInfo{ID: id}
	err := s.queryRow(ctx, s.db, `SELECT name, hash, updated_at FROM brands WHERE id = $1`, id).Scan(&b.Name, &b.Hash, &b.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("brand %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return b, nil
}

// Brands lists every brand's current version.
func (s *DB) Brands(ctx context.Context) ([]BrandInfo, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, name, hash, updated_at FROM brands ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []BrandInfo
	for rows.Next() {
		var b BrandInfo
		if err := rows.Scan(&b.ID, &b.Name, &b.Hash, &b.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BrandFiles returns the files of one brand version.
func (s *DB) BrandFiles(ctx context.Context, id, hash string) (map[string][]byte, error) {
	rows, err := s.query(ctx, s.db, `SELECT f.name, a.data FROM brand_files f JOIN assets a ON a.sha256 = f.sha256
		WHERE f.brand_id = $1 AND f.hash = $2`, id, hash)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var name string
		var data []byte
		if err := rows.Scan(&name, &data); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out[name] = data
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("brand %s@%s: %w", id, hash, ErrNotFound)
	}
	return out, nil
}
