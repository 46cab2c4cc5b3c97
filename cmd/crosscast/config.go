package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// Environment variables. Flags, where a command has them, win.
const (
	envRedis      = "REDIS_URL"          // redis://[:password@]host:port/db; empty: in-process Redis
	envDatabase   = "DATABASE_URL"       // postgres://…; empty: SQLite at ./data/crosscast.db
	envAddr       = "CROSSCAST_ADDR"     // serve's listen address, default :8080
	envBrands     = "CROSSCAST_BRANDS"   // folder of brand kits serve imports at start
	envWorkers    = "CROSSCAST_WORKERS"  // tasks run at once per process, default one per CPU
	envLogLevel   = "CROSSCAST_LOG"      // debug, info (default), warn, error
	envLogFormat  = "CROSSCAST_LOG_JSON" // 1: JSON log lines
	envToken      = "CROSSCAST_TOKEN"    // submit's API token
	envServer     = "CROSSCAST_SERVER"   // submit's server, default http://localhost:8080
	envReconcile  = "CROSSCAST_RECONCILE_INTERVAL"
	envRetryDelay = "CROSSCAST_RETRY_DELAY" // fixed retry delay instead of exponential backoff (tests)
	envImageCache = "CROSSCAST_IMAGE_CACHE_MB"
	envSites      = "CROSSCAST_SITES"      // folder of published brand sites, default ./data/sites
	envPublicURL  = "CROSSCAST_PUBLIC_URL" // where the server is reached, for /r/ links; serve defaults to http://localhost:<port>
	envSMTPCA     = "CROSSCAST_SMTP_CA"    // PEM file of extra CAs SMTP servers may be signed by
)

const defaultDatabase = "data/crosscast.db"

func (m *Main) logger() *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(os.Getenv(envLogLevel)) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	var w io.Writer = m.Stderr
	if os.Getenv(envLogFormat) == "1" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens DATABASE_URL, or the embedded SQLite file, and migrates.
func openStore(ctx context.Context, log *slog.Logger) (*store.DB, error) {
	dsn := os.Getenv(envDatabase)
	if dsn == "" {
		dsn = defaultDatabase
	}
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
func redisOpt(log *slog.Logger, embedded bool) (asynq.RedisConnOpt, func(), error) {
	if u := os.Getenv(envRedis); u != "" {
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

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// pipelineRenderers builds every channel's renderer over one image cache:
// CROSSCAST_IMAGE_CACHE_MB (default 256) in memory, backed by the store,
// which every worker process shares.
func pipelineRenderers(db *store.DB, log *slog.Logger) ([]renderers.Renderer, error) {
	rs, err := allRenderers(&images.Cache{MaxBytes: int64(envInt(envImageCache, 256)) << 20, Shared: worker.SharedDerivatives(db, log)})
	return testHooks(rs), err
}

// allRenderers makes one renderer per channel, sharing cache.
func allRenderers(cache *images.Cache) ([]renderers.Renderer, error) {
	var rs []renderers.Renderer
	all := channels()
	for _, name := range mapKeys(all) {
		r, err := all[name](cache)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func defaultWorkers() int { return envInt(envWorkers, runtime.NumCPU()) }
