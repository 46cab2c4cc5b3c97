package worker_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
	"github.com/crosscast/crosscast/worker"
)

// slow is a channel whose renderer never finishes in time: it waits for
// its deadline (honest), or goes on past it, as a renderer stuck in a
// loop without a ctx check does.
type slow struct {
	honest  bool
	calls   atomic.Int32
	release chan struct{}
}

func (*slow) Channel() string { return "slow" }
func (s *slow) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	s.calls.Add(1)
	if s.honest {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	<-s.release
	return &renderers.Output{}, nil
}

// A render that runs past its deadline is tried once more and then
// failed with the deadline in its error, instead of being retried (and
// left running) again and again; the item's other channels render.
func TestTimedOutRenderIsGivenUp(t *testing.T) {
	for _, s := range pipetest.Setups {
		for _, honest := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s,honours-ctx=%v", s, honest), func(t *testing.T) {
				t.Parallel()
				r := &slow{honest: honest, release: make(chan struct{})}
				const deadline = time.Second
				e := &env{pipetest.NewWithQueue(t, s, nil, func(c *worker.QueueConfig) { c.RenderTimeout = deadline }, r)}
				e.ImportBrand(t, "kestrel")
				e.Start(t)
				t.Cleanup(func() { close(r.release) }) // before the server's shutdown
				ids := submitNotes(t, e, 1, 1)
				ctx := context.Background()
				waitFor(t, 30*time.Second, "failed", func() (bool, string) {
					it, _ := e.DB.Item(ctx, ids[0])
					return it.Status == store.StatusFailed, it.Status
				})
				// Let every retry asynq still holds run out: they must find
				// the rendering final and not start it.
				in := asynq.NewInspector(e.Redis)
				defer in.Close()
				waitFor(t, 30*time.Second, "queues drained", func() (bool, string) {
					left := 0
					for q := range tasks.Queues() {
						if qi, err := in.GetQueueInfo(q); err == nil {
							left += qi.Pending + qi.Active + qi.Scheduled + qi.Retry
						}
					}
					return left == 0, fmt.Sprint(left, " tasks left")
				})
				checkSlowGivenUp(t, e, ids[0], deadline)
				if n := r.calls.Load(); n != 2 {
					t.Errorf("the renderer was started %d times, want 2", n)
				}
			})
		}
	}
}

// A bulk re-render (a brand change) renders every channel inside its
// item's fan-out task; a channel that stalls there is handed to its own
// task by the end of its deadline and given up by the same rules as any
// render, while the other channels show the new brand.
func TestStalledInlineRenderIsGivenUp(t *testing.T) {
	for _, s := range pipetest.Setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			r := &slow{honest: true, release: make(chan struct{})}
			// After slow in channel order: never run inline, it stalls once
			// in its own task and must still get its second run.
			z := &stallOnce{brand: "Kestrel Mountain Works"}
			const deadline = time.Second
			e := &env{pipetest.NewWithQueue(t, s, nil, func(c *worker.QueueConfig) { c.RenderTimeout = deadline }, r, z)}
			ctx := context.Background()
			kit := importKit(t, e)
			e.Start(t)
			ids := submitNotes(t, e, 1, 1)
			waitFor(t, 30*time.Second, "failed", func() (bool, string) {
				it, _ := e.DB.Item(ctx, ids[0])
				return it.Status == store.StatusFailed, it.Status
			})
			res := changeBrand(t, e, kit, "Kestrel Mountain Works")
			if res.Items != 1 {
				t.Fatalf("brand change: %+v", res)
			}
			waitFor(t, 30*time.Second, "re-rendered", func() (bool, string) {
				rs, _ := e.DB.Renderings(ctx, ids[0], 1)
				final := 0
				for _, x := range rs {
					if x.BrandHash == res.Hash && x.Final() {
						final++
					}
				}
				return final == len(rs), fmt.Sprintf("%d of %d final with the new brand", final, len(rs))
			})
			checkSlowGivenUp(t, e, ids[0], deadline)
			if n := z.calls.Load(); n != 2 {
				t.Errorf("zz was started %d times with the new brand, want 2 (a stall, then its second chance)", n)
			}
			_, page, _ := e.DB.RenderingFile(ctx, store.RenderKey{ItemID: ids[0], Version: 1, Channel: "portal"}, "index.html")
			if !strings.Contains(string(page), "Kestrel Mountain Works") {
				t.Error("the portal page does not show the new brand name")
			}
			// Two starts for the first version, two for the re-render: the
			// one inline and the one of its own task.
			if n := r.calls.Load(); n != 4 {
				t.Errorf("the renderer was started %d times, want 4", n)
			}
			close(r.release)
		})
	}
}

// stallOnce is a channel that waits out its deadline the first time it
// renders for brand, and renders at once otherwise.
type stallOnce struct {
	brand string
	calls atomic.Int32
}

func (*stallOnce) Channel() string { return "zz" }
func (z *stallOnce) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	if in.Brand.Name == z.brand && z.calls.Add(1) == 1 {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &renderers.Output{Files: []renderers.File{{Name: "zz.txt", MediaType: "text/plain", Data: []byte(in.Item.Title)}}}, nil
}

// checkSlowGivenUp asserts the slow channel of the item's first version
// failed with its deadline after two starts, and every other channel
// rendered.
func checkSlowGivenUp(t *testing.T, e *env, id string, deadline time.Duration) {
	t.Helper()
	rs, _ := e.DB.Renderings(context.Background(), id, 1)
	for _, x := range rs {
		switch x.Channel {
		case "slow":
			want := fmt.Sprintf("rendering took longer than %s", deadline)
			if x.Status != store.StatusFailed || x.Error != want || x.Attempts != 2 {
				t.Errorf("slow: %s after %d attempts: %q, want failed after 2: %q", x.Status, x.Attempts, x.Error, want)
			}
		default:
			if x.Status != store.StatusRendered {
				t.Errorf("%s: %s %q after %d attempts", x.Channel, x.Status, x.Error, x.Attempts)
			}
		}
	}
}
