package testenv

import (
	"sync"
	"testing"
)

// Shared is a value made once per test binary, such as a renderer whose
// image cache every test should reuse.
type Shared[T any] struct {
	once sync.Once
	v    T
	err  error
}

// Get returns the value, made by mk on first use; a failure to make it
// fails every test that asks.
func (s *Shared[T]) Get(t testing.TB, mk func() (T, error)) T {
	t.Helper()
	s.once.Do(func() { s.v, s.err = mk() })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.v
}
