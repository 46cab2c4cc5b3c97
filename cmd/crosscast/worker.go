package main

import (
	"context"
	"flag"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// work implements `crosscast worker`: task workers only, sharing
// REDIS_URL and DATABASE_URL with the web node and any number of other
// workers. It runs a reconciler too; reconcilers on many machines agree,
// since every re-enqueue has a derived task ID.
func (m *Main) work(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("worker", flag.ContinueOnError)
	workers := fset.Int("concurrency", defaultWorkers(), "tasks run at once")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	log := m.logger()
	db, err := openStore(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	redis, _, err := redisOpt(log, false)
	if err != nil {
		return usageError{err.Error()}
	}
	p, err := newPipeline(db, redis, log, prometheus.NewRegistry(), publicURL(""))
	if err != nil {
		return err
	}
	defer p.Close()
	srv := p.NewServer(redis, serverConfig(*workers))
	if err := srv.Start(p.Handler()); err != nil {
		return err
	}
	log.Info("worker started", "concurrency", *workers, "channels", p.Channels())
	go p.RunReconciler(ctx, envDuration(envReconcile, time.Minute), 10*time.Second)
	<-ctx.Done()
	log.Info("shutting down: renders in flight finish or go back to the queue")
	srv.Shutdown()
	return nil
}
