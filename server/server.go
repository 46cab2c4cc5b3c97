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
	"time"

	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/templates"
	"github.com/crosscast/crosscast/worker"
)

// Config holds the server's parts.
type Config struct {
	Store    *store.DB
	Pipeline *worker.Pipeline
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
	pipeline  *worker.Pipeline
	log       *slog.Logger
	maxUpload int64
	mux       *http.ServeMux
	pages     *template.Template
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
	s.mux.HandleFunc("GET /healthz", s.health)
	s.mux.HandleFunc("GET /readyz", s.health)
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
		s.mux.Handle("/admin/queues/", s.authBrowser(store.RoleAdmin, cfg.QueueMonitor))
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, errNoRoute)
	})
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
	s.mux.ServeHTTP(rec, r)
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
