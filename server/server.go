// Package server is crosscast's HTTP side, wired in one place: New
// mounts the JSON API (server/api), the editor UI (server/ui) and the
// reader pages (server/reader) on one mux, behind cross-origin
// protection and the request log (server/web), and serves health and
// readiness probes, metrics and the published sites itself.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/api"
	"github.com/crosscast/crosscast/server/reader"
	"github.com/crosscast/crosscast/server/ui"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// Config holds the server's parts.
type Config struct {
	Store   *store.DB
	Service *app.Service
	Logger  *slog.Logger
	// Metrics serves /metrics; nil leaves it out.
	Metrics http.Handler
	// QueueMonitor is mounted at /admin/queues for admins; nil leaves it out.
	QueueMonitor http.Handler
	// Sites is the folder of published brand sites, served at /sites/;
	// empty leaves it out.
	Sites string
	// MaxUpload bounds a submission's request body; 0 means 128 MiB.
	MaxUpload int64
	// Version is the build's version, shown by /healthz; empty leaves it out.
	Version string
	// Bounces serves POST /bounces/{provider} (bounce.Handler); nil
	// leaves it out.
	Bounces http.Handler
}

// Server answers HTTP requests.
type Server struct {
	db      *store.DB
	svc     *app.Service
	version string
	handler http.Handler // the mux behind cross-origin protection and the log
}

// New returns a server with its routes.
func New(cfg Config) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxUpload := cfg.MaxUpload
	if maxUpload <= 0 {
		maxUpload = 128 << 20
	}
	s := &Server{db: cfg.Store, svc: cfg.Service, version: cfg.Version}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if cfg.Sites != "" {
		var base SiteBase
		if cfg.Service != nil {
			base = cfg.Service.BrandSite
		}
		mux.Handle("GET /sites/", sites(cfg.Sites, base))
	}
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	if cfg.Bounces != nil {
		// Mail servers and ESPs send no Origin or Sec-Fetch-Site, so
		// cross-origin protection lets them through as it does API
		// clients; each request proves itself with a secret or signature.
		mux.Handle("POST /bounces/", cfg.Bounces)
	}
	api.New(api.Config{Store: cfg.Store, Service: cfg.Service, Logger: log, MaxUpload: maxUpload}).Register(mux)
	reader.New(reader.Config{Store: cfg.Store, Service: cfg.Service, Logger: log}).Register(mux)
	ui.New(ui.Config{Store: cfg.Store, Service: cfg.Service, Logger: log, MaxUpload: maxUpload,
		QueueMonitor: cfg.QueueMonitor, Sites: cfg.Sites != "", Version: cfg.Version}).Register(mux)

	// Every write from a browser must come from this site's own pages
	// (Sec-Fetch-Site, else Origin against Host). API clients send
	// neither header and pass. RFC 8058 one-click unsubscribe is
	// cross-site by design, and changes nothing but that one address.
	csrf := http.NewCrossOriginProtection()
	csrf.AddInsecureBypassPattern(reader.UnsubscribePattern)
	// The sign-up form is posted from the brand's own site; all it can
	// do is have a confirmation email sent, rate-limited.
	csrf.AddInsecureBypassPattern(reader.SignUpPattern)
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Warn("cross-origin write refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	s.handler = web.Logged(log, csrf.Handler(mux))
	return s
}

// ServeHTTP logs each request and turns a handler panic into a 500.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

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
