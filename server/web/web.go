// Package web holds what the HTTP packages (api, ui, reader) share: the
// one mapping from domain errors to HTTP statuses and messages, the
// Handler type whose error one adapter writes, token and session
// authentication, and the request log with panic recovery.
package web

import (
	"log/slog"
	"net/http"
)

// Handler is an HTTP handler that returns its failure instead of
// writing it, so that each handler has one way out and one place (the
// ErrorFunc it is wrapped with) turns the error into a response.
type Handler func(http.ResponseWriter, *http.Request) error

// ErrorFunc writes a failed request's error as a response.
type ErrorFunc func(http.ResponseWriter, *http.Request, error)

// Wrap returns h as an http.Handler whose errors onErr writes.
func Wrap(h Handler, onErr ErrorFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			onErr(w, r, err)
		}
	})
}

// JSONErrors returns the ErrorFunc of the JSON API: the error as
// {"error": {...}}, logging what the client is not told (to log; nil
// logs nothing).
func JSONErrors(log *slog.Logger) ErrorFunc {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(w http.ResponseWriter, r *http.Request, err error) {
		ae := ToError(err)
		if ae == nil {
			log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			ae = ErrInternal
		}
		if ae.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="crosscast"`)
		}
		WriteJSON(w, ae.Status, map[string]any{"error": ae})
	}
}
