package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
	"github.com/crosscast/crosscast/worker"
)

// TestPoisonRender runs a real `crosscast worker` process over a run of
// items, one of which kills the process whenever its portal page is
// rendered (the crashhook build's stand-in for an image that makes the
// process run out of memory). The worker is started again each time it
// dies. After at most three deaths the rendering must be failed with a
// clear error, never run again, every other item and channel rendered,
// and the worker up.
func TestPoisonRender(t *testing.T) {
	if testing.Short() {
		t.Skip("the poison test waits out asynq's 30-second lease once per death")
	}
	t.Parallel() // see TestMain
	bin := buildBinary(t, "crashhook")
	for _, s := range []pipetest.Setup{{Redis: "real", DB: "embedded"}, {Redis: "real", DB: "real"}} {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			poisonRun(t, bin, s)
		})
	}
}

func poisonRun(t *testing.T, bin string, s pipetest.Setup) {
	// The web node plans every channel the worker renders.
	var rs []renderers.Renderer
	for name, mk := range channels() {
		if name != portal.Channel {
			r, err := mk(renderers.Shared{Images: &images.Cache{}})
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
	}
	e := pipetest.New(t, s, rs...)
	e.ImportBrand(t, "kestrel")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 8
	ids := make([]string, 0, n)
	for i := range n {
		files := crashItem(i)
		files["hero.jpg"] = photo(i, 600, 400)
		res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: files, Actor: "poison-test"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ItemID)
	}
	poison := ids[n/2]
	k := store.RenderKey{ItemID: poison, Version: 1, Channel: "portal"}
	// This process plays the web node, with serve's reconciler.
	go worker.RunReconciler(ctx, e.Service, nil, 500*time.Millisecond, time.Second)

	w := newWorkers(t, bin, 2, e, []string{"CROSSCAST_TEST_CRASH_ON=" + poison + "/portal"})
	exited := make(chan error, 1)
	start := func() {
		w.start()
		cmd := w.cmd
		go func() { exited <- cmd.Wait() }()
	}
	// w.kill and w.stop wait for the process themselves: hand them one
	// that has already been waited for.
	t.Cleanup(func() {
		if w.cmd != nil {
			w.cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			w.cmd = nil
		}
	})
	given := func() (bool, string) {
		r, err := e.DB.Rendering(ctx, k)
		if err != nil {
			return false, err.Error()
		}
		return r.Final(), fmt.Sprintf("%s, %d attempts, %d ended", r.Status, r.Attempts, r.Ended)
	}

	start()
	deaths := 0
	deadline := time.Now().Add(4 * time.Minute)
	for done := false; !done; {
		select {
		case err := <-exited:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the worker exited, but not by its own SIGKILL: %v", err)
			}
			deaths++
			w.cmd = nil
			if deaths > store.MaxUnended {
				t.Fatalf("the worker died %d times", deaths)
			}
			t.Logf("death %d", deaths)
			start()
		case <-time.After(50 * time.Millisecond):
			if ok, state := given(); ok {
				done = true
			} else if time.Now().After(deadline) {
				t.Fatalf("after %d deaths the poisoned rendering is still %s", deaths, state)
			}
		}
	}

	r, err := e.DB.Rendering(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != store.StatusFailed || r.Error != store.DiedError || r.Unended() < store.MaxUnended {
		t.Fatalf("poisoned rendering: %s with %q after %d attempts (%d ended)", r.Status, r.Error, r.Attempts, r.Ended)
	}
	pipetest.WaitFor(t, 2*time.Minute, "every other item rendered", func() (bool, string) {
		done := 0
		for _, id := range ids {
			if ok, _ := e.ItemRendered(id); ok {
				done++
			}
		}
		return done == n-1, fmt.Sprintf("%d of %d rendered", done, n-1)
	})
	// Its other channels may have been in flight when the worker died:
	// they render once their tasks are recovered.
	pipetest.WaitFor(t, 2*time.Minute, "the poisoned item failed", func() (bool, string) {
		it, err := e.DB.Item(ctx, poison)
		return err == nil && it.Status == store.StatusFailed, fmt.Sprint(it, err)
	})
	others, _ := e.DB.Renderings(ctx, poison, 1)
	for _, r := range others {
		if r.Channel != "portal" && r.Status != store.StatusRendered {
			t.Errorf("the poisoned item's %s: %s %q", r.Channel, r.Status, r.Error)
		}
	}
	// asynq still holds the dead worker's task until its recoverer hands
	// it out again (about a minute): it must find the rendering final and
	// leave the worker up.
	in := asynq.NewInspector(e.Redis)
	defer in.Close()
	pipetest.WaitFor(t, 3*time.Minute, "queues drained", func() (bool, string) {
		select {
		case err := <-exited:
			t.Fatalf("the worker died again after the rendering was given up: %v", err)
		default:
		}
		left := 0
		for q := range tasks.Queues() {
			if qi, err := in.GetQueueInfo(q); err == nil {
				left += qi.Pending + qi.Active + qi.Scheduled + qi.Retry
			}
		}
		return left == 0, fmt.Sprint(left, " tasks left")
	})
	select {
	case err := <-exited:
		t.Fatalf("the worker died again: %v", err)
	default:
	}
	if r2, _ := e.DB.Rendering(ctx, k); r2.Attempts != r.Attempts {
		t.Errorf("the given-up rendering was started again: %d attempts, then %d", r.Attempts, r2.Attempts)
	}
	t.Logf("%d deaths; the rendering was started %d times", deaths, r.Attempts)
	w.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		t.Errorf("the worker's shutdown: %v", err)
	}
	w.cmd = nil
}
