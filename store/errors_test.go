package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	sqlitedriver "modernc.org/sqlite"

	"github.com/crosscast/crosscast/internal/testenv"
)

// both runs fn against a fresh, migrated database on each back end; it
// is store_test's backends for the tests that need the unexported parts.
func both(t *testing.T, fn func(t *testing.T, s *DB, dsn string)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := testenv.SQLite(t)
			if kind == "postgres" {
				dsn = testenv.Postgres(t)
			}
			ctx := context.Background()
			s, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			fn(t, s, dsn)
		})
	}
}

// driverError tells whether the driver's own error is still inside err.
func driverError(s *DB, err error) bool {
	if s.dialect == postgres {
		_, ok := errors.AsType[*pgconn.PgError](err)
		return ok
	}
	_, ok := errors.AsType[*sqlitedriver.Error](err)
	return ok
}

// A second row with a taken key, added outside a transaction, inside
// one, or by an INSERT … RETURNING, is a conflict the server answers
// with 409, keeps the driver's error, and is not tried again.
func TestUniqueViolationIsConflict(t *testing.T) {
	both(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		const ins = `INSERT INTO settings (name, value) VALUES ($1, $2)`
		if _, err := s.exec(ctx, s.db, ins, "k", "first"); err != nil {
			t.Fatal(err)
		}
		check := func(how string, err error) {
			t.Helper()
			switch {
			case err == nil:
				t.Errorf("%s: a second row with one key was stored", how)
			case !errors.Is(err, ErrConflict):
				t.Errorf("%s: %v is not ErrConflict", how, err)
			case !driverError(s, err):
				t.Errorf("%s: %v lost the driver's error", how, err)
			case retryable(err):
				t.Errorf("%s: %v is called retryable", how, err)
			}
		}

		_, err := s.exec(ctx, s.db, ins, "k", "second")
		check("exec", err)

		runs := 0
		err = s.tx(ctx, func(tx *sql.Tx) error {
			runs++
			if _, err := s.exec(ctx, tx, ins, "k", "third"); err != nil {
				return fmt.Errorf("store: setting: %w", err)
			}
			return nil
		})
		check("tx", err)
		if runs != 1 {
			t.Errorf("the transaction ran %d times, want 1: a unique violation is not retried", runs)
		}

		var name string
		err = s.queryRow(ctx, s.db, ins+` RETURNING name`, "k", "fourth").Scan(&name)
		check("insert returning", err)

		var v string
		if err := s.queryRow(ctx, s.db, `SELECT value FROM settings WHERE name = $1`, "k").Scan(&v); err != nil || v != "first" {
			t.Errorf("the row holds %q, %v; want the first value", v, err)
		}
	})
}

// The errors that may pass if the transaction runs again are told by
// their codes, as the drivers return them from a real database.
func TestRetryableByCode(t *testing.T) {
	both(t, func(t *testing.T, s *DB, dsn string) {
		ctx := context.Background()
		var real []error
		if s.dialect == sqlite {
			real = append(real, realBusy(t, dsn))
		} else {
			real = append(real, realLockNotAvailable(t, dsn), realSerializationFailure(t, dsn))
		}
		for _, err := range real {
			if !retryable(err) || uniqueViolation(err) || errors.Is(classify(err), ErrConflict) {
				t.Errorf("%v: retryable %v, unique %v; want retryable only", err, retryable(err), uniqueViolation(err))
			}
		}

		// tx runs again after each, and after a lost race.
		for _, first := range append(real, &pgconn.PgError{Code: pgDeadlockDetected}, errLostRace) {
			runs := 0
			err := s.tx(ctx, func(*sql.Tx) error {
				runs++
				if runs == 1 {
					return fmt.Errorf("store: %w", first)
				}
				return nil
			})
			if err != nil || runs != 2 {
				t.Errorf("after %v: ran %d times, %v; want twice and success", first, runs, err)
			}
		}
	})
}

// realBusy returns the error SQLite gives a writer while another
// connection holds the write lock and busy_timeout is 0.
func realBusy(t *testing.T, path string) error {
	ctx := context.Background()
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	holder, err := open().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	tx, err := open().BeginTx(ctx, nil)
	if err == nil {
		tx.Rollback()
		t.Fatal("a second immediate transaction began beside the first")
	}
	return err
}

// realLockNotAvailable returns PostgreSQL's error for FOR UPDATE NOWAIT on
// a row another transaction has locked.
func realLockNotAvailable(t *testing.T, dsn string) error {
	ctx := context.Background()
	db := pgPool(t, dsn)
	if _, err := db.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('lock', 'x')`); err != nil {
		t.Fatal(err)
	}
	holder, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `SELECT 1 FROM settings WHERE name = 'lock' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `SELECT 1 FROM settings WHERE name = 'lock' FOR UPDATE NOWAIT`)
	if err == nil {
		t.Fatal("a locked row was locked again")
	}
	return err
}

// realSerializationFailure returns PostgreSQL's error for a repeatable-read
// transaction updating a row changed since its snapshot.
func realSerializationFailure(t *testing.T, dsn string) error {
	ctx := context.Background()
	db := pgPool(t, dsn)
	if _, err := db.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('snap', 'x')`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var v string
	if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'snap'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE settings SET value = 'y' WHERE name = 'snap'`); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE settings SET value = 'z' WHERE name = 'snap'`)
	if err == nil {
		t.Fatal("a stale snapshot updated a changed row")
	}
	return err
}

func pgPool(t *testing.T, dsn string) *sql.DB {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Every query is written with $N, which both back ends bind to the Nth
// argument in any order and however often it appears: store.go relies
// on it instead of rewriting the SQL.
func TestPlaceholders(t *testing.T) {
	both(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		if _, err := s.exec(ctx, s.db, `INSERT INTO settings (name, value) VALUES ($2, $1)`, "the value", "the name"); err != nil {
			t.Fatal(err)
		}
		var v string
		var n int
		err := s.queryRow(ctx, s.db, `SELECT value, (SELECT COUNT(*) FROM settings WHERE name = $2 AND value = $1) FROM settings WHERE name = $2`,
			"the value", "the name").Scan(&v, &n)
		if err != nil || v != "the value" || n != 1 {
			t.Errorf("got %q, %d, %v; want the value, 1", v, n, err)
		}
		// A dollar sign inside a literal is left alone.
		if err := s.queryRow(ctx, s.db, `SELECT '$1' || CAST($1 AS TEXT)`, "x").Scan(&v); err != nil || v != "$1x" {
			t.Errorf("got %q, %v; want $1x", v, err)
		}
	})
}
