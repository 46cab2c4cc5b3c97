package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
)

// Error codes the API answers with, besides content's (invalid,
// too_large, not_found).
const (
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codeBadRequest   = "bad_request"
	codeConflict     = "conflict"
	codeInternal     = "internal"
)

// apiError is a response error: a code programs can switch on, a message
// people can read, and for bad input every problem with file and line.
type apiError struct {
	Status  int                  `json:"-"`
	Code    string               `json:"code"`
	Message string               `json:"message"`
	Errors  []content.Diagnostic `json:"errors,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: "send an API token: Authorization: Bearer cc_…"}
	errForbidden    = &apiError{Status: http.StatusForbidden, Code: codeForbidden, Message: "your token's role may not do this"}
	errNoRoute      = &apiError{Status: http.StatusNotFound, Code: content.ENotFound, Message: "no such API endpoint"}
	errInternal     = &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "internal error; the server log has the details"}
)

func badRequest(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: msg}
}

// toAPIError maps a domain error to its HTTP form. This is the one place
// that knows which error means which status.
func toAPIError(err error) *apiError {
	var ae *apiError
	var ce content.Errors
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ce):
		status := http.StatusUnprocessableEntity
		if ce.Code() == content.ETooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		msg := ce[0].String()
		if len(ce) > 1 {
			msg += " (and more: see errors)"
		}
		return &apiError{Status: status, Code: ce.Code(), Message: msg, Errors: ce}
	case errors.As(err, &mbe):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: content.ETooLarge,
			Message: "the request is larger than the server accepts (" + sizeMB(mbe.Limit) + ")"}
	case errors.Is(err, store.ErrForbidden):
		return &apiError{Status: http.StatusForbidden, Code: codeForbidden, Message: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return &apiError{Status: http.StatusConflict, Code: codeConflict, Message: err.Error()}
	case errors.Is(err, store.ErrInvalid):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: content.EInvalid, Message: err.Error()}
	case errors.Is(err, store.ErrNotFound):
		return &apiError{Status: http.StatusNotFound, Code: content.ENotFound, Message: err.Error()}
	default:
		return nil
	}
}

// error writes err as a JSON error response, logging what the client is
// not told.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	ae := toAPIError(err)
	if ae == nil {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = errInternal
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="crosscast"`)
	}
	writeJSON(w, ae.Status, map[string]any{"error": ae})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func sizeMB(n int64) string { return strconv.FormatInt(n>>20, 10) + " MB" }
