// Package store keeps everything crosscast knows: items and their
// versions, brand kit versions, assets by content hash and image
// derivatives, renderings and brand indexes, the outbox of work to
// enqueue, publications and the delivery ledger, subscribers, tracked
// links, editor users and their sessions, API tokens and the audit log.
// It is the source of truth; Redis only carries work.
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
//
// On SQLite, writes take turns on wmu (a queue in Go, first come first
// served) instead of all holding pool connections while they spin on
// SQLite's lock until busy_timeout gives up; reads use rdb, a pool of
// read-only connections that WAL lets run beside the writer, so /healthz
// and the pages stay quick under a burst of submissions. On PostgreSQL
// rdb is db and wmu is nil: nothing changes there.
type DB struct {
	db      *sql.DB       // writes, transactions, and any caller that names s.db directly
	rdb     *sql.DB       // reads outside a transaction
	wmu     chan struct{} // SQLite: held by the one write under way
	dialect dialect
	now     func() time.Time
	// dummyHash is the bcrypt hash a login for an unknown user is
	// checked against (see newDummyHash), made once, when first needed.
	dummyHash func() []byte
	// migrateUpTo stops Migrate after that version (tests of a
	// migration's data); 0 applies all.
	migrateUpTo int
	stmts       sync.Map // SQL text → *sql.Stmt prepared on db
	rstmts      sync.Map // SQL text → *sql.Stmt prepared on rdb (SQLite only)
}

// Open connects to dsn: a postgres:// URL, or else a SQLite file path
// (an optional "sqlite:" prefix is dropped). The SQLite file's folder is
// created if missing. Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	s := &DB{
		now:       func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		dummyHash: sync.OnceValue(newDummyHash),
	}
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
		// WAL lets readers work while the writer commits. Immediate
		// transactions take the write lock up front; busy_timeout covers
		// other processes on the same file (a CLI command, a separate
		// worker), since in this process only the one writer connection
		// writes.
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(ON)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		// The writer keeps its temporary files in memory: a statement
		// journal that outgrows SQLite's 64 KiB (a multi-row insert into
		// indexed tables does) is otherwise a file opened, written and
		// closed for each statement. Each holds about the pages one
		// statement changes, or sorts; readers' large sorts stay on disk.
		s.db, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode()+"&_pragma=temp_store%28MEMORY%29")
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		// One connection for the write under way, one to prepare
		// statements while it holds the first.
		s.db.SetMaxOpenConns(2)
		s.wmu = make(chan struct{}, 1)
		// The readers refuse writes (query_only), so a write sent to
		// them by mistake fails loudly instead of racing the writer.
		q.Add("_pragma", "query_only(1)")
		q.Del("_txlock")
		s.rdb, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			s.db.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		s.rdb.SetMaxOpenConns(8)
	}
	if s.rdb == nil {
		s.rdb = s.db
	}
	// The writer first: it creates the file and sets WAL mode.
	for _, d := range []*sql.DB{s.db, s.rdb} {
		if err := d.PingContext(ctx); err != nil {
			s.closeDBs()
			return nil, fmt.Errorf("store: connect: %w", err)
		}
	}
	return s, nil
}

// Close closes the kept statements and the connections.
func (s *DB) Close() error {
	for _, m := range []*sync.Map{&s.stmts, &s.rstmts} {
		m.Range(func(_, v any) bool {
			v.(*sql.Stmt).Close()
			return true
		})
	}
	return s.closeDBs()
}

func (s *DB) closeDBs() error {
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// Ping checks the database answers reads; on SQLite it does not wait
// for the writer's queue.
func (s *DB) Ping(ctx context.Context) error { return s.rdb.PingContext(ctx) }

// Kind names the back end, for logs.
func (s *DB) Kind() string {
	if s.dialect == postgres {
		return "postgres"
	}
	return "sqlite"
}

// Every query is written once with PostgreSQL's numbered placeholders,
// $1, $2, …, and runs unchanged on both back ends: SQLite reads $1 as a
// parameter named "1", which modernc.org/sqlite binds to the first
// argument (TestPlaceholders holds it to that). Nothing rewrites SQL.
//
// The helpers below run every query through a prepared statement kept
// for the life of the DB: SQLite otherwise parses the SQL text again on
// every call, which profiles showed as a sixth of a text render's cost.
// pgx caches its own statements, so on PostgreSQL this only saves a map
// lookup there.

func (s *DB) stmt(ctx context.Context, x execer, query string) (*sql.Stmt, error) {
	pool, cache := s.db, &s.stmts
	if x == s.db && s.rdb != s.db && isRead(query) {
		pool, cache = s.rdb, &s.rstmts
	}
	v, ok := cache.Load(query)
	if !ok {
		st, err := pool.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		var loaded bool
		if v, loaded = cache.LoadOrStore(query, st); loaded {
			st.Close()
		}
	}
	st := v.(*sql.Stmt)
	if tx, ok := x.(*sql.Tx); ok {
		return tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

// direct reports whether a statement on x runs without a kept statement:
// inside a PostgreSQL transaction. Preparing on the pool there needs a
// second connection (with every connection held by a transaction doing
// that, the pool deadlocked), and a statement prepared on the
// transaction is prepared and deallocated again in every transaction,
// two more round trips each; pgx keeps its own statements per
// connection, by SQL text, which a direct call uses.
func (s *DB) direct(x execer) bool {
	_, tx := x.(*sql.Tx)
	return tx && s.dialect == postgres
}

// isRead tells a statement that only reads (a SELECT) from one that may
// write (INSERT … RETURNING through queryRow included), which goes to
// the writer.
func isRead(query string) bool {
	q := strings.TrimSpace(query)
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

func (s *DB) exec(ctx context.Context, x execer, query string, args ...any) (sql.Result, error) {
	if x == s.db {
		unlock, err := s.lockWrite(ctx)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if s.direct(x) {
		res, err := x.ExecContext(ctx, query, args...)
		return res, classify(err)
	}
	st, err := s.stmt(ctx, x, query)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(ctx, args...)
	return res, classify(err)
}

// lockWrite waits for SQLite's turn to write (no-op on PostgreSQL) and
// returns the function that ends it.
func (s *DB) lockWrite(ctx context.Context) (func(), error) {
	if s.wmu == nil {
		return func() {}, nil
	}
	select {
	case s.wmu <- struct{}{}:
		return func() { <-s.wmu }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("store: waiting to write: %w", ctx.Err())
	}
}

func (s *DB) query(ctx context.Context, x execer, query string, args ...any) (*sql.Rows, error) {
	if s.direct(x) {
		return x.QueryContext(ctx, query, args...)
	}
	st, err := s.stmt(ctx, x, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryStrings runs a query that returns one text column.
func (s *DB) queryStrings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := s.query(ctx, tx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// queryRow is QueryRow through a kept statement; a failure to prepare
// surfaces from Scan, as QueryRow's own errors do.
func (s *DB) queryRow(ctx context.Context, x execer, query string, args ...any) rowScanner {
	if x == s.db && !isRead(query) {
		// INSERT … RETURNING outside a transaction: a write, whose turn
		// ends once its row is read.
		unlock, err := s.lockWrite(ctx)
		if err != nil {
			return errRow{err}
		}
		st, err := s.stmt(ctx, x, query)
		if err != nil {
			unlock()
			return errRow{err}
		}
		return unlockingRow{st.QueryRowContext(ctx, args...), unlock}
	}
	if s.direct(x) {
		return x.QueryRowContext(ctx, query, args...)
	}
	st, err := s.stmt(ctx, x, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type unlockingRow struct {
	row    *sql.Row
	unlock func()
}

func (r unlockingRow) Scan(dest ...any) error {
	defer r.unlock()
	return classify(r.row.Scan(dest...))
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

// errLostRace is returned by a transaction whose INSERT … ON CONFLICT DO
// NOTHING found that a concurrent transaction had just added the row it
// meant to add (on PostgreSQL the insert waits for that one to commit):
// run again, the transaction finds the row and takes the path for an
// existing one, as if it had come second.
var errLostRace = errors.New("store: lost a race to add a row; try again")

// tx runs fn in a transaction, committing when it returns nil. A
// serialization failure, deadlock, busy database or lost race is retried
// a few times: the callers' transactions are short and safe to repeat.
// A unique violation is not retried but returned as a conflict
// (ErrConflict): running again would meet the same row, and callers that
// expect to race for a row say so with ON CONFLICT and errLostRace.
func (s *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := classify(s.tx1(ctx, fn))
		if err == nil || attempt >= 4 || !(retryable(err) || errors.Is(err, errLostRace)) {
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
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
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
