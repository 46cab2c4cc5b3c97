package server

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/templates"
)

// The editor UI: server-rendered pages behind a session cookie. Every
// page shares layout.html.tmpl; each page file defines "title" and
// "main".

const (
	sessionCookie = "cc_session"
	sessionTTL    = 12 * time.Hour
)

const userKey ctxKey = 1

// uiCSP keeps the editor's own pages to their own scripts and styles;
// content is only ever shown in sandboxed preview frames.
const uiCSP = "default-src 'self'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html.tmpl").Funcs(uiFuncs).ParseFS(templates.FS, "ui/layout.html.tmpl")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templates.FS, "ui/*.html.tmpl")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "ui/")
		if base == "layout.html.tmpl" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templates.FS, n)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(base, ".html.tmpl")] = t
	}
	return pages, nil
}

// pageData is what every page template gets: the signed-in user and the
// page's own data.
type pageData struct {
	User  *store.User
	Path  string
	Flash string
	Data  any
}

// html renders a page with the layout.
func (s *Server) html(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.ui[page]
	if !ok {
		s.log.Error("no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	pd := pageData{User: currentUser(r), Path: r.URL.Path, Flash: s.takeFlash(w, r), Data: data}
	if err := t.ExecuteTemplate(&buf, "layout.html.tmpl", pd); err != nil {
		s.log.Error("page template", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", uiCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// uiError shows an error page for a failed page request; the status and
// message come from the same mapping the API uses.
func (s *Server) uiError(w http.ResponseWriter, r *http.Request, err error) {
	ae := toAPIError(err)
	if ae == nil {
		s.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = errInternal
	}
	s.html(w, r, ae.Status, "error", ae)
}

// userError is err as a person can be told it (the API's mapping, below
// 500), or nil when err is the server's own failure.
func userError(err error) *apiError {
	if ae := toAPIError(err); ae != nil && ae.Status < 500 {
		return ae
	}
	return nil
}

// inputProblems is err as positioned problems with what was sent, or nil
// when err is the server's own failure.
func inputProblems(err error) content.Errors {
	ae := userError(err)
	switch {
	case ae == nil:
		return nil
	case len(ae.Errors) > 0:
		return ae.Errors
	}
	return content.Errors{{Message: ae.Message}}
}

func currentUser(r *http.Request) *store.User {
	u, _ := r.Context().Value(userKey).(*store.User)
	return u
}

// page lets a request through to an editor UI page when it carries a live
// session whose user has at least role. Without one, the browser is sent
// to the login page and back here afterwards.
func (s *Server) page(role string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.sessionUser(r)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.uiError(w, r, err)
				return
			}
			next := r.URL.Path
			if r.Method == http.MethodGet && r.URL.RawQuery != "" {
				next += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), userKey, u))
		if !store.RoleAtLeast(u.Role, role) {
			s.html(w, r, http.StatusForbidden, "error", &apiError{Status: http.StatusForbidden, Code: codeForbidden,
				Message: "Your role (" + u.Role + ") may not do this; it needs " + role + "."})
			return
		}
		h(w, r)
	})
}

func (s *Server) sessionUser(r *http.Request) (*store.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return s.db.SessionUser(r.Context(), c.Value)
}

// secure tells whether the browser reached us over TLS, directly or
// through a proxy that says so.
func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func setSession(w http.ResponseWriter, r *http.Request, secret string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// static serves the UI's CSS and scripts.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(templates.FS, "ui/static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fsrv.ServeHTTP(w, r)
	})
}

var uiFuncs = template.FuncMap{
	"ago": func(t time.Time) string {
		d := time.Since(t)
		switch {
		case d < time.Minute:
			return "just now"
		case d < time.Hour:
			return plural(int(d/time.Minute), "minute") + " ago"
		case d < 48*time.Hour:
			return plural(int(d/time.Hour), "hour") + " ago"
		}
		return t.UTC().Format("2 Jan 2006")
	},
	"utc":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"kb":     func(n int64) string { return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB" },
	"pct":    func(a, b int64) int64 { return min(100, a*100/max(b, 1)) },
	"roleAt": store.RoleAtLeast,
	"list":   func(s ...string) []string { return s },
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// fragment renders one named template of a page on its own, for the
// parts the page's script refreshes.
func (s *Server) fragment(w http.ResponseWriter, r *http.Request, page, name string, data any) {
	var buf bytes.Buffer
	if err := s.ui[page].ExecuteTemplate(&buf, name, pageData{User: currentUser(r), Path: r.URL.Path, Data: data}); err != nil {
		s.log.Error("page fragment", "page", page, "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}

// adminPages guards pages for admins (the queue monitor): a signed-in
// admin, or an admin API token over HTTP Basic auth for scripts.
func (s *Server) adminPages(h http.Handler) http.Handler {
	token := s.authBrowser(store.RoleAdmin, h)
	session := s.page(store.RoleAdmin, h.ServeHTTP)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie(sessionCookie); err == nil {
			session.ServeHTTP(w, r)
			return
		}
		if _, _, ok := r.BasicAuth(); ok || r.Header.Get("Authorization") != "" {
			token.ServeHTTP(w, r)
			return
		}
		session.ServeHTTP(w, r) // to the login page
	})
}
