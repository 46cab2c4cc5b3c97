package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Event is one line of the audit log: who did what to which item version.
type Event struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Kind    string    `json:"kind"`
	ItemID  string    `json:"item_id,omitempty"`
	Version int       `json:"version,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

func (s *DB) addEvent(ctx context.Context, tx *sql.Tx, e Event) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	_, err := s.exec(ctx, tx, `INSERT INTO events (at, actor, kind, item_id, version, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At, e.Actor, e.Kind, e.ItemID, e.Version, e.Detail)
	if err != nil {
		return fmt.Errorf("store: insert event: %w", err)
	}
	return nil
}

// AddEvent appends to the audit log.
func (s *DB) AddEvent(ctx context.Context, e Event) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.addEvent(ctx, tx, e) })
}

// Events returns an item's audit log, oldest first; an empty itemID
// returns the most recent events of all items.
func (s *DB) Events(ctx context.Context, itemID string, limit int) ([]Event, error) {
	if limit <= 0 {
		limit = 200
	}
	var rows *sql.Rows
	var err error
	if itemID != "" {
		rows, err = s.query(ctx, s.db, `SELECT id, at, actor, kind, item_id, version, detail FROM events WHERE item_id = $1 ORDER BY id LIMIT $2`, itemID, limit)
	} else {
		rows, err = s.query(ctx, s.db, `SELECT id, at, actor, kind, item_id, version, detail FROM events ORDER BY id DESC LIMIT $1`, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Kind, &e.ItemID, &e.Version, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
