// Package store keeps everything crosscast knows: items and their
// versions, assets by content hash, renderings, the outbox of work to
// enqueue, the delivery ledger, API tokens and the audit log. It is the
// source of truth; Redis only carries work.
//
// Two back ends share one implementation through database/sql: SQLite
// (modernc.org/sqlite, pure Go, WAL) as the embedded default and
// PostgreSQL (pgx) for installations with many worker machines.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Errors callers map to responses.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict is a request the current state does not allow, such as
	// cancelling a publication that has started.
	ErrConflict = errors.New("conflict")
	// ErrInvalid is a value the store refuses, such as a short password.
	ErrInvalid = errors.New("invalid")
	// ErrForbidden is an action the actor's role or ownership does not
	// allow, such as a writer changing another writer's item.
	ErrForbidden = errors.New("forbidden")
)

type dialect int

const (
	sqlite dialect = iota
	postgres
)

// DB is a store. It is safe for concurrent use.
type DB struct {
	db      *sql.DB
	dialect dialect
	now     func() time.Time
	stmts   sync.Map // SQL text → *sql.Stmt
}

// Open connects to dsn: a postgres:// URL, or else a SQLite file path
// (an optional "sqlite:" prefix is dropped). The SQLite file's folder is
// created if missing. Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	s := &DB{now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = postgres
		s.db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		s.db.SetMaxOpenConns(16)
		s.db.SetMaxIdleConns(8)
	default:
		s.dialect = sqlite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("store: empty database path")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		// WAL lets readers work while a writer commits; immediate
		// transactions take the write lock up front, so two writers wait
		// for each other (busy_timeout) instead of failing to upgrade.
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(ON)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		s.db, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		s.db.SetMaxOpenConns(8)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return s, nil
}

// Close closes the kept statements and the connections.
func (s *DB) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// Ping checks the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Kind names the back end, for logs.
func (s *DB) Kind() string {
	if s.dialect == postgres {
		return "postgres"
	}
	return "sqlite"
}

// q adapts a query written with PostgreSQL's $N placeholders to the
// back end: SQLite spells numbered parameters ?N.
func (s *DB) q(query string) string {
	if s.dialect == postgres {
		return query
	}
	return strings.ReplaceAll(query, "$", "?")
}

// The helpers below run every query through a prepared statement kept
// for the life of the DB: SQLite otherwise parses the SQL text again on
// every call, which profiles showed as a sixth of a text render's cost.
// pgx caches its own statements, so on PostgreSQL this only saves a map
// lookup there.

func (s *DB) stmt(ctx context.Context, x execer, query string) (*sql.Stmt, error) {
	q := s.q(query)
	v, ok := s.stmts.Load(q)
	if !ok {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		var loaded bool
		if v, loaded = s.stmts.LoadOrStore(q, st); loaded {
			st.Close()
		}
	}
	st := v.(*sql.Stmt)
	if tx, ok := x.(*sql.Tx); ok {
		return tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

func (s *DB) exec(ctx context.Context, x execer, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, x, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (s *DB) query(ctx context.Context, x execer, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, x, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is QueryRow through a kept statement; a failure to prepare
// surfaces from Scan, as QueryRow's own errors do.
func (s *DB) queryRow(ctx context.Context, x execer, query string, args ...any) rowScanner {
	st, err := s.stmt(ctx, x, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type rowScanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx runs fn in a transaction, committing when it returns nil. A
// serialization failure or deadlock (PostgreSQL) is retried a few times:
// the callers' transactions are short and safe to repeat.
func (s *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.tx1(ctx, fn)
		if err == nil || attempt >= 4 || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
}

func (s *DB) tx1(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// retryable reports PostgreSQL serialization failures, deadlocks and
// unique violations (two first submissions of one item racing), and
// SQLite's busy errors that outlived busy_timeout.
func retryable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 40001") || strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "SQLSTATE 40P01") ||
		strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}
