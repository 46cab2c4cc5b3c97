package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crosscast/crosscast/server"
)

// work implements `crosscast worker`: task workers only, sharing
// REDIS_URL and DATABASE_URL with the web node and any number of other
// workers. It runs a reconciler too; reconcilers on many machines agree,
// since every re-enqueue has a derived task ID.
func (m *Main) work(ctx context.Context, cfg Config, args []string) error {
	fset := flag.NewFlagSet("worker", flag.ContinueOnError)
	fset.IntVar(&cfg.Workers, "concurrency", cfg.Workers, "tasks run at once")
	fset.StringVar(&cfg.MetricsAddr, "metrics", cfg.MetricsAddr, "serve /metrics and /healthz on this address (CROSSCAST_METRICS_ADDR)")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	m.limitMemory(cfg)
	log := m.logger(cfg)
	cfg.logTo(log)
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closed(log, "store", db.Close)
	redis, _, err := redisOpt(cfg, log, false)
	if err != nil {
		return usageError{err.Error()}
	}
	reg := prometheus.NewRegistry()
	a, err := newApp(cfg, db, redis, log, reg, cfg.publicURLFor(""))
	if err != nil {
		return err
	}
	defer closed(log, "service", a.Close) // the service and its queue
	srv := a.handler.NewServer(redis, serverConfig(cfg))
	if err := srv.Start(a.handler.Mux()); err != nil {
		return err
	}
	log.Info("worker started", "concurrency", cfg.Workers, "channels", a.svc.Channels())
	// A worker serves no HTTP, so of the bounce handling it runs only
	// the mailbox poller.
	bounces, err := newBounces(cfg, a.svc, log)
	if err != nil {
		return err
	}
	var parts []part
	if cfg.MetricsAddr != "" {
		parts = append(parts, metricsPart(cfg.MetricsAddr, reg, log))
	}
	if bounces.pop3 != nil {
		parts = append(parts, bounces.pop3Part(cfg.Bounce.POP3Interval, log))
	}
	parts = append(parts, workersPart(srv, log), reconcilerPart(cfg, a.svc, log))
	parts = append(parts, watchersPart(a.svc, log))
	return runParts(ctx, log, parts...)
}

// metricsPart serves a worker's Prometheus metrics and its liveness, so
// a worker without the web node's HTTP side can still be scraped and
// probed.
func metricsPart(addr string, reg *prometheus.Registry, log *slog.Logger) part {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	return part{"metrics", func(ctx context.Context) error {
		log.Info("serving metrics", "addr", addr)
		err := server.Serve(ctx, addr, mux, log)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		return err
	}}
}
