package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The drivers' errors are told apart by their codes, never by their
// text, which changes between versions and locales.

// PostgreSQL's SQLSTATE codes the store acts on.
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
	pgUniqueViolation      = "23505"
)

// retryable reports an error after which the whole transaction may run
// again and likely succeed: a PostgreSQL serialization failure, deadlock
// or lock timeout, or SQLite's busy or locked database that outlived
// busy_timeout (another process holding the file). A unique violation
// is not one of them: running again meets the same row.
func retryable(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pe.Code {
		case pgSerializationFailure, pgDeadlockDetected, pgLockNotAvailable:
			return true
		}
		return false
	}
	if se, ok := errors.AsType[*sqlitedriver.Error](err); ok {
		// The low byte is the primary code; the rest says which kind of
		// busy (SQLITE_BUSY_SNAPSHOT, …), which does not matter here.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// uniqueViolation reports an insert or update that would have made a
// second row with the same key.
func uniqueViolation(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == pgUniqueViolation
	}
	if se, ok := errors.AsType[*sqlitedriver.Error](err); ok {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	return false
}

// classify makes a unique violation a conflict: errors.Is(err,
// ErrConflict) holds, so the server answers 409, and the driver's error
// stays reachable with errors.As. Other errors pass unchanged.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrConflict) || !uniqueViolation(err) {
		return err
	}
	return &conflictError{err}
}

// conflictError is a unique violation seen as ErrConflict. Its text is
// the wrapped error's, which already says which key.
type conflictError struct{ err error }

func (e *conflictError) Error() string   { return e.err.Error() }
func (e *conflictError) Unwrap() []error { return []error{ErrConflict, e.err} }
