// Package reader serves the pages a brand's readers reach from what
// crosscast sent them, with no sign-in: /u one-click unsubscribe and /r
// tracked-link redirects. Their failures are told plainly, never as the
// editor's error pages or the API's JSON.
package reader

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/templates"
)

// Config holds the reader pages' parts.
type Config struct {
	Store   *store.DB // reads
	Service *app.Service
	Logger  *slog.Logger
}

// Reader serves /u/ and /r/.
type Reader struct {
	db    *store.DB
	svc   *app.Service
	log   *slog.Logger
	pages *template.Template
}

// New returns the reader pages.
func New(cfg Config) *Reader {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reader{db: cfg.Store, svc: cfg.Service, log: log,
		pages: template.Must(template.ParseFS(templates.FS, "server/*.html.tmpl"))}
}

// Register adds the reader pages' routes to mux. POST /u/{token} must
// also bypass cross-origin protection (see UnsubscribePattern).
func (rd *Reader) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/{token}", rd.unsubscribe)
	mux.HandleFunc(UnsubscribePattern, rd.unsubscribe)
	mux.HandleFunc("GET /r/{code}", rd.redirect)
}

// UnsubscribePattern is RFC 8058 one-click unsubscribe, which mail
// providers post cross-site by design; it changes nothing but that one
// address.
const UnsubscribePattern = "POST /u/{token}"
