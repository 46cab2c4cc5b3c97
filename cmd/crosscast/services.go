package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/store"
)

// openStore opens DATABASE_URL, or the embedded SQLite file, and migrates.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*store.DB, error) {
	dsn := cfg.databaseDSN()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	where := "PostgreSQL"
	if db.Kind() == "sqlite" {
		where = dsn
	}
	log.Info("store ready", "database", db.Kind(), "at", where, "migrations_applied", len(applied))
	return db, nil
}

// redisOpt reads REDIS_URL. Without it, embedded starts an in-process
// Redis (which keeps nothing across restarts; the reconciler re-enqueues
// unfinished work from the store at start-up), and otherwise it is an
// error: workers on separate machines must share a real Redis.
func redisOpt(cfg Config, log *slog.Logger, embedded bool) (asynq.RedisConnOpt, func(), error) {
	if u := cfg.RedisURL; u != "" {
		opt, err := asynq.ParseRedisURI(u)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", envRedis, err)
		}
		return opt, func() {}, nil
	}
	if !embedded {
		return nil, nil, fmt.Errorf("set %s: worker processes share the web node's Redis", envRedis)
	}
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("in-process Redis: %w", err)
	}
	log.Info("no "+envRedis+": using an in-process Redis (miniredis); queued work is rebuilt from the store at start-up", "addr", mr.Addr())
	// miniredis only ages keys when told to; asynq's heartbeats and
	// counters rely on TTLs, so let its clock follow the real one.
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				mr.FastForward(time.Second)
			}
		}
	}()
	return asynq.RedisClientOpt{Addr: mr.Addr()}, func() { close(stop); mr.Close() }, nil
}
