package worker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// importKit stores a copy of the kestrel kit, in a folder named for the
// brand, and returns the folder, for changeBrand.
func importKit(t *testing.T, e *env) string {
	t.Helper()
	kit := testenv.CopyKit(t, "kestrel")
	if _, _, err := e.Service.ImportBrand(context.Background(), kit, "test"); err != nil {
		t.Fatal(err)
	}
	return kit
}

// changeBrand imports a changed copy of the kestrel kit (kit, from
// testenv.CopyKit) and returns the new brand version.
func changeBrand(t *testing.T, e *env, kit, name string) *store.PutBrandResult {
	t.Helper()
	y, err := os.ReadFile(filepath.Join(kit, "brand.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y = []byte(strings.Replace(string(y), "name: Kestrel Outfitters", "name: "+name, 1))
	if err := os.WriteFile(filepath.Join(kit, "brand.yaml"), y, 0o644); err != nil {
		t.Fatal(err)
	}
	_, res, err := e.Service.ImportBrand(context.Background(), kit, "test")
	if err != nil || !res.Changed {
		t.Fatalf("brand change: %+v %v", res, err)
	}
	return res
}

// A brand change renders its items in groups, each one items:render
// task. The reconciler leaves a group's renderings alone while the
// group's task waits in the queue, takes them for lost once it is gone,
// and every item ends rendered once.
func TestBrandChangeRendersInGroups(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, s)
			kit := importKit(t, e)
			n := tasks.ItemsRenderMax + 5
			ids := submitNotes(t, e, 1, n)
			res := changeBrand(t, e, kit, "Kestrel Mountain Works")
			if res.Items != n || len(res.Outbox) != 2 {
				t.Fatalf("%d items: want 2 group tasks, got %d for %d items", n, len(res.Outbox), res.Items)
			}
			groups := map[string]int{}
			var last store.Rendering
			for _, id := range ids {
				rs, _ := e.DB.Renderings(ctx, id, 1)
				for _, r := range rs {
					groups[r.FanOut]++
					last = r
				}
			}
			if len(groups) != 2 || !strings.HasPrefix(last.FanOut, "items:") {
				t.Fatalf("each rendering must name its group's task: %v", groups)
			}
			// No worker yet: the group tasks wait, and nothing is lost.
			st, err := e.Service.Reconcile(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if st.Lost != 0 {
				t.Fatalf("the reconciler took %d renderings of waiting groups for lost", st.Lost)
			}
			// The second group's task gone (Redis lost it): its renderings
			// are lost, and each gets its own task.
			if err := e.Queue.Delete(ctx, tasks.QueueLow, last.FanOut); err != nil {
				t.Fatal(err)
			}
			if st, err = e.Service.Reconcile(ctx, 0); err != nil {
				t.Fatal(err)
			}
			if want := groups[last.FanOut]; st.Lost != want {
				t.Errorf("the lost group's %d renderings: %d re-enqueued", want, st.Lost)
			}
			e.Start(t)
			waitFor(t, 60*time.Second, "re-rendered with the new brand", allRendered(e, ids))
			checkRenderedOnce(t, e, ids)
			_, page, _ := e.DB.RenderingFile(ctx, store.RenderKey{ItemID: ids[n-1], Version: 1, Channel: "portal"}, "index.html")
			if !strings.Contains(string(page), "Kestrel Mountain Works") {
				t.Error("the last item's page does not show the new brand name")
			}
		})
	}
}

// A group task that is cancelled (from the queue monitor, or at its
// deadline) records what it rendered and hands each item version left
// to its own item:render task, which the reconciler knows too; a worker
// then renders them.
func TestGroupHandsOnWhenCancelled(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, s)
			kit := importKit(t, e)
			ids := submitNotes(t, e, 1, 3)
			res := changeBrand(t, e, kit, "Kestrel Mountain Works")
			pl := tasks.ItemsRenderPayload{BrandHash: res.Hash}
			for _, id := range ids {
				pl.Items = append(pl.Items, tasks.ItemRef{ItemID: id, Version: 1})
			}
			// The cancel comes while the first item renders.
			rctx, stop := context.WithCancel(ctx)
			defer stop()
			turn := func(context.Context) (func(), error) { return stop, nil }
			if err := e.Service.RenderItems(rctx, pl, tasks.QueueLow, time.Minute, turn); err != nil {
				t.Fatal(err)
			}
			if ok, st := itemStatus(e, ids[0]); !ok {
				t.Fatalf("the first item: %s", st)
			}
			for _, id := range ids[1:] {
				if ok, _ := itemStatus(e, id); ok {
					t.Fatalf("%s rendered although the task had no time for it", id)
				}
				info, err := e.Queue.Task(ctx, tasks.QueueLow, tasks.ItemRenderTaskID(id, 1, res.Hash))
				if err != nil || info.State != app.TaskPending {
					t.Fatalf("%s: its own item:render task is %v (%v), want pending", id, info.State, err)
				}
			}
			st, err := e.Service.Reconcile(ctx, 0)
			if err != nil || st.Lost != 0 {
				t.Fatalf("the reconciler took %d handed-on renderings for lost (%v)", st.Lost, err)
			}
			e.Start(t)
			waitFor(t, 30*time.Second, "the rest rendered", allRendered(e, ids))
			checkRenderedOnce(t, e, ids)
		})
	}
}
