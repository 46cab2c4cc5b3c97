package worker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/worker"
)

// RunReconciler returns once its context ends, so serve and worker can
// wait for it before they close the store.
func TestRunReconcilerReturnsWhenCancelled(t *testing.T) {
	e := newEnv(t, setups[0])
	e.ImportBrand(t, "kestrel")
	submitNotes(t, e, 1, 3)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		worker.RunReconciler(ctx, e.Service, nil, time.Hour, 0)
	}()
	waitFor(t, 10*time.Second, "the first pass emptied the outbox", func() (bool, string) {
		rows, err := e.DB.Outbox(context.Background(), time.Now().Add(time.Hour), 10)
		return err == nil && len(rows) == 0, "outbox rows left"
	})
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunReconciler still running 10 s after its context ended")
	}
}

// Ping gives up when its context does, even against a Redis that
// accepts connections and never answers (asynq's inspector would wait
// for its own read timeout).
func TestPingHonoursContext(t *testing.T) {
	e := newEnv(t, setups[0])
	if err := e.Service.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Service.Ping(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping with an ended context: %v, want context.Canceled", err)
	}

	silent := testenv.SilentServer(t)
	mute := worker.NewQueue(worker.QueueConfig{Redis: asynq.RedisClientOpt{Addr: silent}})
	defer mute.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := mute.Ping(ctx)
	if took := time.Since(start); err == nil || took > 2*time.Second {
		t.Errorf("Ping against a silent Redis: %v after %v; want an error within its 300 ms context", err, took)
	}
}
