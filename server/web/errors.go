package web

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
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeBadRequest   = "bad_request"
	CodeConflict     = "conflict"
	CodeInternal     = "internal"
)

// Error is a response error: a code programs can switch on, a message
// people can read, and for bad input every problem with file and line.
type Error struct {
	Status  int                  `json:"-"`
	Code    string               `json:"code"`
	Message string               `json:"message"`
	Errors  []content.Diagnostic `json:"errors,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// The errors every part answers with.
var (
	ErrUnauthorized = &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: "send an API token: Authorization: Bearer cc_…"}
	ErrForbidden    = &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: "your token's role may not do this"}
	ErrNoRoute      = &Error{Status: http.StatusNotFound, Code: content.ENotFound, Message: "no such API endpoint"}
	ErrInternal     = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error; the server log has the details"}
)

// BadRequest is a 400 saying msg.
func BadRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: msg}
}

// ToError maps a domain error to its HTTP form, or nil when err is the
// server's own failure. This is the one place that knows which error
// means which status.
func ToError(err error) *Error {
	var ae *Error
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
		return &Error{Status: status, Code: ce.Code(), Message: msg, Errors: ce}
	case errors.As(err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: content.ETooLarge,
			Message: "the request is larger than the server accepts (" + sizeMB(mbe.Limit) + ")"}
	case errors.Is(err, store.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: err.Error()}
	case errors.Is(err, store.ErrInvalid):
		return &Error{Status: http.StatusUnprocessableEntity, Code: content.EInvalid, Message: err.Error()}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: content.ENotFound, Message: err.Error()}
	default:
		return nil
	}
}

// UserError is err as a person can be told it (the mapping, below 500),
// or nil when err is the server's own failure.
func UserError(err error) *Error {
	if ae := ToError(err); ae != nil && ae.Status < 500 {
		return ae
	}
	return nil
}

// InputProblems is err as positioned problems with what was sent, or nil
// when err is the server's own failure.
func InputProblems(err error) content.Errors {
	ae := UserError(err)
	switch {
	case ae == nil:
		return nil
	case len(ae.Errors) > 0:
		return ae.Errors
	}
	return content.Errors{{Message: ae.Message}}
}

// WriteJSON answers with v as indented JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func sizeMB(n int64) string { return strconv.FormatInt(n>>20, 10) + " MB" }
