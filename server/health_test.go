package server_test

import (
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/worker"
)

// healthServer serves a pipeline whose Redis is at addr.
func healthServer(t *testing.T, addr string) *api {
	t.Helper()
	e := pipetest.New(t, pipetest.Setups[0])
	q := worker.NewQueue(worker.QueueConfig{Redis: asynq.RedisClientOpt{Addr: addr}})
	t.Cleanup(func() { q.Close() })
	p := app.New(app.Config{Store: e.DB, Queue: q})
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: p}))
	t.Cleanup(srv.Close)
	return &api{Env: e, url: srv.URL}
}

// Liveness is the process running; readiness is the store and Redis
// answering. With Redis unreachable the process is alive and not ready.
func TestHealthRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close() // nothing listens there now
	a := healthServer(t, closed)
	if code, body := a.do(t, "GET", "/healthz", "", "", nil); code != 200 || body["status"] != "ok" {
		t.Errorf("/healthz with Redis unreachable: %d %v; want 200", code, body)
	}
	if code, body := a.do(t, "GET", "/readyz", "", "", nil); code != 503 || body["redis"] == "ok" || body["database"] != "ok" {
		t.Errorf("/readyz with Redis unreachable: %d %v; want 503 naming redis only", code, body)
	}
}

// A Redis that accepts connections and never answers costs a readiness
// probe its 2 s budget, not asynq's or go-redis's longer timeouts.
func TestHealthRedisSilent(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the 2 s readiness budget")
	}
	silent := testenv.SilentServer(t)
	a := healthServer(t, silent)
	if code, _ := a.do(t, "GET", "/healthz", "", "", nil); code != 200 {
		t.Errorf("/healthz with Redis silent: %d; want 200", code)
	}
	start := time.Now()
	code, body := a.do(t, "GET", "/readyz", "", "", nil)
	if took := time.Since(start); code != 503 || body["redis"] == "ok" || took > 3*time.Second {
		t.Errorf("/readyz with Redis silent: %d %v after %v; want 503 naming redis within about 2 s", code, body, took)
	}
}

// /healthz names the build's version when the server is given one.
func TestHealthzVersion(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service, Version: "v1.2.3"}))
	t.Cleanup(srv.Close)
	a := &api{Env: e, url: srv.URL}
	if code, body := a.do(t, "GET", "/healthz", "", "", nil); code != 200 || body["version"] != "v1.2.3" {
		t.Errorf("/healthz: %d %v; want version v1.2.3", code, body)
	}
}
