package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Segment is the part of a brand's list an email goes to: by language
// and, when Topics is set, by the topics subscribers chose. Who of them
// is reached at all (active, not paused, not suppressed) is the store's
// rule, not the segment's.
type Segment struct {
	BrandID string
	// Langs are the subscriber languages the email goes to; "" names
	// subscribers who chose no language.
	Langs []string
	// OtherLangs makes Langs the languages it does not go to: every
	// other language is reached (a brand sending its default language to
	// everyone without a translation).
	OtherLangs bool
	// Topics reach only subscribers who chose at least one of them;
	// none reaches every topic and none.
	Topics []string
}

// reachable is who is ever sent to: a confirmed opt-in, not paused, not
// on the suppression list.
const reachable = ` AND sb.status = 'active' AND sb.paused = 0
	AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.brand_id = sb.brand_id AND x.address = sb.address)`

// sqlArgs builds a statement's $n placeholders.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

func (a *sqlArgs) list(vs []string) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = a.add(v)
	}
	return strings.Join(ps, ", ")
}

// where is the segment's brand and language condition on the table
// named t: subscribers or subscriber_topics.
func (seg Segment) where(a *sqlArgs, t string) string {
	q := t + `.brand_id = ` + a.add(seg.BrandID)
	switch {
	case len(seg.Langs) == 0 && seg.OtherLangs:
	case len(seg.Langs) == 0:
		q += ` AND 1 = 0`
	case seg.OtherLangs:
		q += ` AND ` + t + `.lang NOT IN (` + a.list(seg.Langs) + `)`
	default:
		q += ` AND ` + t + `.lang IN (` + a.list(seg.Langs) + `)`
	}
	return q
}

// topical is the condition that sb chose one of the segment's topics
// (through the subscriber_topics index, see migration 0010).
func (seg Segment) topical(a *sqlArgs) string {
	return `EXISTS (SELECT 1 FROM subscriber_topics t WHERE t.brand_id = sb.brand_id AND t.topic IN (` + a.list(seg.Topics) + `) AND t.address = sb.address)`
}

func (seg Segment) reached(a *sqlArgs) string {
	q := seg.where(a, "sb") + reachable
	if len(seg.Topics) > 0 {
		q += ` AND ` + seg.topical(a)
	}
	return q
}

// CountSegment returns how many subscribers an email to seg reaches now:
// a range of an index (subscribers_reach, or subscriber_topics' key,
// which holds status, language and pause for each topic), less those of
// it on the suppression list all the same, found from that list. Each
// part reads an index alone instead of every subscriber of the range.
func (s *DB) CountSegment(ctx context.Context, seg Segment) (int, error) {
	var a sqlArgs
	var q string
	if len(seg.Topics) == 0 {
		q = `SELECT COUNT(*) FROM subscribers sb WHERE ` + seg.where(&a, "sb") + ` AND sb.status = 'active' AND sb.paused = 0`
	} else {
		count := `COUNT(*)`
		if len(seg.Topics) > 1 {
			count = `COUNT(DISTINCT t.address)` // a subscriber of two of them is one row per topic
		}
		q = `SELECT ` + count + ` FROM subscriber_topics t WHERE ` + seg.where(&a, "t") + ` AND t.topic IN (` + a.list(seg.Topics) + `)
			AND t.status = 'active' AND t.paused = 0`
	}
	listed := `SELECT COUNT(*) FROM suppressions x JOIN subscribers sb ON sb.brand_id = x.brand_id AND sb.address = x.address
		WHERE ` + seg.where(&a, "sb") + ` AND sb.status = 'active' AND sb.paused = 0`
	if len(seg.Topics) > 0 {
		listed += ` AND ` + seg.topical(&a)
	}
	var n int
	if err := s.queryRow(ctx, s.db, `SELECT (`+q+`) - (`+listed+`)`, a...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: segment: %w", err)
	}
	return n, nil
}

// SegmentLang is one language's part of a segment: who is reached and
// why the others in that language are not. Each subscriber counts once,
// under the first reason that applies, in this order: suppressed,
// pending, none of the topics, paused.
type SegmentLang struct {
	Lang       string `json:"lang"`
	Reached    int    `json:"reached"`
	Suppressed int    `json:"suppressed"`
	Pending    int    `json:"pending"`
	NoTopic    int    `json:"no_topic"`
	Paused     int    `json:"paused"`
}

// SegmentCounts breaks a segment down by language, in language order.
// It takes three grouped counts, each over an index alone: everyone of
// the languages by status and pause, the active ones who chose a topic,
// and the active ones on the suppression list all the same.
func (s *DB) SegmentCounts(ctx context.Context, seg Segment) ([]SegmentLang, error) {
	byLang := map[string]*SegmentLang{}
	get := func(lang string) *SegmentLang {
		c := byLang[lang]
		if c == nil {
			c = &SegmentLang{Lang: lang}
			byLang[lang] = c
		}
		return c
	}
	var a sqlArgs
	err := s.eachRow(ctx, `SELECT sb.lang, sb.status, sb.paused, COUNT(*) FROM subscribers sb WHERE `+seg.where(&a, "sb")+`
		GROUP BY sb.lang, sb.status, sb.paused`, a, func(r rowScanner) error {
		var lang, status string
		var paused, n int
		if err := r.Scan(&lang, &status, &paused, &n); err != nil {
			return err
		}
		c := get(lang)
		switch {
		case SuppressedStatus(status):
			c.Suppressed += n
		case status != SubActive:
			c.Pending += n
		case len(seg.Topics) > 0:
			c.NoTopic += n // until the topic count below
		case paused != 0:
			c.Paused += n
		default:
			c.Reached += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(seg.Topics) > 0 {
		a = nil
		err := s.eachRow(ctx, `SELECT t.lang, t.paused, COUNT(DISTINCT t.address) FROM subscriber_topics t WHERE `+seg.where(&a, "t")+`
			AND t.topic IN (`+a.list(seg.Topics)+`) AND t.status = 'active' GROUP BY t.lang, t.paused`, a, func(r rowScanner) error {
			var lang string
			var paused, n int
			if err := r.Scan(&lang, &paused, &n); err != nil {
				return err
			}
			c := get(lang)
			c.NoTopic -= n
			if paused != 0 {
				c.Paused += n
			} else {
				c.Reached += n
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	a = nil
	topical := `1`
	if len(seg.Topics) > 0 {
		topical = `CASE WHEN ` + seg.topical(&a) + ` THEN 1 ELSE 0 END`
	}
	err = s.eachRow(ctx, `SELECT sb.lang, sb.paused, `+topical+`, COUNT(*) FROM suppressions x
		JOIN subscribers sb ON sb.brand_id = x.brand_id AND sb.address = x.address
		WHERE `+seg.where(&a, "sb")+` AND sb.status = 'active' GROUP BY 1, 2, 3`, a, func(r rowScanner) error {
		var lang string
		var paused, topic, n int
		if err := r.Scan(&lang, &paused, &topic, &n); err != nil {
			return err
		}
		c := get(lang)
		c.Suppressed += n
		switch {
		case topic == 0:
			c.NoTopic -= n
		case paused != 0:
			c.Paused -= n
		default:
			c.Reached -= n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]SegmentLang, 0, len(byLang))
	for _, c := range byLang {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(x, y SegmentLang) int { return strings.Compare(x.Lang, y.Lang) })
	return out, nil
}

// eachRow runs a query on the readers and hands fn every row.
func (s *DB) eachRow(ctx context.Context, q string, args []any, fn func(rowScanner) error) error {
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return fmt.Errorf("store: segment: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("store: segment: %w", err)
		}
	}
	return rows.Err()
}

// Translations returns the other items of an item's brand with its
// content id: its translations, in language order.
func (s *DB) Translations(ctx context.Context, itemID string) ([]Item, error) {
	rows, err := s.query(ctx, s.db, itemSelect+` WHERE (brand_id, content_id) IN (SELECT brand_id, content_id FROM items WHERE id = $1)
		AND id <> $1 ORDER BY lang`, itemID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return scanItems(rows)
}

// addSegment puts the subscribers of seg on delivery d's list, leaving
// out anyone already on the list of another delivery of the same
// publication or of any delivery of a translation of the item: nobody
// gets one email twice, or in two languages.
func (s *DB) addSegment(ctx context.Context, tx *sql.Tx, d *Delivery, seg Segment) error {
	if s.dialect == postgres {
		// Deliveries of one publication make their lists one at a time.
		var one int
		err := s.queryRow(ctx, tx, `SELECT 1 FROM publications WHERE item_id = $1 AND version = $2`+s.forUpdate(), d.ItemID, d.Version).Scan(&one)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("store: %w", err)
		}
	}
	a := sqlArgs{d.ID, DelPending, s.now(), d.ItemID, d.Version}
	q := `INSERT INTO delivery_recipients (delivery_id, address, status, updated_at)
		SELECT $1, sb.address, $2, $3 FROM subscribers sb WHERE ` + seg.reached(&a) + `
		AND NOT EXISTS (SELECT 1 FROM deliveries d2 JOIN delivery_recipients r2 ON r2.delivery_id = d2.id AND r2.address = sb.address
			WHERE d2.id <> $1 AND ((d2.item_id = $4 AND d2.version = $5) OR d2.item_id IN (SELECT i2.id FROM items i1
				JOIN items i2 ON i2.brand_id = i1.brand_id AND i2.content_id = i1.content_id AND i2.id <> i1.id WHERE i1.id = $4)))`
	if _, err := s.exec(ctx, tx, q, a...); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
