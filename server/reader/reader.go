// Package reader serves the pages a brand's readers reach with no
// sign-in: /s sign-up and its confirmation, /u the preference centre and
// one-click unsubscribe, and /r tracked-link redirects. Their failures are told plainly, never as the
// editor's error pages or the API's JSON.
package reader

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
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
	db       *store.DB
	svc      *app.Service
	log      *slog.Logger
	audience *template.Template
	signups  *web.KeyedLimiter
}

// New returns the reader pages.
func New(cfg Config) *Reader {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reader{db: cfg.Store, svc: cfg.Service, log: log,
		audience: template.Must(template.ParseFS(templates.FS, "reader/audience.html.tmpl")),
		// A few sign-ups a minute per client address: enough for a
		// household behind one address, too few to mail-bomb anyone.
		signups: web.NewKeyedLimiter(20*time.Second, 5, 10000)}
}

// Register adds the reader pages' routes to mux. POST /u/{token} and
// POST /s/{brand} must also bypass cross-origin protection (see
// UnsubscribePattern and SignUpPattern).
func (rd *Reader) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/{token}", rd.manage)
	mux.HandleFunc(UnsubscribePattern, rd.unsubscribe)
	mux.HandleFunc("POST /u/{token}/preferences", rd.savePreferences)
	// Every email's "Manage preferences" link (email.ManageURL).
	mux.HandleFunc("GET /u/{token}/preferences", rd.manage)
	mux.HandleFunc(SignUpPattern, rd.signUp)
	mux.HandleFunc("GET /s/{brand}/confirm/{link}", rd.confirm)
	mux.HandleFunc("POST /s/{brand}/confirm/{link}", rd.confirm)
	mux.HandleFunc("GET /r/{code}", rd.redirect)
	mux.HandleFunc("GET /s/{brand}/logo/{name}", rd.noticeLogo)
}

// UnsubscribePattern is RFC 8058 one-click unsubscribe, which mail
// providers post cross-site by design; it changes nothing but that one
// address.
const UnsubscribePattern = "POST /u/{token}"

// noticeLogo serves the logo the confirmation email shows. Its name
// carries a hash of the picture, so it is cached for good.
func (rd *Reader) noticeLogo(w http.ResponseWriter, r *http.Request) {
	data, err := rd.svc.NoticeLogo(r.Context(), r.PathValue("brand"), r.PathValue("name"))
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		rd.log.Error("notice logo", "err", err)
		http.Error(w, "Something went wrong on our side; please try again in a minute.", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
}
