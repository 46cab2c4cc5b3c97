package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyedLimiter is a token bucket per key (a client address, a user
// name). It is per process: behind a load balancer each web node allows
// its own share, which still bounds guessing to a few tries a minute.
type keyedLimiter struct {
	every time.Duration
	burst int

	mu   sync.Mutex
	keys map[string]*limited
}

type limited struct {
	lim  *rate.Limiter
	seen time.Time
}

func newKeyedLimiter(every time.Duration, burst int) *keyedLimiter {
	return &keyedLimiter{every: every, burst: burst, keys: map[string]*limited{}}
}

// allow takes a token from every key's bucket, and tells whether all
// of them had one.
func (l *keyedLimiter) allow(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.keys) > 10000 {
		for k, v := range l.keys {
			if now.Sub(v.seen) > 10*time.Minute {
				delete(l.keys, k)
			}
		}
	}
	ok := true
	for _, k := range keys {
		e := l.keys[k]
		if e == nil {
			e = &limited{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
			l.keys[k] = e
		}
		e.seen = now
		if !e.lim.AllowN(now, 1) {
			ok = false
		}
	}
	return ok
}
