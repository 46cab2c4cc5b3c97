// Package pipetest builds the application service over real parts for
// tests: a store (SQLite file or PostgreSQL schema), a Redis (in-process
// miniredis or the machine's server) with the worker's queue over it
// and, when started, a worker server.
package pipetest

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// Setup picks the services: "embedded" (miniredis, SQLite) or "real"
// (Redis, PostgreSQL).
type Setup struct{ Redis, DB string }

func (s Setup) String() string { return "redis=" + s.Redis + ",db=" + s.DB }

// Setups are the pairs every pipeline test runs on: the embedded default
// and the real servers.
var Setups = []Setup{{"embedded", "embedded"}, {"real", "real"}}

// Env is the service over real parts.
type Env struct {
	DB      *store.DB
	DSN     string
	Service *app.Service
	Queue   *worker.Queue
	Handler *worker.Handler
	Redis   asynq.RedisClientOpt
	Mini    *miniredis.Miniredis // nil with a real Redis
}

// New builds the service with the portal renderer plus extra ones.
func New(t testing.TB, s Setup, extra ...renderers.Renderer) *Env {
	t.Helper()
	return NewWithQueue(t, s, nil, nil, extra...)
}

// NewWith is New with a hook that adjusts the service's configuration
// (publishing targets' clients, the site folder) before it is built.
func NewWith(t testing.TB, s Setup, configure func(*app.Config), extra ...renderers.Renderer) *Env {
	t.Helper()
	return NewWithQueue(t, s, configure, nil, extra...)
}

// NewWithQueue is NewWith with a hook for the queue's configuration too
// (a render task's deadline).
func NewWithQueue(t testing.TB, s Setup, configure func(*app.Config), configureQueue func(*worker.QueueConfig), extra ...renderers.Renderer) *Env {
	t.Helper()
	ctx := context.Background()
	e := &Env{}
	if s.DB == "real" {
		e.DSN = testenv.Postgres(t)
	} else {
		e.DSN = testenv.SQLite(t)
	}
	db, err := store.Open(ctx, e.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e.DB = db
	if s.Redis == "real" {
		addr, n := testenv.Redis(t)
		e.Redis = asynq.RedisClientOpt{Addr: addr, DB: n}
	} else {
		e.Mini = miniredis.NewMiniRedis()
		if err := e.Mini.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Mini.Close)
		e.Redis = asynq.RedisClientOpt{Addr: e.Mini.Addr()}
	}
	pr, err := portal.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	qcfg := worker.QueueConfig{Redis: e.Redis, Logger: log, MaxRetry: 3}
	if configureQueue != nil {
		configureQueue(&qcfg)
	}
	e.Queue = worker.NewQueue(qcfg)
	t.Cleanup(func() { e.Queue.Close() })
	cfg := app.Config{Store: db, Queue: e.Queue, Renderers: append([]renderers.Renderer{pr}, extra...), Logger: log}
	if configure != nil {
		configure(&cfg)
	}
	e.Service = app.New(cfg)
	e.Handler = worker.NewHandler(e.Service, e.Queue, log)
	return e
}

// Start runs a worker server until the test ends.
func (e *Env) Start(t *testing.T) {
	t.Helper()
	srv := e.Handler.NewServer(e.Redis, worker.ServerConfig{Concurrency: 4, RetryDelay: func(int) time.Duration { return 50 * time.Millisecond }})
	if err := srv.Start(e.Handler.Mux()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// ImportBrand stores one of the example brand kits.
func (e *Env) ImportBrand(t testing.TB, name string) {
	t.Helper()
	if _, _, err := e.Service.ImportBrand(context.Background(), filepath.Join(testenv.RepoRoot(t), "examples", name), "test"); err != nil {
		t.Fatal(err)
	}
}

// ItemRendered reports whether an item's latest version is rendered, and
// its status.
func (e *Env) ItemRendered(id string) (bool, string) {
	it, err := e.DB.Item(context.Background(), id)
	if err != nil {
		return false, err.Error()
	}
	return it.Status == store.StatusRendered, it.Status
}

// WaitFor polls until cond holds or the deadline passes.
func WaitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, still waiting for %s: %s", d, what, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }

// Long skips, under -short, a test that renders the example photos
// through every channel and waits for it: minutes under the race
// detector. make test runs them in full; CI's race run uses -short.
func Long(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("renders photos through every channel; run without -short")
	}
}
