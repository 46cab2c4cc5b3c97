package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/crosscast/crosscast/server/web"
)

// readyTimeout bounds a readiness probe that sets no deadline of its own.
const readyTimeout = 2 * time.Second

// healthz answers /healthz, liveness: 200 whenever the process runs and
// serves HTTP. It checks no dependency on purpose: an orchestrator
// restarts a process that fails it, and a Redis or database blip must not
// restart every instance at once. /readyz covers those.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	body := map[string]string{"status": "ok"}
	if s.version != "" {
		body["version"] = s.version
	}
	web.WriteJSON(w, http.StatusOK, body)
}

// readyz answers /readyz, readiness: 200 when the database and Redis both
// answer within the probe's context (at most readyTimeout), 503 naming
// the one that does not. Both are asked at once, so a slow database does
// not use up Redis's time.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	var dbErr, redisErr error
	var wg sync.WaitGroup
	wg.Go(func() { dbErr = s.db.Ping(ctx) })
	wg.Go(func() { redisErr = s.svc.Ping(ctx) })
	wg.Wait()
	checks := map[string]string{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	if dbErr != nil {
		checks["database"], status = dbErr.Error(), http.StatusServiceUnavailable
	}
	if redisErr != nil {
		checks["redis"], status = redisErr.Error(), http.StatusServiceUnavailable
	}
	web.WriteJSON(w, status, checks)
}
