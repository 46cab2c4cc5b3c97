package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/crosscast/crosscast/store"
)

type ctxKey int

const (
	tokenKey ctxKey = iota
	userKey
)

// The editor's session cookie.
const (
	SessionCookie = "cc_session"
	SessionTTL    = 12 * time.Hour
)

// Auth checks API tokens and editor sessions against the store.
type Auth struct {
	db    *store.DB
	onErr ErrorFunc
}

// NewAuth returns the checks; onErr writes the errors of token auth.
func NewAuth(db *store.DB, onErr ErrorFunc) *Auth { return &Auth{db: db, onErr: onErr} }

// Token lets a request through when it carries an API token whose role
// is at least role.
func (a *Auth) Token(role string, h Handler) http.Handler {
	return Wrap(func(w http.ResponseWriter, r *http.Request) error {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return ErrUnauthorized
		}
		tok, err := a.authorize(r.Context(), strings.TrimSpace(secret), role)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), tokenKey, tok)))
	}, a.onErr)
}

// Browser is Token for pages a browser opens (the queue monitor): the
// token goes in as the password of HTTP Basic auth, which browsers ask
// for themselves.
func (a *Auth) Browser(role string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, secret, ok := r.BasicAuth()
		if !ok {
			if b, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found {
				secret, ok = strings.TrimSpace(b), true
			}
		}
		var err error = ErrUnauthorized
		if ok {
			_, err = a.authorize(r.Context(), secret, role)
		}
		if err != nil {
			if errors.Is(err, ErrUnauthorized) {
				w.Header().Set("WWW-Authenticate", `Basic realm="crosscast admin (any user name, an admin API token as password)"`)
				http.Error(w, "an admin API token is needed", http.StatusUnauthorized)
				return
			}
			a.onErr(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (a *Auth) authorize(ctx context.Context, secret, role string) (*store.Token, error) {
	tok, err := a.db.TokenBySecret(ctx, secret)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if !store.RoleAtLeast(tok.Role, role) {
		return nil, ErrForbidden
	}
	return tok, nil
}

// SessionUser is the user whose live session the request's cookie
// names; store.ErrNotFound without one.
func (a *Auth) SessionUser(r *http.Request) (*store.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return a.db.SessionUser(r.Context(), c.Value)
}

// WithUser returns ctx carrying the signed-in user.
func WithUser(ctx context.Context, u *store.User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// CurrentUser is the request's signed-in user, or nil.
func CurrentUser(r *http.Request) *store.User {
	u, _ := r.Context().Value(userKey).(*store.User)
	return u
}

// Role is the role of whoever made the request: its API token's, else
// its signed-in user's.
func Role(r *http.Request) string {
	if t, ok := r.Context().Value(tokenKey).(*store.Token); ok {
		return t.Role
	}
	if u := CurrentUser(r); u != nil {
		return u.Role
	}
	return store.RoleWriter // never reached: every submitting route is signed in
}

// Actor names who made the request, for the audit log. A writer token
// owns the items it starts, under its name ("token:NAME"): an admin
// names tokens, so a token made again under the same name (a rotated
// secret) keeps them.
func Actor(r *http.Request) string {
	if t, ok := r.Context().Value(tokenKey).(*store.Token); ok {
		return "token:" + t.Name
	}
	if u := CurrentUser(r); u != nil {
		return "user:" + u.Name
	}
	return "anonymous"
}

// Secure tells whether the browser reached us over TLS, directly or
// through a proxy that says so.
func Secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// SetSession sets (or, with a negative ttl, clears) the session cookie.
func SetSession(w http.ResponseWriter, r *http.Request, secret string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: Secure(r), SameSite: http.SameSiteLaxMode,
	})
}
