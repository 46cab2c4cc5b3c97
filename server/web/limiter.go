package web

import (
	"container/list"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// KeyedLimiter is a token bucket per key, at most max keys, the least
// recently used forgotten first. Outsiders choose the keys (client
// addresses, user names), so the cap bounds its memory.
type KeyedLimiter struct {
	every time.Duration
	burst int
	max   int

	mu    sync.Mutex
	keys  map[string]*list.Element // of *bucket
	order *list.List               // most recently used first
}

type bucket struct {
	key string
	lim *rate.Limiter
}

// NewKeyedLimiter makes a limiter refilling one token every every, up
// to burst, for at most limit keys.
func NewKeyedLimiter(every time.Duration, burst, limit int) *KeyedLimiter {
	return &KeyedLimiter{every: every, burst: burst, max: limit, keys: map[string]*list.Element{}, order: list.New()}
}

// Take takes a token from key's bucket, telling whether it had one.
func (l *KeyedLimiter) Take(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get(key).AllowN(now, 1)
}

// Ready tells whether key's bucket has a token, without taking it.
func (l *KeyedLimiter) Ready(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.keys[key]
	return !ok || e.Value.(*bucket).lim.TokensAt(now) >= 1
}

// Seen tells whether key has a bucket.
func (l *KeyedLimiter) Seen(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.keys[key]
	return ok
}

// Forget drops key's bucket.
func (l *KeyedLimiter) Forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		l.order.Remove(e)
		delete(l.keys, key)
	}
}

// Size is how many keys have a bucket.
func (l *KeyedLimiter) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// get returns key's limiter, making it (and evicting the oldest past
// max) when missing. l.mu is held.
func (l *KeyedLimiter) get(key string) *rate.Limiter {
	if e, ok := l.keys[key]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*bucket).lim
	}
	for len(l.keys) >= l.max {
		old := l.order.Back()
		l.order.Remove(old)
		delete(l.keys, old.Value.(*bucket).key)
	}
	b := &bucket{key: key, lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
	l.keys[key] = l.order.PushFront(b)
	return b.lim
}

// ClientHost is the request's network address without its port, for rate
// limits and hashed consent records. Forwarded headers are not trusted:
// anyone can send them.
func ClientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
