package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func (s *DB) insertOutbox(ctx context.Context, tx *sql.Tx, tasks []Task, now time.Time) ([]Task, error) {
	out := make([]Task, 0, len(tasks))
	for _, t := range tasks {
		var at sql.NullTime
		if !t.ProcessAt.IsZero() {
			at = sql.NullTime{Time: t.ProcessAt.UTC(), Valid: true}
		}
		err := s.queryRow(ctx, tx, `INSERT INTO outbox (task_type, task_id, queue, payload, process_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.Type, t.ID, t.Queue, t.Payload, at, now).Scan(&t.OutboxID)
		if err != nil {
			return nil, fmt.Errorf("store: insert outbox: %w", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// Outbox returns outbox rows written before the cut-off, oldest first.
// The reconciler uses a cut-off a little in the past so it does not race
// the request that is about to enqueue its own rows.
func (s *DB) Outbox(ctx context.Context, before time.Time, limit int) ([]Task, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, task_type, task_id, queue, payload, process_at FROM outbox
		WHERE created_at < $1 ORDER BY id LIMIT $2`, before.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		var at sql.NullTime
		if err := rows.Scan(&t.OutboxID, &t.Type, &t.ID, &t.Queue, &t.Payload, &at); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		t.ProcessAt = at.Time
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteOutbox removes a row whose task is now in the queue.
func (s *DB) DeleteOutbox(ctx context.Context, id int64) error {
	_, err := s.exec(ctx, s.db, `DELETE FROM outbox WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
