package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// serve implements `crosscast serve`: the HTTP API, the workers and the
// reconciler in one process. This is where the parts are wired together.
func (m *Main) serve(ctx context.Context, cfg Config, args []string) error {
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	fset.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen `address`")
	fset.StringVar(&cfg.Brands, "brands", cfg.Brands, "`folder` of brand kits to import at start (each holding brand.yaml)")
	fset.IntVar(&cfg.Workers, "workers", cfg.Workers, "tasks run at once; 0 runs a web node only")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	m.limitMemory(cfg)
	log := m.logger(cfg)
	cfg.logTo(log)
	// The deferred closes run in reverse: service, Redis, store, and
	// only after runParts has stopped everything that uses them.
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closed(log, "store", db.Close)
	redis, stopRedis, err := redisOpt(cfg, log, true)
	if err != nil {
		return err
	}
	defer stopRedis()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a, err := newApp(cfg, db, redis, log, reg, cfg.publicURLFor(cfg.Addr))
	if err != nil {
		return err
	}
	defer closed(log, "service", a.Close) // the service and its queue
	reg.MustRegister(a.queue.NewQueueCollector())

	if cfg.Brands != "" {
		if err := importBrands(ctx, a.svc, cfg.Brands, log); err != nil {
			return err
		}
	}
	if err := firstRunToken(ctx, db, m, log); err != nil {
		return err
	}
	if err := firstRunAdmin(ctx, db, m, log, cfg.publicURLFor(cfg.Addr)); err != nil {
		return err
	}

	bounces, err := newBounces(cfg, a.svc, log)
	if err != nil {
		return err
	}
	h := server.New(server.Config{
		Store: db, Service: a.svc, Logger: log, Bounces: bounces.handler,
		Metrics:      promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Sites:        cfg.Sites,
		Version:      readBuild().short(),
		QueueMonitor: asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: redis}),
	})
	// Stopping, in this order: accept no more HTTP requests (and finish
	// those under way), let the workers finish or hand back their tasks,
	// then stop the reconciler.
	parts := []part{{"http", func(ctx context.Context) error {
		log.Info("listening", "addr", cfg.Addr)
		err := server.Serve(ctx, cfg.Addr, h, log)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		return err
	}}}
	if cfg.Workers > 0 {
		srv := a.handler.NewServer(redis, serverConfig(cfg))
		if err := srv.Start(a.handler.Mux()); err != nil {
			return err
		}
		log.Info("workers started", "concurrency", cfg.Workers, "channels", a.svc.Channels())
		parts = append(parts, workersPart(srv, log))
	}
	if bounces.pop3 != nil {
		parts = append(parts, bounces.pop3Part(cfg.Bounce.POP3Interval, log))
	}
	parts = append(parts, reconcilerPart(cfg, a.svc, log))
	if cfg.Workers > 0 {
		parts = append(parts, watchersPart(a.svc, log)) // folder sources are watched where tasks run
	}
	return runParts(ctx, log, parts...)
}

// workersPart runs srv's task workers until ctx ends; then tasks in
// flight finish or go back to the queue.
func workersPart(srv *asynq.Server, log *slog.Logger) part {
	return part{"workers", func(ctx context.Context) error {
		<-ctx.Done()
		log.Info("shutting down: renders in flight finish or go back to the queue")
		srv.Shutdown()
		return nil
	}}
}

// reconcilerPart runs svc's reconciler until ctx ends and its pass
// under way has stopped.
func reconcilerPart(cfg Config, svc *app.Service, log *slog.Logger) part {
	return part{"reconciler", func(ctx context.Context) error {
		worker.RunReconciler(ctx, svc, log, cfg.ReconcileInterval, 10*time.Second)
		return nil
	}}
}

// closed closes one of the parts' resources, and says so.
func closed(log *slog.Logger, what string, close func() error) {
	if err := close(); err != nil {
		log.Warn("closing", "part", what, "err", err)
		return
	}
	log.Info("closed", "part", what)
}

// application is the wired application: the service, the queue it
// enqueues through and the handler that runs the queue's tasks with it.
type application struct {
	svc     *app.Service
	queue   *worker.Queue
	handler *worker.Handler
}

// Close releases the queue's Redis connections.
func (a *application) Close() error { return a.queue.Close() }

// newApp wires the application by hand. Close it when done.
func newApp(cfg Config, db *store.DB, redis asynq.RedisConnOpt, log *slog.Logger, reg prometheus.Registerer, publicURL string) (*application, error) {
	rs, err := channelRenderers(cfg, db, log)
	if err != nil {
		return nil, err
	}
	acfg := app.Config{
		Store: db, Renderers: rs, Metrics: app.NewMetrics(reg), Logger: log,
		Site: &publish.Site{Root: cfg.Sites}, PublicURL: publicURL, Getenv: cfg.Getenv,
	}
	if ca := cfg.SMTPCA; ca != "" {
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
		acfg.SMTPTLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	q := worker.NewQueue(worker.QueueConfig{Redis: redis, Logger: log})
	acfg.Queue = q
	if l := q.RateLimiter(); l != nil {
		acfg.Limiter = l // email rates hold across every worker process
	}
	if a := q.Allowance(); a != nil {
		acfg.Allowance = a // and so do warm-up daily caps
	}
	svc := app.New(acfg)
	return &application{svc: svc, queue: q, handler: worker.NewHandler(svc, q, log)}, nil
}

func serverConfig(cfg Config) worker.ServerConfig {
	sc := worker.ServerConfig{Concurrency: cfg.Workers}
	if d := cfg.RetryDelay; d > 0 {
		sc.RetryDelay = func(int) time.Duration { return d }
	}
	return sc
}

// importBrands stores every brand kit found in dir; a changed kit queues
// its items for re-rendering.
func importBrands(ctx context.Context, p *app.Service, dir string, log *slog.Logger) error {
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
func firstRunAdmin(ctx context.Context, db *store.DB, m *Main, log *slog.Logger, publicURL string) error {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, pw, err := db.CreateUser(ctx, "admin", store.RoleAdmin, "")
	if err != nil {
		return err
	}
	log.Warn("created the first editor UI user, admin; the password is printed once on stderr, never logged")
	fmt.Fprintf(m.Stderr, "\n  First run: sign in at %s/login as admin with password (shown once):\n\n    %s\n\n", publicURL, pw)
	return nil
}
