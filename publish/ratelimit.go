package publish

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

// Limiter paces messages: Wait returns when one message under key may
// go out at perSecond. A limiter shared by every worker process (the
// worker's Redis bucket) holds a target's rate across them all. An
// error (ctx ended, the shared bucket unreachable) means the message
// must not go out now; the ledger keeps it pending for a later run.
type Limiter interface {
	Wait(ctx context.Context, key string, perSecond float64) error
}

// LocalLimiter is a Limiter for one process, for a worker without a
// shared one: every process then sends at the full rate.
type LocalLimiter struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// maxLocalKeys bounds the limiters kept (one per target and domain).
const maxLocalKeys = 10_000

// Wait waits for key's limiter, made at perSecond on first use.
func (l *LocalLimiter) Wait(ctx context.Context, key string, perSecond float64) error {
	l.mu.Lock()
	if l.m == nil || len(l.m) >= maxLocalKeys {
		l.m = map[string]*rate.Limiter{}
	}
	lim, ok := l.m[key]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(perSecond), 1)
		l.m[key] = lim
	} else if lim.Limit() != rate.Limit(perSecond) {
		lim.SetLimit(rate.Limit(perSecond))
	}
	l.mu.Unlock()
	return lim.Wait(ctx)
}

// Allowance hands out a daily cap shared by every worker process (a
// target's warm-up schedule). Take reserves up to want of the limit
// messages key may send on day (a UTC date, 2026-12-01), less those
// already taken that day, and returns how many it got: 0 when the day's
// limit is used up. Give hands back n taken but surely not sent. An error
// means the messages must not go out now; the ledger keeps them pending
// for a later run.
type Allowance interface {
	Take(ctx context.Context, key, day string, limit, want int) (int, error)
	Give(ctx context.Context, key, day string, n int) error
}

// LocalAllowance is an Allowance for one process, for a worker without a
// shared one: every process then sends the full daily cap.
type LocalAllowance struct {
	mu sync.Mutex
	m  map[string]dayCount // by key: one entry per target
}

type dayCount struct {
	day  string
	used int
}

// Take reserves up to want of day's limit for key.
func (a *LocalAllowance) Take(_ context.Context, key, day string, limit, want int) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]dayCount{}
	}
	c := a.m[key]
	switch {
	case day > c.day: // dates compare as strings
		c = dayCount{day: day}
	case day < c.day:
		// A run whose clock is behind another's: its day is over here.
		return 0, nil
	}
	got := max(min(want, limit-c.used), 0)
	c.used += got
	a.m[key] = c
	return got, nil
}

// Give hands back n of day's messages for key.
func (a *LocalAllowance) Give(_ context.Context, key, day string, n int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.m[key]; ok && c.day == day {
		c.used = max(c.used-n, 0)
		a.m[key] = c
	}
	return nil
}
