package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
)

// recorder notes which parts have returned, in order.
type recorder struct {
	mu      sync.Mutex
	stopped []string
}

func (r *recorder) part(name string, fail error) part {
	return part{name, func(ctx context.Context) error {
		if fail == nil {
			<-ctx.Done()
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.stopped = append(r.stopped, name)
		return fail
	}}
}

func (r *recorder) order() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.stopped)
}

// Parts stop in the order given, each only after the one before it has
// returned, whether the signal ends them or one of them fails.
func TestServePartsStopInOrder(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Run("signal", func(t *testing.T) {
		var r recorder
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- runParts(ctx, log, r.part("http", nil), r.part("workers", nil), r.part("reconciler", nil))
		}()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runParts: %v", err)
		}
		if got := r.order(); !slices.Equal(got, []string{"http", "workers", "reconciler"}) {
			t.Errorf("stopped in the order %v", got)
		}
	})
	t.Run("a part fails", func(t *testing.T) {
		var r recorder
		bad := errors.New("the port is taken")
		err := runParts(context.Background(), log, r.part("http", nil), r.part("workers", bad), r.part("reconciler", nil))
		if !errors.Is(err, bad) || !strings.Contains(err.Error(), "workers: ") {
			t.Errorf("runParts: %v, want the workers' failure", err)
		}
		if got := r.order(); !slices.Equal(got, []string{"workers", "http", "reconciler"}) {
			t.Errorf("stopped in the order %v", got)
		}
	})
	t.Run("a part returns by itself", func(t *testing.T) {
		quits := part{"http", func(context.Context) error { return nil }}
		var r recorder
		if err := runParts(context.Background(), log, quits, r.part("reconciler", nil)); err == nil || !strings.Contains(err.Error(), "http: stopped by itself") {
			t.Errorf("runParts: %v", err)
		}
		if got := r.order(); !slices.Equal(got, []string{"reconciler"}) {
			t.Errorf("stopped: %v", got)
		}
	})
}

// lockedBuffer is a buffer several goroutines write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve, stopped, stops its parts in order and closes the pipeline and
// the store only after the reconciler (here reconciling all the time)
// has returned.
func TestServeStopsInOrder(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	var stdout, stderr lockedBuffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: mapEnv(map[string]string{
		envDatabase:  filepath.Join(dir, "cc.db"),
		envSites:     filepath.Join(dir, "sites"),
		envAddr:      "127.0.0.1:1", // --addr wins
		envReconcile: "10ms",
		envLogLevel:  "debug",
	})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit := make(chan int, 1)
	go func() { exit <- m.Run(ctx, []string{"serve", "--addr", addr, "--workers", "1"}) }()
	pipetest.WaitFor(t, 30*time.Second, "ready", func() (bool, string) {
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d:\n%s", code, stderr.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	select {
	case code := <-exit:
		if code != exitOK {
			t.Errorf("serve exited with %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve still running 30 s after its context ended:\n%s", stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "msg=configuration") || !strings.Contains(log, envAddr+"="+addr) {
		t.Errorf("no debug line with the configuration in effect (--addr %s):\n%s", addr, log)
	}
	at := -1
	for _, step := range []string{
		"msg=stopped part=http", "msg=stopped part=workers", "msg=stopped part=reconciler",
		"msg=closed part=service", "msg=closed part=store",
	} {
		i := strings.Index(log, step)
		if i < 0 || i < at {
			t.Errorf("%q is logged out of order, or not at all:\n%s", step, log)
		}
		at = max(i, at)
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, "reconcile failed") || strings.Contains(line, "closed") && strings.Contains(line, "err=") {
			t.Errorf("logged while stopping: %s", line)
		}
	}
}
