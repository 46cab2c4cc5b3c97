package main

import (
	"context"
	"flag"

	"github.com/prometheus/client_golang/prometheus"
)

// work implements `crosscast worker`: task workers only, sharing
// REDIS_URL and DATABASE_URL with the web node and any number of other
// workers. It runs a reconciler too; reconcilers on many machines agree,
// since every re-enqueue has a derived task ID.
func (m *Main) work(ctx context.Context, cfg Config, args []string) error {
	fset := flag.NewFlagSet("worker", flag.ContinueOnError)
	fset.IntVar(&cfg.Workers, "concurrency", cfg.Workers, "tasks run at once")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
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
	a, err := newApp(cfg, db, redis, log, prometheus.NewRegistry(), cfg.publicURLFor(""))
	if err != nil {
		return err
	}
	defer closed(log, "service", a.Close) // the service and its queue
	srv := a.handler.NewServer(redis, serverConfig(cfg))
	if err := srv.Start(a.handler.Mux()); err != nil {
		return err
	}
	log.Info("worker started", "concurrency", cfg.Workers, "channels", a.svc.Channels())
	return runParts(ctx, log, workersPart(srv, log), reconcilerPart(cfg, a.svc, log))
}
