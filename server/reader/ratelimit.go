package reader

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per client address. Addresses come from
// outside, so it holds at most max of them: when full it starts afresh,
// which at worst lets a flood of new addresses each have a few more
// tries, and never grows memory.
type limiter struct {
	every time.Duration
	burst int
	max   int

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

func newLimiter(every time.Duration, burst, max int) *limiter {
	return &limiter{every: every, burst: burst, max: max, keys: map[string]*rate.Limiter{}}
}

// allow takes a token of key's bucket, reporting whether there was one.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.keys[key]
	if !ok {
		if len(l.keys) >= l.max {
			clear(l.keys)
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.keys[key] = lim
	}
	return lim.AllowN(now, 1)
}
