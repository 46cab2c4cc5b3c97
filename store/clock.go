package store

import "time"

// SetClock makes the store stamp what it records with now instead of the
// system clock: for tests that run a fake clock (digest periods) and for
// nothing else. Call it before the store is used by more than one
// goroutine.
func (s *DB) SetClock(now func() time.Time) {
	s.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}
