package ui

import (
	"context"
	"fmt"
	"github.com/crosscast/crosscast/server/web"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// A guesser failing 50 times for admin from one address neither lets
// them keep guessing nor keeps admin, from another address with the
// right password, out.
func TestFailedLoginsDoNotLockOutTheUser(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	s := http.NewServeMux()
	New(Config{Store: e.DB, Service: e.Service}).Register(s)
	const password = "correct horse battery"
	if _, _, err := e.DB.CreateUser(context.Background(), "admin", store.RoleAdmin, password); err != nil {
		t.Fatal(err)
	}
	login := func(addr, pw string) int {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"name": {"admin"}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = addr + ":40000"
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	limited := 0
	for range 50 {
		if login("203.0.113.7", "guess-guess-guess") == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 40 {
		t.Errorf("only %d of 50 wrong passwords from one address were rate limited", limited)
	}
	if code := login("198.51.100.2", password); code != http.StatusSeeOther {
		t.Errorf("admin from another address with the right password: %d, want 303", code)
	}
	if code := login("203.0.113.7", password); code != http.StatusTooManyRequests {
		t.Errorf("the guessing address with the right password: %d, want 429", code)
	}
}

// Outsiders choose the keys (addresses, user names): the limiter keeps
// at most its cap, forgetting the least recently seen.
func TestLoginLimiterIsBounded(t *testing.T) {
	l := web.NewKeyedLimiter(time.Second, 1, 100)
	now := time.Now()
	if !l.Take("first", now) || l.Take("first", now) {
		t.Fatal("a burst of one allows one")
	}
	for i := range 1000 {
		l.Take(fmt.Sprint("k", i), now)
		if n := l.Size(); n > 100 {
			t.Fatalf("%d keys kept, cap 100", n)
		}
	}
	if l.Seen("first") {
		t.Error("the oldest key was kept")
	}
	ll := newLoginLimiter()
	for i := range 3 * maxKeys {
		ll.failed(fmt.Sprint("10.0.", i/250, ".", i%250), fmt.Sprint("user", i), now)
	}
	if ll.pair.Size() > maxKeys || ll.user.Size() > maxKeys {
		t.Errorf("limiter maps: %d pairs, %d users (cap %d)", ll.pair.Size(), ll.user.Size(), maxKeys)
	}
}
