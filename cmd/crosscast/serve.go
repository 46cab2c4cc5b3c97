package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// serve implements `crosscast serve`: the HTTP API, the workers and the
// reconciler in one process. This is where the parts are wired together.
func (m *Main) serve(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fset.String("addr", envOr(envAddr, ":8080"), "listen `address`")
	brands := fset.String("brands", os.Getenv(envBrands), "`folder` of brand kits to import at start (each holding brand.yaml)")
	workers := fset.Int("workers", defaultWorkers(), "tasks run at once; 0 runs a web node only")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	log := m.logger()
	db, err := openStore(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	redis, stopRedis, err := redisOpt(log, true)
	if err != nil {
		return err
	}
	defer stopRedis()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	p, err := newPipeline(db, redis, log, reg, publicURL(*addr))
	if err != nil {
		return err
	}
	defer p.Close()
	reg.MustRegister(p.NewQueueCollector())

	if *brands != "" {
		if err := importBrands(ctx, p, *brands, log); err != nil {
			return err
		}
	}
	if err := firstRunToken(ctx, db, m, log); err != nil {
		return err
	}
	if err := firstRunAdmin(ctx, db, m, log, *addr); err != nil {
		return err
	}

	var srv *asynq.Server
	if *workers > 0 {
		srv = p.NewServer(redis, serverConfig(*workers))
		if err := srv.Start(p.Handler()); err != nil {
			return err
		}
		log.Info("workers started", "concurrency", *workers, "channels", p.Channels())
	}
	go p.RunReconciler(ctx, envDuration(envReconcile, time.Minute), 10*time.Second)

	h := server.New(server.Config{
		Store: db, Pipeline: p, Logger: log,
		Metrics:      promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Sites:        sitesDir(),
		QueueMonitor: asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: redis}),
	})
	log.Info("listening", "addr", *addr)
	err = server.Serve(ctx, *addr, h, log)
	if srv != nil {
		srv.Shutdown() // renders in flight finish or go back to the queue
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func newPipeline(db *store.DB, redis asynq.RedisConnOpt, log *slog.Logger, reg prometheus.Registerer, publicURL string) (*worker.Pipeline, error) {
	rs, err := pipelineRenderers(db, log)
	if err != nil {
		return nil, err
	}
	cfg := worker.Config{
		Store: db, Redis: redis, Renderers: rs, Metrics: worker.NewMetrics(reg), Logger: log,
		Site: &publish.Site{Root: sitesDir()}, PublicURL: publicURL,
	}
	if ca := os.Getenv(envSMTPCA); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envSMTPCA, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", envSMTPCA, ca)
		}
		cfg.SMTPTLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return worker.New(cfg), nil
}

func sitesDir() string { return envOr(envSites, filepath.Join("data", "sites")) }

// publicURL is where links in published messages reach this server.
func publicURL(addr string) string {
	if u := os.Getenv(envPublicURL); u != "" {
		return strings.TrimRight(u, "/")
	}
	if addr == "" {
		return ""
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return "http://localhost:" + port
}

func serverConfig(workers int) worker.ServerConfig {
	cfg := worker.ServerConfig{Concurrency: workers}
	if d := envDuration(envRetryDelay, 0); d > 0 {
		cfg.RetryDelay = func(int) time.Duration { return d }
	}
	return cfg
}

// importBrands stores every brand kit found in dir; a changed kit queues
// its items for re-rendering.
func importBrands(ctx context.Context, p *worker.Pipeline, dir string, log *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("brands: %w", err)
	}
	n := 0
	for _, e := range entries {
		kit := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(kit, "brand.yaml")); !e.IsDir() || err != nil {
			continue
		}
		br, res, err := p.ImportBrand(ctx, kit, "serve")
		if err != nil {
			return err
		}
		for _, w := range br.Warnings {
			log.Warn("brand kit", "warning", w.String())
		}
		log.Info("brand", "id", br.ID, "version", res.Hash, "changed", res.Changed, "rerender", res.Items)
		n++
	}
	if n == 0 {
		return fmt.Errorf("brands: %s holds no brand kit (a folder with brand.yaml)", dir)
	}
	return nil
}

// firstRunToken creates an admin API token when there is none and prints
// it once: the way in on a fresh install.
func firstRunToken(ctx context.Context, db *store.DB, m *Main, log *slog.Logger) error {
	n, err := db.CountTokens(ctx)
	if err != nil || n > 0 {
		return err
	}
	secret, _, err := db.CreateToken(ctx, "first-run admin", store.RoleAdmin)
	if err != nil {
		return err
	}
	log.Warn("created the first admin API token; it is printed once on stderr, never logged")
	fmt.Fprintf(m.Stderr, "\n  First run: admin API token (shown once, keep it):\n\n    export %s=%s\n\n", envToken, secret)
	return nil
}

// firstRunAdmin creates the user "admin" with a made-up password when
// nobody can sign in to the editor UI yet, and prints the password once.
func firstRunAdmin(ctx context.Context, db *store.DB, m *Main, log *slog.Logger, addr string) error {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, pw, err := db.CreateUser(ctx, "admin", store.RoleAdmin, "")
	if err != nil {
		return err
	}
	log.Warn("created the first editor UI user, admin; the password is printed once on stderr, never logged")
	fmt.Fprintf(m.Stderr, "\n  First run: sign in at %s/login as admin with password (shown once):\n\n    %s\n\n", publicURL(addr), pw)
	return nil
}
