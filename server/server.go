// Package server is crosscast's HTTP side: the JSON API writers submit
// items to, health and metrics for operators, and the queue monitor for
// admins. One file per handler; errors become responses in one place
// (errors.go).
package server

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/templates"
)

// Config holds the server's parts.
type Config struct {
	Store    *store.DB
	Pipeline *app.Service
	Logger   *slog.Logger
	// Metrics serves /metrics; nil leaves it out.
	Metrics http.Handler
	// QueueMonitor is mounted at /admin/queues for admins; nil leaves it out.
	QueueMonitor http.Handler
	// Sites is the folder of published brand sites, served at /sites/;
	// empty leaves it out.
	Sites string
	// MaxUpload bounds a submission's request body; 0 means 128 MiB.
	MaxUpload int64
}

// Server answers HTTP requests.
type Server struct {
	db        *store.DB
	pipeline  *app.Service
	log       *slog.Logger
	maxUpload int64
	mux       *http.ServeMux
	pages     *template.Template
	ui        map[string]*template.Template
	logins    *loginLimiter

	handler http.Handler // mux behind cross-origin protection
	drafts  drafts

	keyMu      sync.Mutex
	previewKey []byte
}

// New returns a server with its routes.
func New(cfg Config) *Server {
	s := &Server{db: cfg.Store, pipeline: cfg.Pipeline, log: cfg.Logger, maxUpload: cfg.MaxUpload, mux: http.NewServeMux(),
		pages: template.Must(template.ParseFS(templates.FS, "server/*.html.tmpl"))}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxUpload <= 0 {
		s.maxUpload = 128 << 20
	}
	ui, err := parsePages()
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a build bug
	}
	s.ui = ui
	s.logins = newLoginLimiter()
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("POST /api/items", s.auth(store.RoleWriter, s.createItem))
	s.mux.Handle("GET /api/items", s.auth(store.RoleWriter, s.listItems))
	s.mux.Handle("GET /api/items/{id}", s.auth(store.RoleWriter, s.getItem))
	s.mux.Handle("GET /api/items/{id}/renderings/{channel}/{file...}", s.auth(store.RoleWriter, s.getRenderingFile))
	s.mux.Handle("POST /api/items/{id}/publish", s.auth(store.RoleEditor, s.publishItem))
	s.mux.Handle("POST /api/items/{id}/cancel", s.auth(store.RoleEditor, s.cancelItem))
	s.mux.Handle("POST /api/items/{id}/unpublish", s.auth(store.RoleEditor, s.unpublishItem))
	s.mux.Handle("GET /api/items/{id}/deliveries", s.auth(store.RoleWriter, s.getDeliveries))
	s.mux.Handle("GET /api/items/{id}/clicks", s.auth(store.RoleWriter, s.getClicks))
	s.mux.Handle("POST /api/deliveries/resolve", s.auth(store.RoleEditor, s.resolveDelivery))
	s.mux.Handle("POST /api/brands/{id}/subscribers", s.auth(store.RoleAdmin, s.addSubscriber))
	s.mux.HandleFunc("GET /u/{token}", s.unsubscribe)
	s.mux.HandleFunc("POST /u/{token}", s.unsubscribe)
	s.mux.HandleFunc("GET /r/{code}", s.redirect)
	if cfg.Sites != "" {
		s.mux.Handle("GET /sites/", s.sites(cfg.Sites))
	}
	s.mux.Handle("GET /api/brands/{id}/index", s.auth(store.RoleWriter, s.getBrandIndex))
	s.mux.Handle("GET /api/brands/{id}/index/{file...}", s.auth(store.RoleWriter, s.getBrandIndexFile))
	if cfg.Metrics != nil {
		s.mux.Handle("GET /metrics", cfg.Metrics)
	}
	if cfg.QueueMonitor != nil {
		s.mux.Handle("/admin/queues/", s.withMonitorHeaders("/admin/queues/", cfg.QueueMonitor, s.adminPages(cfg.QueueMonitor)))
	}

	// The editor UI.
	s.mux.Handle("GET /static/", staticFiles())
	s.mux.HandleFunc("GET /login", s.login)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /logout", s.logout)
	s.mux.Handle("GET /{$}", s.page(store.RoleWriter, s.inbox))
	s.mux.Handle("GET /items/{id}", s.page(store.RoleWriter, s.itemPage))
	s.mux.Handle("POST /items/{id}/publish", s.page(store.RoleEditor, s.itemAction))
	s.mux.Handle("POST /items/{id}/cancel", s.page(store.RoleEditor, s.itemAction))
	s.mux.Handle("POST /items/{id}/unpublish", s.page(store.RoleEditor, s.itemAction))
	s.mux.Handle("POST /items/{id}/rerender", s.page(store.RoleEditor, s.itemAction))
	s.mux.Handle("POST /items/{id}/resolve", s.page(store.RoleEditor, s.itemAction))
	s.mux.HandleFunc("GET /preview/{sig}/{id}/{version}/{channel}/{file...}", s.preview)
	s.mux.Handle("GET /admin", s.page(store.RoleAdmin, s.admin))
	s.mux.Handle("POST /admin", s.page(store.RoleAdmin, s.admin))
	s.mux.Handle("GET /new", s.page(store.RoleWriter, s.newItem))
	s.mux.Handle("POST /new", s.page(store.RoleWriter, s.newItem))
	s.mux.Handle("GET /items/{id}/edit", s.page(store.RoleWriter, s.editItem))
	s.mux.Handle("GET /items/{id}/diff", s.page(store.RoleWriter, s.itemDiff))
	s.mux.Handle("POST /items/{id}/edit", s.page(store.RoleWriter, s.editItem))
	s.mux.Handle("POST /drafts", s.page(store.RoleWriter, s.previewDraft))
	s.mux.HandleFunc("GET /draft/{sig}/{id}/{channel}/{file...}", s.draftFile)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, errNoRoute)
	})

	// Every write from a browser must come from this site's own pages
	// (Sec-Fetch-Site, else Origin against Host). API clients send
	// neither header and pass. RFC 8058 one-click unsubscribe is
	// cross-site by design, and changes nothing but that one address.
	csrf := http.NewCrossOriginProtection()
	csrf.AddInsecureBypassPattern("POST /u/{token}")
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin write refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	s.handler = csrf.Handler(s.mux)
	return s
}

// ServeHTTP logs each request and turns a handler panic into a 500.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("handler panic", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			if !rec.wrote {
				s.error(rec, r, errInternal)
			}
		}
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
			level = slog.LevelDebug
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds()}
		if id := r.PathValue("id"); id != "" {
			attrs = append(attrs, "item", id)
		}
		s.log.Log(r.Context(), level, "http", attrs...)
	}()
	s.handler.ServeHTTP(rec, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (asynqmon
// and large downloads flush).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Serve runs an HTTP server on addr until ctx ends, then shuts it down
// gracefully.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
