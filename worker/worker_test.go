package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// env is a pipeline over real parts: a store, a Redis and a running
// worker server.
type env struct {
	db    *store.DB
	p     *worker.Pipeline
	redis asynq.RedisClientOpt
	srv   *asynq.Server
}

type setup struct {
	redis, db string // "real" or "embedded"
}

func (s setup) String() string { return "redis=" + s.redis + ",db=" + s.db }

// setups are the pairs every pipeline test runs on: the embedded default
// (miniredis + SQLite) and the real servers (Redis + PostgreSQL).
var setups = []setup{{"embedded", "embedded"}, {"real", "real"}}

func newEnv(t *testing.T, s setup, extra ...renderers.Renderer) *env {
	t.Helper()
	ctx := context.Background()
	var dsn string
	if s.db == "real" {
		dsn = testenv.Postgres(t)
	} else {
		dsn = testenv.SQLite(t)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var ro asynq.RedisClientOpt
	if s.redis == "real" {
		addr, n := testenv.Redis(t)
		ro = asynq.RedisClientOpt{Addr: addr, DB: n}
	} else {
		m := miniredis.NewMiniRedis()
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		ro = asynq.RedisClientOpt{Addr: m.Addr()}
	}
	pr, err := portal.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p := worker.New(worker.Config{Store: db, Redis: ro, Renderers: append([]renderers.Renderer{pr}, extra...), Logger: log, MaxRetry: 3})
	t.Cleanup(func() { p.Close() })
	return &env{db: db, p: p, redis: ro}
}

func (e *env) start(t *testing.T) {
	t.Helper()
	e.srv = e.p.NewServer(e.redis, worker.ServerConfig{Concurrency: 4, RetryDelay: func(int) time.Duration { return 50 * time.Millisecond }})
	if err := e.srv.Start(e.p.Handler()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.srv.Shutdown)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }

func importBrand(t *testing.T, e *env, name string) {
	t.Helper()
	if _, _, err := e.p.ImportBrand(context.Background(), filepath.Join(testenv.RepoRoot(t), "examples", name), "test"); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls until cond holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
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

func itemStatus(e *env, id string) (bool, string) {
	it, err := e.db.Item(context.Background(), id)
	if err != nil {
		return false, err.Error()
	}
	return it.Status == store.StatusRendered, it.Status
}

func TestSubmitRendersEveryChannel(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			importBrand(t, e, "kestrel")
			e.start(t)
			dir := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "five-days-kungsleden")
			files := readDir(t, dir)
			res, err := e.p.Submit(context.Background(), worker.Bundle{Files: files, Actor: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(res.ItemID, "kestrel.en.") || res.Version != 1 || !res.Created {
				t.Fatalf("submitted: %+v", res)
			}
			waitFor(t, 30*time.Second, "rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
			rs, err := e.db.Renderings(context.Background(), res.ItemID, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.Status != store.StatusRendered || len(r.Files) == 0 || r.Renders != 1 {
					t.Errorf("%s: %+v", r.Channel, r)
				}
			}
			_, page, err := e.db.RenderingFile(context.Background(), store.RenderKey{ItemID: res.ItemID, Version: 1, Channel: "portal"}, "index.html")
			if err != nil || len(page) < 1000 {
				t.Fatalf("portal page: %d bytes, %v", len(page), err)
			}
		})
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var _ = fmt.Sprint
