package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the schema up to date. It bypasses the statement cache:
// its statements name tables that may not exist yet. Several processes may start at
// once; they take turns (an advisory lock on PostgreSQL, the write lock
// on SQLite) and each migration is applied once, in its own transaction.
func (s *DB) Migrate(ctx context.Context) (applied []string, err error) {
	dir := "migrations/sqlite"
	if s.dialect == postgres {
		dir = "migrations/postgres"
	}
	names, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	if err := s.incrementalVacuum(ctx); err != nil {
		return nil, err
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`
	for _, name := range names {
		base := path.Base(name)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return applied, fmt.Errorf("store: migration %s: name must start with a number", base)
		}
		if s.migrateUpTo > 0 && n > s.migrateUpTo {
			break
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return applied, err
		}
		did := false
		err = s.tx1(ctx, func(tx *sql.Tx) error {
			if s.dialect == postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7301)`); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, create); err != nil {
				return err
			}
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM schema_migrations WHERE version = $1`, n).Scan(&one)
			if err == nil {
				return nil
			}
			if err != sql.ErrNoRows {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, n, base); err != nil {
				return err
			}
			did = true
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %s: %w", base, err)
		}
		if did {
			applied = append(applied, base)
		}
	}
	return applied, nil
}

// incrementalVacuum sets a new SQLite file to incremental auto-vacuum, so
// the space garbage collection frees can be given back to the file
// system (CollectGarbage does, a bounded number of pages at a time).
// The mode can only change while the file holds no table, or by a VACUUM
// that rewrites the whole file: an older file keeps its mode (its free
// pages are reused; the README tells how to convert it).
func (s *DB) incrementalVacuum(ctx context.Context) error {
	if s.dialect != sqlite {
		return nil
	}
	conn, err := s.db.Conn(ctx) // the pragma applies to the VACUUM on the same connection
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer conn.Close()
	var tables, mode int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&tables); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if tables > 0 || mode == 2 {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return fmt.Errorf("store: auto_vacuum: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `VACUUM`); err != nil { // an empty file: instant
		return fmt.Errorf("store: auto_vacuum: %w", err)
	}
	return nil
}
