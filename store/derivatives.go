package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Derivative is a resized image kept for every worker to reuse.
type Derivative struct {
	Name      string
	MediaType string
	Width     int
	Height    int
	Data      []byte
}

// Derivative returns the derivative stored under key.
func (s *DB) Derivative(ctx context.Context, key string) (*Derivative, error) {
	d := &Derivative{}
	err := s.queryRow(ctx, s.db, `SELECT d.name, d.media_type, d.width, d.height, a.data FROM derivatives d
		JOIN assets a ON a.sha256 = d.sha256 WHERE d.key = $1`, key).Scan(&d.Name, &d.MediaType, &d.Width, &d.Height, &d.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("derivative %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return d, nil
}

// PutDerivative stores a derivative under key; the first one stored wins.
func (s *DB) PutDerivative(ctx context.Context, key string, d Derivative) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		sha, err := s.putBlob(ctx, tx, d.Data)
		if err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `INSERT INTO derivatives (key, name, media_type, width, height, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING`, key, d.Name, d.MediaType, d.Width, d.Height, sha, s.now())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}
