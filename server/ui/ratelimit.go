package ui

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter slows password guessing without letting a guesser lock
// the real user out. Every attempt costs the client address a token;
// only failures cost the (user, client) pair and the user a token, and
// the user's bucket stops only clients that already failed for that
// user. So 50 failures from address A for admin stop A, while admin
// signing in from B with the right password goes through at once. It is
// per process: behind a load balancer each web node allows its own
// share, which still bounds guessing to a few tries a minute.
type loginLimiter struct {
	client *keyedLimiter // every attempt, per client address
	pair   *keyedLimiter // failures, per user and client address
	user   *keyedLimiter // failures, per user, from any client
}

// maxKeys bounds each limiter's memory: addresses and user names come
// from outside, so past it the least recently seen key is forgotten.
const maxKeys = 10000

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{
		client: newKeyedLimiter(3*time.Second, 20, maxKeys),
		pair:   newKeyedLimiter(30*time.Second, 5, maxKeys),
		user:   newKeyedLimiter(6*time.Second, 20, maxKeys),
	}
}

// allow tells whether client may try to sign in as user now.
func (l *loginLimiter) allow(client, user string, now time.Time) bool {
	if !l.client.take(client, now) {
		return false
	}
	pair := user + "\x00" + client
	if !l.pair.seen(pair) {
		return true // this client never failed for this user
	}
	return l.pair.ready(pair, now) && l.user.ready(user, now)
}

// failed records a wrong password.
func (l *loginLimiter) failed(client, user string, now time.Time) {
	l.pair.take(user+"\x00"+client, now)
	l.user.take(user, now)
}

// succeeded clears the pair's failures.
func (l *loginLimiter) succeeded(client, user string) {
	l.pair.forget(user + "\x00" + client)
}

// keyedLimiter is a token bucket per key, at most max keys, the least
// recently used forgotten first.
type keyedLimiter struct {
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

func newKeyedLimiter(every time.Duration, burst, limit int) *keyedLimiter {
	return &keyedLimiter{every: every, burst: burst, max: limit, keys: map[string]*list.Element{}, order: list.New()}
}

// take takes a token from key's bucket, telling whether it had one.
func (l *keyedLimiter) take(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get(key).AllowN(now, 1)
}

// ready tells whether key's bucket has a token, without taking it.
func (l *keyedLimiter) ready(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.keys[key]
	return !ok || e.Value.(*bucket).lim.TokensAt(now) >= 1
}

// seen tells whether key has a bucket.
func (l *keyedLimiter) seen(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.keys[key]
	return ok
}

func (l *keyedLimiter) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		l.order.Remove(e)
		delete(l.keys, key)
	}
}

func (l *keyedLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// get returns key's limiter, making it (and evicting the oldest past
// max) when missing. l.mu is held.
func (l *keyedLimiter) get(key string) *rate.Limiter {
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
