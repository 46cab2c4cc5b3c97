package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/crosscast/crosscast/store"
)

type ctxKey int

const tokenKey ctxKey = 0

// auth lets a request through when it carries an API token whose role is
// at least role.
func (s *Server) auth(role string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			s.error(w, r, errUnauthorized)
			return
		}
		tok, err := s.authorize(r.Context(), strings.TrimSpace(secret), role)
		if err != nil {
			s.error(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), tokenKey, tok)))
	})
}

// authBrowser is auth for pages a browser opens (the queue monitor): the
// token goes in as the password of HTTP Basic auth, which browsers ask
// for themselves. The editor UI's session login replaces it later.
func (s *Server) authBrowser(role string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, secret, ok := r.BasicAuth()
		if !ok {
			if b, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found {
				secret, ok = strings.TrimSpace(b), true
			}
		}
		var err error = errUnauthorized
		if ok {
			_, err = s.authorize(r.Context(), secret, role)
		}
		if err != nil {
			if errors.Is(err, errUnauthorized) {
				w.Header().Set("WWW-Authenticate", `Basic realm="crosscast admin (any user name, an admin API token as password)"`)
				http.Error(w, "an admin API token is needed", http.StatusUnauthorized)
				return
			}
			s.error(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) authorize(ctx context.Context, secret, role string) (*store.Token, error) {
	tok, err := s.db.TokenBySecret(ctx, secret)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if !store.RoleAtLeast(tok.Role, role) {
		return nil, errForbidden
	}
	return tok, nil
}

// role is the role of whoever made the request: its API token's, else
// its signed-in user's. A writer token owns the items it starts, under
// its name ("token:NAME", as actor says): an admin names tokens, so a
// token made again under the same name (a rotated secret) keeps them.
func role(r *http.Request) string {
	if t, ok := r.Context().Value(tokenKey).(*store.Token); ok {
		return t.Role
	}
	if u := currentUser(r); u != nil {
		return u.Role
	}
	return store.RoleWriter // never reached: every submitting route is signed in
}

// actor names who made the request, for the audit log.
func actor(r *http.Request) string {
	if t, ok := r.Context().Value(tokenKey).(*store.Token); ok {
		return "token:" + t.Name
	}
	if u := currentUser(r); u != nil {
		return "user:" + u.Name
	}
	return "anonymous"
}
