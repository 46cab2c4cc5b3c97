package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/bounce"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/server"
)

// POST /bounces/ is mounted behind cross-origin protection: a mail
// server or an ESP sends neither Origin nor Sec-Fetch-Site and gets
// through to the endpoint's own checks; a browser's cross-site post is
// refused before it.
func TestBounceEndpoints(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	const secret = "pipe-secret-0123456789"
	h := bounce.Handler(bounce.Config{Recorder: e.Service.Bounces(bounce.Policy{}), Keys: e.Service.VERPKeys, PipeSecret: secret})
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service, Bounces: h}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name, path, auth, site string
		want                   int
	}{
		{"mail server", "/bounces/pipe", "Bearer " + secret, "", http.StatusOK},
		{"wrong secret", "/bounces/pipe", "Bearer not-the-secret-at-all", "", http.StatusUnauthorized},
		{"cross-site browser", "/bounces/pipe", "Bearer " + secret, "cross-site", http.StatusForbidden},
		{"provider not configured", "/bounces/mailgun", "", "", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+tc.path, strings.NewReader("From: someone@example.org\r\nSubject: out of office\r\n\r\nAway.\r\n"))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		if tc.site != "" {
			req.Header.Set("Sec-Fetch-Site", tc.site)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
}
