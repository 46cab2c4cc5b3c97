package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// Each domain error has one status and code, whoever wraps it.
func TestToError(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("item x: %w", store.ErrNotFound), http.StatusNotFound, content.ENotFound},
		{fmt.Errorf("delivery: %w", store.ErrConflict), http.StatusConflict, web.CodeConflict},
		{fmt.Errorf("owner: %w", store.ErrForbidden), http.StatusForbidden, web.CodeForbidden},
		{fmt.Errorf("x: %w", store.ErrInvalid), http.StatusUnprocessableEntity, content.EInvalid},
		{content.Errors{{Code: content.ETooLarge, Message: "big"}}, http.StatusRequestEntityTooLarge, content.ETooLarge},
		{&http.MaxBytesError{Limit: 8 << 20}, http.StatusRequestEntityTooLarge, content.ETooLarge},
		{web.BadRequest("no"), http.StatusBadRequest, web.CodeBadRequest},
	} {
		ae := web.ToError(tc.err)
		if ae == nil || ae.Status != tc.status || ae.Code != tc.code {
			t.Errorf("%v: %+v, want %d %s", tc.err, ae, tc.status, tc.code)
		}
	}
	if ae := web.ToError(errors.New("disk on fire")); ae != nil {
		t.Errorf("the server's own failure mapped to %+v", ae)
	}
	if web.UserError(errors.New("disk on fire")) != nil || web.InputProblems(errors.New("disk on fire")) != nil {
		t.Error("the server's own failure is told to the user")
	}
}

// A handler's error is written once, by the adapter: the server's own
// failure as a bare 500, an auth failure with its challenge.
func TestWrapWritesJSONErrors(t *testing.T) {
	onErr := web.JSONErrors(nil)
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{errors.New("disk on fire"), http.StatusInternalServerError, web.CodeInternal},
		{web.ErrUnauthorized, http.StatusUnauthorized, web.CodeUnauthorized},
	} {
		h := web.Wrap(func(http.ResponseWriter, *http.Request) error { return tc.err }, onErr)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/x", nil))
		var body struct{ Error web.Error }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if rec.Code != tc.status || body.Error.Code != tc.code {
			t.Errorf("%v: %d %+v", tc.err, rec.Code, body.Error)
		}
		if got := rec.Header().Get("WWW-Authenticate") != ""; got != (tc.status == http.StatusUnauthorized) {
			t.Errorf("%v: WWW-Authenticate %q", tc.err, rec.Header().Get("WWW-Authenticate"))
		}
	}
}
