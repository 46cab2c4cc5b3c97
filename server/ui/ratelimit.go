package ui

import (
	"time"

	"github.com/crosscast/crosscast/server/web"
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
	client *web.KeyedLimiter // every attempt, per client address
	pair   *web.KeyedLimiter // failures, per user and client address
	user   *web.KeyedLimiter // failures, per user, from any client
}

// maxKeys bounds each limiter's memory: addresses and user names come
// from outside, so past it the least recently seen key is forgotten.
const maxKeys = 10000

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{
		client: web.NewKeyedLimiter(3*time.Second, 20, maxKeys),
		pair:   web.NewKeyedLimiter(30*time.Second, 5, maxKeys),
		user:   web.NewKeyedLimiter(6*time.Second, 20, maxKeys),
	}
}

// allow tells whether client may try to sign in as user now.
func (l *loginLimiter) allow(client, user string, now time.Time) bool {
	if !l.client.Take(client, now) {
		return false
	}
	pair := user + "\x00" + client
	if !l.pair.Seen(pair) {
		return true // this client never failed for this user
	}
	return l.pair.Ready(pair, now) && l.user.Ready(user, now)
}

// failed records a wrong password.
func (l *loginLimiter) failed(client, user string, now time.Time) {
	l.pair.Take(user+"\x00"+client, now)
	l.user.Take(user, now)
}

// succeeded clears the pair's failures.
func (l *loginLimiter) succeeded(client, user string) {
	l.pair.Forget(user + "\x00" + client)
}
