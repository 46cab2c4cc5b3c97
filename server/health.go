package server

import (
	"context"
	"net/http"
	"time"
)

// health answers /healthz and /readyz: 200 when the database and Redis
// both respond, 503 naming the one that does not. A process that cannot
// reach either can do no work, so liveness and readiness agree.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := s.db.Ping(ctx); err != nil {
		checks["database"], status = err.Error(), http.StatusServiceUnavailable
	}
	if err := s.pipeline.Ping(ctx); err != nil {
		checks["redis"], status = err.Error(), http.StatusServiceUnavailable
	}
	writeJSON(w, status, checks)
}
