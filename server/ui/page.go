package ui

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/templates"
)

// Every page shares layout.html.tmpl; each page file defines "title"
// and "main".

// uiCSP keeps the editor's own pages to their own scripts and styles;
// content is only ever shown in sandboxed preview frames.
const uiCSP = "default-src 'self'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html.tmpl").Funcs(uiFuncs).ParseFS(templates.FS, "ui/layout.html.tmpl", "ui/partials/*.html.tmpl")
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
	User    *store.User
	Path    string
	Flash   *flash
	Version string // the build's, for the footer
	Data    any
}

// html renders a page with the layout.
func (ui *UI) html(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := ui.pages[page]
	if !ok {
		ui.log.Error("no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	pd := pageData{User: web.CurrentUser(r), Path: r.URL.Path, Flash: ui.takeFlash(w, r), Version: ui.version, Data: data}
	if err := t.ExecuteTemplate(&buf, "layout.html.tmpl", pd); err != nil {
		ui.log.Error("page template", "page", page, "err", err)
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
func (ui *UI) uiError(w http.ResponseWriter, r *http.Request, err error) {
	ae := web.ToError(err)
	if ae == nil {
		ui.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = web.ErrInternal
	}
	ui.html(w, r, ae.Status, "error", ae)
}

// htmlErrors is h with its error shown as an error page.
func (ui *UI) htmlErrors(h web.Handler) http.Handler { return web.Wrap(h, ui.uiError) }

// page lets a request through to an editor UI page when it carries a live
// session whose user has at least role. Without one, the browser is sent
// to the login page and back here afterwards.
func (ui *UI) page(role string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := ui.auth.SessionUser(r)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				ui.uiError(w, r, err)
				return
			}
			next := r.URL.Path
			if r.Method == http.MethodGet && r.URL.RawQuery != "" {
				next += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		r = r.WithContext(web.WithUser(r.Context(), u))
		if !store.RoleAtLeast(u.Role, role) {
			ui.html(w, r, http.StatusForbidden, "error", &web.Error{Status: http.StatusForbidden, Code: web.CodeForbidden,
				Message: "Your role (" + u.Role + ") may not do this; it needs " + role + "."})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// staticFiles serves the UI's CSS and scripts.
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
	"mock":   newSocialMock,
	"host":   hostOf,
	"join":   strings.Join,
	"netv":   newNetView,
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// fragment renders one named template of a page on its own, for the
// parts the page's script refreshes.
func (ui *UI) fragment(w http.ResponseWriter, r *http.Request, page, name string, data any) {
	var buf bytes.Buffer
	if err := ui.pages[page].ExecuteTemplate(&buf, name, pageData{User: web.CurrentUser(r), Path: r.URL.Path, Data: data}); err != nil {
		ui.log.Error("page fragment", "page", page, "name", name, "err", err)
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
func (ui *UI) adminPages(h http.Handler) http.Handler {
	token := ui.auth.Browser(store.RoleAdmin, h)
	session := ui.page(store.RoleAdmin, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie(web.SessionCookie); err == nil {
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
