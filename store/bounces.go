package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DelBounced is a recipient whose message came back as a bounce or a
// complaint after it was sent (recipients only).
const DelBounced = "bounced"

// AddSoftBounce records a soft bounce of an address, keyed by event (a
// report seen twice counts once), and forgets that address's soft
// bounces from before since: the policy window no longer counts them. It
// returns whether the event was new and the times of the address's other
// soft bounces still kept.
func (s *DB) AddSoftBounce(ctx context.Context, brandID, address, event string, at, since time.Time) (bool, []time.Time, error) {
	addr := normAddress(address)
	var added bool
	var earlier []time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		added, earlier = false, nil
		if _, err := s.exec(ctx, tx, `DELETE FROM soft_bounces WHERE brand_id = $1 AND address = $2 AND at < $3`, brandID, addr, since.UTC()); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		res, err := s.exec(ctx, tx, `INSERT INTO soft_bounces (brand_id, address, event_key, at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (brand_id, address, event_key) DO NOTHING`, brandID, addr, event, at.UTC())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		added = n > 0
		rows, err := s.query(ctx, tx, `SELECT at FROM soft_bounces WHERE brand_id = $1 AND address = $2 AND event_key <> $3`, brandID, addr, event)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var t time.Time
			if err := rows.Scan(&t); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			earlier = append(earlier, t.UTC())
		}
		return rows.Err()
	})
	return added, earlier, err
}

// PruneSoftBounces forgets every soft bounce from before since, and
// returns how many.
func (s *DB) PruneSoftBounces(ctx context.Context, since time.Time) (int64, error) {
	res, err := s.exec(ctx, s.db, `DELETE FROM soft_bounces WHERE at < $1`, since.UTC())
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return res.RowsAffected()
}

// SoftBounceCount is how many soft bounces of an address are kept.
func (s *DB) SoftBounceCount(ctx context.Context, brandID, address string) (int, error) {
	var n int
	err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM soft_bounces WHERE brand_id = $1 AND address = $2`, brandID, normAddress(address)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}

// MarkBounced marks as bounced the address's row in each of the brand's
// deliveries whose key hash starts with keyHashPrefix (what a VERP token
// carries; see KeyHash), with errText as its error, and returns how many
// rows it marked. A row marked already is left as it is.
func (s *DB) MarkBounced(ctx context.Context, brandID, keyHashPrefix, address, errText string) (int, error) {
	addr := normAddress(address)
	rows, err := s.query(ctx, s.db, `SELECT d.id, d.idempotency_key FROM deliveries d JOIN delivery_recipients r ON r.delivery_id = d.id
		WHERE d.brand_id = $1 AND r.address = $2 AND r.status <> $3`, brandID, addr, DelBounced)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: %w", err)
		}
		// The hash is not stored: a recipient has few deliveries, so
		// hashing their keys here is cheap.
		if h := KeyHash(key); keyHashPrefix != "" && len(keyHashPrefix) <= len(h) && h[:len(keyHashPrefix)] == keyHashPrefix {
			ids = append(ids, id)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	n := 0
	for _, id := range ids {
		res, err := s.exec(ctx, s.db, `UPDATE delivery_recipients SET status = $3, error = $4, updated_at = $5
			WHERE delivery_id = $1 AND address = $2 AND status <> $3`, id, addr, DelBounced, errText, s.now())
		if err != nil {
			return n, fmt.Errorf("store: %w", err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// SubscriberBrands lists the brands an address is a subscriber of: an
// ESP's event that names no brand applies to each.
func (s *DB) SubscriberBrands(ctx context.Context, address string) ([]string, error) {
	rows, err := s.query(ctx, s.db, `SELECT brand_id FROM subscribers WHERE address = $1 ORDER BY brand_id`, normAddress(address))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
