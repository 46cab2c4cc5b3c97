package worker_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
	"github.com/crosscast/crosscast/worker"
)

type env struct{ *pipetest.Env }

func newEnv(t *testing.T, s pipetest.Setup, extra ...renderers.Renderer) *env {
	return &env{pipetest.New(t, s, extra...)}
}

var setups = pipetest.Setups

func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	pipetest.WaitFor(t, d, what, cond)
}

func itemStatus(e *env, id string) (bool, string) { return e.ItemRendered(id) }

func TestSubmitRendersEveryChannel(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			e.ImportBrand(t, "kestrel")
			e.Start(t)
			dir := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "five-days-kungsleden")
			files := readDir(t, dir)
			res, err := e.Service.Submit(context.Background(), app.Bundle{Files: files, Actor: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(res.ItemID, "kestrel.en.") || res.Version != 1 || !res.Created {
				t.Fatalf("submitted: %+v", res)
			}
			waitFor(t, 30*time.Second, "rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
			rs, err := e.DB.Renderings(context.Background(), res.ItemID, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.Status != store.StatusRendered || len(r.Files) == 0 || r.Renders != 1 {
					t.Errorf("%s: %+v", r.Channel, r)
				}
			}
			_, page, err := e.DB.RenderingFile(context.Background(), store.RenderKey{ItemID: res.ItemID, Version: 1, Channel: "portal"}, "index.html")
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

// note is a small item of its own, so many can be submitted quickly.
func note(i int) map[string][]byte {
	return map[string][]byte{"index.md": []byte(fmt.Sprintf(`---
title: Field note %d
tags: [notes]
---
Day %d on the trail. The wind came from the west, the tent held, and
the stove boiled water in four minutes.

## Kit

- Ridgeline 2
- a spare guyline
`, i, i))}
}

func submitNotes(t *testing.T, e *env, from, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		res, err := e.Service.Submit(context.Background(), app.Bundle{Brand: "kestrel", Files: note(i), Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ItemID)
	}
	return ids
}

func allRendered(e *env, ids []string) func() (bool, string) {
	return func() (bool, string) {
		n := 0
		for _, id := range ids {
			if ok, _ := itemStatus(e, id); ok {
				n++
			}
		}
		return n == len(ids), fmt.Sprintf("%d of %d rendered", n, len(ids))
	}
}

// checkRenderedOnce asserts every channel of every item ended rendered,
// with exactly one recorded result.
func checkRenderedOnce(t *testing.T, e *env, ids []string) {
	t.Helper()
	for _, id := range ids {
		it, err := e.DB.Item(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := e.DB.Renderings(context.Background(), id, it.LatestVersion)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != len(e.Service.Channels()) {
			t.Errorf("%s: %d renderings for %d channels", id, len(rs), len(e.Service.Channels()))
		}
		for _, r := range rs {
			if r.Status != store.StatusRendered || r.Renders != 1 {
				t.Errorf("%s %s: status %s, recorded %d times", id, r.Channel, r.Status, r.Renders)
			}
		}
	}
}

func TestResubmitIsANoOp(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			e.ImportBrand(t, "kestrel")
			e.Start(t)
			ids := submitNotes(t, e, 1, 1)
			waitFor(t, 20*time.Second, "rendered", allRendered(e, ids))
			again, err := e.Service.Submit(context.Background(), app.Bundle{Brand: "kestrel", Files: note(1)})
			if err != nil {
				t.Fatal(err)
			}
			if again.Created || again.Version != 1 {
				t.Fatalf("the same item again made a new version: %+v", again)
			}
			checkRenderedOnce(t, e, ids)
		})
	}
}

// broken is a channel whose renderer rejects every item, as a renderer
// does for input it cannot render.
type broken struct{}

func (broken) Channel() string { return "broken" }
func (broken) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	return nil, content.Errors{{File: in.Item.Path, Line: 2, Field: "title", Code: content.EInvalid, Message: "this channel cannot render that"}}
}

func TestInputErrorFailsWithoutRetry(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s, broken{})
			e.ImportBrand(t, "kestrel")
			e.Start(t)
			ids := submitNotes(t, e, 1, 1)
			waitFor(t, 20*time.Second, "failed", func() (bool, string) {
				it, _ := e.DB.Item(context.Background(), ids[0])
				return it.Status == store.StatusFailed, it.Status
			})
			rs, _ := e.DB.Renderings(context.Background(), ids[0], 1)
			for _, r := range rs {
				switch r.Channel {
				case "broken":
					if r.Status != store.StatusFailed || r.Attempts != 1 || !strings.Contains(r.Error, "index.md:2: title: this channel cannot render that") {
						t.Errorf("broken: %+v", r)
					}
				default:
					if r.Status != store.StatusRendered {
						t.Errorf("%s: %+v", r.Channel, r)
					}
				}
			}
		})
	}
}

func TestRedisLoss(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			e.ImportBrand(t, "kestrel")
			// Queue the whole run before the worker starts, so the flush
			// below lands in its middle.
			ids := submitNotes(t, e, 1, 100)
			e.Start(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go worker.RunReconciler(ctx, e.Service, nil, 200*time.Millisecond, 300*time.Millisecond)
			waitFor(t, 30*time.Second, "some items rendered", func() (bool, string) {
				n := 0
				for _, id := range ids {
					if ok, _ := itemStatus(e, id); ok {
						n++
					}
				}
				return n >= 5, fmt.Sprint(n)
			})
			// Lose every key: queues, tasks, worker state.
			c := redis.NewClient(&redis.Options{Addr: e.Redis.Addr, DB: e.Redis.DB})
			if err := c.FlushDB(context.Background()).Err(); err != nil {
				t.Fatal(err)
			}
			c.Close()
			waitFor(t, 60*time.Second, "every item rendered after the flush", allRendered(e, ids))
			checkRenderedOnce(t, e, ids)
			replaced := 0
			for _, id := range ids {
				rs, _ := e.DB.Renderings(context.Background(), id, 1)
				for _, r := range rs {
					if r.Enqueues > 1 {
						replaced++
					}
				}
			}
			if replaced == 0 {
				t.Error("no task was re-enqueued: the flush came too late to test anything")
			}
			t.Logf("the reconciler replaced %d lost tasks", replaced)
		})
	}
}

func TestBrandChangeRerendersItems(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			kit2 := importKit(t, e)
			e.Start(t)
			ids := submitNotes(t, e, 1, 3)
			waitFor(t, 20*time.Second, "rendered", allRendered(e, ids))
			page := func() string {
				_, b, _ := e.DB.RenderingFile(context.Background(), store.RenderKey{ItemID: ids[0], Version: 1, Channel: "portal"}, "index.html")
				return string(b)
			}
			if !strings.Contains(page(), "Kestrel") {
				t.Fatal("the page does not show the brand name")
			}
			res := changeBrand(t, e, kit2, "Kestrel Mountain Works")
			if !res.Changed || res.Items != 3 {
				t.Fatalf("brand change: %+v", res)
			}
			waitFor(t, 20*time.Second, "re-rendered with the new brand", func() (bool, string) {
				ok, st := allRendered(e, ids)()
				return ok && strings.Contains(page(), "Kestrel Mountain Works"), st
			})
		})
	}
}

// gate is a channel whose renders wait until the test opens the gate, so
// a render can be caught in flight.
type gate struct {
	started chan struct{}
	open    chan struct{}
}

func newGate() *gate { return &gate{started: make(chan struct{}, 16), open: make(chan struct{})} }

func (g *gate) Channel() string { return "gate" }
func (g *gate) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	g.started <- struct{}{}
	select {
	case <-g.open:
		return &renderers.Output{Files: []renderers.File{{Name: "done.txt", MediaType: "text/plain", Data: []byte(in.Item.Title)}}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func awaitStart(t *testing.T, g *gate) {
	t.Helper()
	select {
	case <-g.started:
	case <-time.After(20 * time.Second):
		t.Fatal("the render never started")
	}
}

// A render in flight at shutdown finishes when it can within the
// shutdown timeout, and otherwise goes back to the queue and is rendered
// (once) by the next worker.
func TestGracefulShutdown(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			t.Run("finishes in time", func(t *testing.T) {
				g := newGate()
				e := newEnv(t, s, g)
				e.ImportBrand(t, "kestrel")
				srv := e.Handler.NewServer(e.Redis, worker.ServerConfig{Concurrency: 2, ShutdownTimeout: 20 * time.Second})
				if err := srv.Start(e.Handler.Mux()); err != nil {
					t.Fatal(err)
				}
				ids := submitNotes(t, e, 1, 1)
				awaitStart(t, g)
				done := make(chan struct{})
				go func() { srv.Shutdown(); close(done) }()
				close(g.open)
				<-done
				rs, _ := e.DB.Renderings(context.Background(), ids[0], 1)
				for _, r := range rs {
					if r.Channel == "gate" && (r.Status != store.StatusRendered || r.Renders != 1) {
						t.Fatalf("the render in flight at shutdown: %+v", r)
					}
				}
			})
			t.Run("requeued after the timeout", func(t *testing.T) {
				g := newGate()
				e := newEnv(t, s, g)
				e.ImportBrand(t, "kestrel")
				srv := e.Handler.NewServer(e.Redis, worker.ServerConfig{Concurrency: 2, ShutdownTimeout: 100 * time.Millisecond})
				if err := srv.Start(e.Handler.Mux()); err != nil {
					t.Fatal(err)
				}
				ids := submitNotes(t, e, 1, 1)
				awaitStart(t, g)
				srv.Shutdown()
				if ok, _ := itemStatus(e, ids[0]); ok {
					t.Fatal("rendered although the render was still blocked")
				}
				close(g.open)
				e.Start(t)
				waitFor(t, 20*time.Second, "rendered by the next worker", func() (bool, string) { return itemStatus(e, ids[0]) })
				checkRenderedOnce(t, e, ids)
			})
		})
	}
}

// Enqueueing the same work twice leaves one task: IDs are derived from
// what the task does.
func TestDuplicateEnqueueIsANoOp(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			e.ImportBrand(t, "kestrel")
			ctx := context.Background()
			res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: note(1)})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := e.DB.Brand(ctx, "kestrel")
			plan, err := e.Service.Plan(tasks.QueueCritical)(res.ItemID, res.Version, b.Hash)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if err := e.Service.Dispatch(ctx, plan.Tasks); err != nil {
					t.Fatal(err)
				}
			}
			info, err := e.Queue.Inspector().GetQueueInfo(tasks.QueueCritical)
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != 1 {
				t.Fatalf("%d tasks queued for one submission", info.Size)
			}
		})
	}
}

// A finished item rebuilds its own brand's catalog index and feeds, and
// no other brand's.
func TestIndexRebuildsOnlyItsBrand(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			cr, err := catalog.New(&images.Cache{})
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, s, cr)
			e.ImportBrand(t, "kestrel")
			e.ImportBrand(t, "tulpwerk")
			e.Start(t)
			ctx := context.Background()
			ids := submitNotes(t, e, 1, 2)
			tulp, err := e.Service.Submit(ctx, app.Bundle{Brand: "tulpwerk", Files: readDir(t, filepath.Join(testenv.RepoRoot(t), "examples", "tulpwerk", "items")), Path: "glas-collectie.nl.md"})
			if err != nil {
				t.Fatal(err)
			}
			built := func(brand string) func() (bool, string) {
				return func() (bool, string) {
					bi, err := e.DB.BrandIndex(ctx, brand)
					if err != nil {
						return false, err.Error()
					}
					return bi.Wanted > 0 && bi.Built == bi.Wanted, fmt.Sprintf("%+v", *bi)
				}
			}
			waitFor(t, 30*time.Second, "items rendered", allRendered(e, append(ids, tulp.ItemID)))
			waitFor(t, 30*time.Second, "kestrel index", built("kestrel"))
			waitFor(t, 30*time.Second, "tulpwerk index", built("tulpwerk"))
			k0, _ := e.DB.BrandIndex(ctx, "kestrel")
			t0, _ := e.DB.BrandIndex(ctx, "tulpwerk")

			changed := note(1)
			changed["index.md"] = []byte(strings.Replace(string(changed["index.md"]), "the tent held", "the tent held all night", 1))
			if _, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: changed}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 30*time.Second, "kestrel index rebuilt", func() (bool, string) {
				bi, _ := e.DB.BrandIndex(ctx, "kestrel")
				return bi.Wanted > k0.Wanted && bi.Built == bi.Wanted, fmt.Sprintf("%+v", *bi)
			})
			k1, _ := e.DB.BrandIndex(ctx, "kestrel")
			t1, _ := e.DB.BrandIndex(ctx, "tulpwerk")
			if k1.Builds <= k0.Builds {
				t.Errorf("kestrel's index was not rebuilt: %d builds, then %d", k0.Builds, k1.Builds)
			}
			if t1.Builds != t0.Builds || t1.Wanted != t0.Wanted {
				t.Errorf("tulpwerk's index was rebuilt for a kestrel change: %+v, then %+v", *t0, *t1)
			}
			_, feed, err := e.DB.IndexFile(ctx, "kestrel", "feed.json")
			if err != nil || !strings.Contains(string(feed), "the tent held all night") || !strings.Contains(string(feed), "Field note 2") {
				t.Fatalf("kestrel's feed after the change: %v\n%.400s", err, feed)
			}
			_, sm, err := e.DB.IndexFile(ctx, "tulpwerk", "sitemap.xml")
			if err != nil || !strings.Contains(string(sm), "nieuwe-collectie") {
				t.Fatalf("tulpwerk sitemap: %v", err)
			}
		})
	}
}
