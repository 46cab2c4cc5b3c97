package web

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// Logged logs each request h serves and turns a panic in h into a 500.
func Logged(log *slog.Logger, h http.Handler) http.Handler {
	onErr := JSONErrors(log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				log.Error("handler panic", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if !rec.wrote {
					onErr(rec, r, ErrInternal)
				}
			}
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
				level = slog.LevelDebug
			}
			attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds()}
			if id := r.PathValue("id"); id != "" {
				attrs = append(attrs, "item", id)
			}
			log.Log(r.Context(), level, "http", attrs...)
		}()
		h.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (asynqmon
// and large downloads flush).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
