package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// buildBinary compiles crosscast once for tests that run it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "crosscast")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// photo makes a distinct JPEG, large enough that resizing it takes a
// worker real time.
func photo(i, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x*255/w + i), uint8(y*255/h + 3*i), uint8(i * 7), 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}

func crashItem(i int) map[string][]byte {
	return map[string][]byte{
		"index.md": []byte(fmt.Sprintf(`---
title: Trip report %d
tags: [trips]
hero: {src: hero.jpg, alt: The view from camp on day %d}
---
We walked for %d hours, pitched the tent in a hollow out of the wind and
slept well.
`, i, i, i%9+1)),
		"hero.jpg": photo(i, 1400, 900),
	}
}

// TestCrashRecovery submits 200 items, SIGKILLs the worker process five
// times at random points of the run, restarting it each time, and checks
// that every item ends rendered in every channel, each rendering recorded
// exactly once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs for about a minute")
	}
	e := pipetest.New(t, pipetest.Setup{Redis: "real", DB: "real"})
	bin := buildBinary(t)
	e.ImportBrand(t, "kestrel")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	const n = 200
	ids := make([]string, 0, n)
	for i := range n {
		res, err := e.Pipeline.Submit(ctx, worker.Bundle{Brand: "kestrel", Files: crashItem(i), Actor: "crash-test"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ItemID)
	}
	// This process plays the web node: its reconciler runs as serve's would.
	go e.Pipeline.RunReconciler(ctx, 500*time.Millisecond, time.Second)

	logs, _ := os.Create(filepath.Join(t.TempDir(), "worker.log"))
	defer logs.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "worker", "--concurrency", "4")
		cmd.Env = append(os.Environ(),
			fmt.Sprintf("REDIS_URL=redis://%s/%d", e.Redis.Addr, e.Redis.DB),
			"DATABASE_URL="+e.DSN,
			envRetryDelay+"=200ms",
			envReconcile+"=500ms",
			envLogLevel+"=warn",
		)
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	rendered := func() int {
		items, err := e.DB.Items(ctx, store.ItemFilter{Status: store.StatusRendered, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(items)
	}

	// Kill at random points of progress (by rendered count), not at
	// random times, so the kills land inside the run on any machine.
	var at []int
	for range 5 {
		at = append(at, 5+rand.IntN(n*3/4))
	}
	slices.Sort(at)
	cmd := start()
	for k, threshold := range at {
		pipetest.WaitFor(t, 2*time.Minute, fmt.Sprintf("kill %d at %d rendered", k+1, threshold), func() (bool, string) {
			r := rendered()
			return r >= threshold, fmt.Sprint(r, " rendered")
		})
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		t.Logf("SIGKILL %d with %d of %d items rendered", k+1, rendered(), n)
		cmd = start()
	}
	pipetest.WaitFor(t, 3*time.Minute, "every item rendered", func() (bool, string) {
		r := rendered()
		return r == n, fmt.Sprintf("%d of %d rendered", r, n)
	})
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	var attempts, reenqueued int
	for _, id := range ids {
		rs, err := e.DB.Renderings(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != len(e.Pipeline.Channels()) {
			t.Errorf("%s: %d renderings", id, len(rs))
		}
		for _, r := range rs {
			if r.Status != store.StatusRendered || r.Renders != 1 {
				t.Errorf("%s %s: %s, recorded %d times", id, r.Channel, r.Status, r.Renders)
			}
			attempts += r.Attempts
			if r.Enqueues > 1 {
				reenqueued++
			}
		}
	}
	t.Logf("%d renderings, %d attempts, %d re-enqueued by the reconciler", n*len(e.Pipeline.Channels()), attempts, reenqueued)
}
