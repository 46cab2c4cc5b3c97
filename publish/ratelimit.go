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
