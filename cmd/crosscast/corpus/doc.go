// Package corpus holds crosscast's bad-input corpus: a test that renders
// some 400 generated hostile or odd items and brand kits with the real
// binary. It is a package of its own so that it has its own test timeout
// and runs beside cmd/crosscast's tests rather than after them.
package corpus
