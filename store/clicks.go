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

// CountClick counts one click on code and returns the link. The one
// UPDATE adds it to the link's total, and a trigger (migration 0014) to
// the link's row for the UTC day in click_days, which the reports read.
// The rollup is written with the click rather than buffered in memory: a
// click the reader saw redirected is never lost, several server
// processes can share one database, and on PostgreSQL it stays one round
// trip. It is kept per day, not per hour, since the reports chart days:
// an hourly rollup is 24 times the rows to add up for no figure the
// pages show.
func (s *DB) CountClick(ctx context.Context, code string) (Link, error) {
	l := Link{Code: code}
	err := s.queryRow(ctx, s.db, `UPDATE links SET clicks = clicks + 1 WHERE code = $1
		RETURNING url, item_id, version, channel, variant, dest, brand_id, clicks`, code).
		Scan(&l.URL, &l.ItemID, &l.Version, &l.Channel, &l.Variant, &l.Dest, &l.BrandID, &l.Clicks)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("link %q: %w", code, ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("store: click: %w", err)
	}
	return l, nil
}

// ClickScope picks the clicks a report covers: one item's (Item set) or
// a whole brand's, in the UTC days from Since's up to but not including
// Until's.
type ClickScope struct {
	Brand, Item  string
	Since, Until time.Time
}

// where is the scope's condition on click_days and its arguments, from
// $1: an index range over (item_id | brand_id, day).
func (sc ClickScope) where() (string, []any) {
	col, id := "brand_id", sc.Brand
	if sc.Item != "" {
		col, id = "item_id", sc.Item
	}
	return col + " = $1 AND day >= $2 AND day < $3", []any{id, dayOf(sc.Since), dayOf(sc.Until)}
}

// dayOf is t's UTC day number, as click_days keeps it.
func dayOf(t time.Time) int64 {
	d := t.Unix()
	if d < 0 {
		return 0
	}
	return d / 86400
}

// ClickRow is the clicks on one UTC day of the links placed in one
// channel, of one variant, leading to one destination.
type ClickRow struct {
	Day                    time.Time
	Channel, Variant, Dest string
	Clicks                 int64
}

// ClickBreakdown returns the scope's clicks per day, channel, variant
// and destination, in that order: one pass over the rollup answers the
// report's charts by channel over time, by variant and by path. Days
// without clicks are left out.
func (s *DB) ClickBreakdown(ctx context.Context, sc ClickScope) ([]ClickRow, error) {
	where, args := sc.where()
	rows, err := s.query(ctx, s.db, `SELECT day, channel, variant, dest, SUM(clicks) FROM click_days WHERE `+where+`
		GROUP BY day, channel, variant, dest ORDER BY day, channel, variant, dest`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: clicks: %w", err)
	}
	defer rows.Close()
	var out []ClickRow
	for rows.Next() {
		var r ClickRow
		var day int64
		if err := rows.Scan(&day, &r.Channel, &r.Variant, &r.Dest, &r.Clicks); err != nil {
			return nil, fmt.Errorf("store: clicks: %w", err)
		}
		r.Day = time.Unix(day*86400, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ClickLinks returns the scope's most clicked links, at most limit, with
// their clicks in the scope (Link.Clicks), most clicked first.
func (s *DB) ClickLinks(ctx context.Context, sc ClickScope, limit int) ([]Link, error) {
	where, args := sc.where()
	rows, err := s.query(ctx, s.db, `SELECT l.code, l.item_id, l.version, l.channel, l.variant, l.url, l.dest, l.brand_id, t.n
		FROM (SELECT code, SUM(clicks) AS n FROM click_days WHERE `+where+` GROUP BY code) t
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
