package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Where a tracked link leads (Link.Dest): the edges of the channel paths.
const (
	DestPortal  = "portal"  // a portal page on the brand's site
	DestCatalog = "catalog" // the brand's catalog pages
	DestWeb     = "web"     // anywhere off the brand's site (a call to action, a share form)
)

// CountClick counts one click on code, in its link's total and in the
// hour's rollup row (click_hours), in one transaction, and returns the
// link. The rollup is written in the redirect's own transaction rather
// than buffered in memory: a click the reader saw redirected is never
// lost, several server processes can share one database, and the
// upsert costs one more statement.
func (s *DB) CountClick(ctx context.Context, code string) (Link, error) {
	l := Link{Code: code}
	hour := s.now().Unix() / 3600
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := s.queryRow(ctx, tx, `UPDATE links SET clicks = clicks + 1 WHERE code = $1
			RETURNING url, item_id, version, channel, variant, dest, brand_id, clicks`, code).
			Scan(&l.URL, &l.ItemID, &l.Version, &l.Channel, &l.Variant, &l.Dest, &l.BrandID, &l.Clicks)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("link %q: %w", code, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: click: %w", err)
		}
		_, err = s.exec(ctx, tx, `INSERT INTO click_hours (code, hour, brand_id, item_id, channel, variant, dest, clicks)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
			ON CONFLICT (code, hour) DO UPDATE SET clicks = click_hours.clicks + 1`,
			code, hour, l.BrandID, l.ItemID, l.Channel, l.Variant, l.Dest)
		if err != nil {
			return fmt.Errorf("store: click: %w", err)
		}
		return nil
	})
	return l, err
}

// ClickScope picks the clicks a report covers: one item's (Item set) or
// a whole brand's, in the hours from Since up to but not including Until.
type ClickScope struct {
	Brand, Item  string
	Since, Until time.Time
}

// where is the scope's condition on click_hours and its arguments, from
// $1: an index range over (item_id | brand_id, hour).
func (sc ClickScope) where() (string, []any) {
	col, id := "brand_id", sc.Brand
	if sc.Item != "" {
		col, id = "item_id", sc.Item
	}
	return col + " = $1 AND hour >= $2 AND hour < $3", []any{id, hourOf(sc.Since), hourOf(sc.Until)}
}

// hourOf is t's hour number, rounded down, as click_hours keeps it.
func hourOf(t time.Time) int64 {
	h := t.Unix()
	if h < 0 {
		return 0
	}
	return h / 3600
}

// ClickDay is the clicks of one key (a channel or a variant) on one UTC day.
type ClickDay struct {
	Key    string
	Day    time.Time
	Clicks int64
}

// ClickDims are what ClicksByDay can split clicks by.
const (
	ByChannel = "channel"
	ByVariant = "variant"
	ByDest    = "dest"
)

// ClicksByDay returns the scope's clicks per UTC day and per value of
// by (ByChannel or ByVariant), in day then key order; days without
// clicks are left out.
func (s *DB) ClicksByDay(ctx context.Context, sc ClickScope, by string) ([]ClickDay, error) {
	switch by {
	case ByChannel, ByVariant, ByDest:
	default:
		return nil, fmt.Errorf("store: clicks by %q: %w", by, ErrInvalid)
	}
	where, args := sc.where()
	// by is one of the column names above, never caller text.
	rows, err := s.query(ctx, s.db, `SELECT `+by+`, hour / 24, SUM(clicks) FROM click_hours WHERE `+where+`
		GROUP BY `+by+`, hour / 24 ORDER BY hour / 24, `+by, args...)
	if err != nil {
		return nil, fmt.Errorf("store: clicks: %w", err)
	}
	defer rows.Close()
	var out []ClickDay
	for rows.Next() {
		var d ClickDay
		var day int64
		if err := rows.Scan(&d.Key, &day, &d.Clicks); err != nil {
			return nil, fmt.Errorf("store: clicks: %w", err)
		}
		d.Day = time.Unix(day*86400, 0).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClickLinks returns the scope's most clicked links, at most limit, with
// their clicks in the scope (Link.Clicks), most clicked first.
func (s *DB) ClickLinks(ctx context.Context, sc ClickScope, limit int) ([]Link, error) {
	where, args := sc.where()
	rows, err := s.query(ctx, s.db, `SELECT l.code, l.item_id, l.version, l.channel, l.variant, l.url, l.dest, l.brand_id, t.n
		FROM (SELECT code, SUM(clicks) AS n FROM click_hours WHERE `+where+` GROUP BY code) t
		JOIN links l ON l.code = t.code
		ORDER BY t.n DESC, l.code LIMIT $4`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: clicks: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.Code, &l.ItemID, &l.Version, &l.Channel, &l.Variant, &l.URL, &l.Dest, &l.BrandID, &l.Clicks); err != nil {
			return nil, fmt.Errorf("store: clicks: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ClickEdge is the clicks from links placed in one channel to where
// they lead: one edge of the channel paths.
type ClickEdge struct {
	From, To string
	Clicks   int64
}

// ClickPaths returns the scope's clicks per (channel, destination), most
// clicked first. A path such as social → portal → catalog is two edges:
// clicks on social links to the portal, and clicks on the portal's
// links to the catalog; no reader is followed from one to the next.
func (s *DB) ClickPaths(ctx context.Context, sc ClickScope) ([]ClickEdge, error) {
	where, args := sc.where()
	rows, err := s.query(ctx, s.db, `SELECT channel, dest, SUM(clicks) FROM click_hours WHERE `+where+`
		GROUP BY channel, dest ORDER BY SUM(clicks) DESC, channel, dest`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: clicks: %w", err)
	}
	defer rows.Close()
	var out []ClickEdge
	for rows.Next() {
		var e ClickEdge
		if err := rows.Scan(&e.From, &e.To, &e.Clicks); err != nil {
			return nil, fmt.Errorf("store: clicks: %w", err)
		}
		if e.To == "" {
			e.To = "unknown"
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
