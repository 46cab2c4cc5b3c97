package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hibiken/asynqmon"

	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// monitorServer is the UI with the real queue monitor mounted, as serve
// mounts it, and an admin user.
func monitorServer(t *testing.T) string {
	t.Helper()
	e := pipetest.New(t, pipetest.Setups[0])
	mon := asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: e.Redis})
	t.Cleanup(func() { mon.Close() })
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service, QueueMonitor: mon}))
	t.Cleanup(srv.Close)
	if _, _, err := e.DB.CreateUser(context.Background(), "admin", store.RoleAdmin, uiPassword); err != nil {
		t.Fatal(err)
	}
	return srv.URL
}

// /admin/queues/ sends the UI's protections: no framing, nosniff, and a
// CSP that allows the monitor's own inline scripts by hash only.
func TestQueueMonitorHeaders(t *testing.T) {
	base := monitorServer(t)
	u := &ui{url: base}
	c := u.browser(t)
	if r, _ := u.get(t, c, "/admin/queues/"); r.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("signed out, /admin/queues/ sends CSP %q", r.Header.Get("Content-Security-Policy"))
	}
	u.login(t, c, "admin", uiPassword)
	for _, p := range []string{"/admin/queues/", "/admin/queues/queues/default", "/admin/queues/favicon.ico", "/admin/queues/api/queues"} {
		r, body := u.get(t, c, p)
		h := r.Header
		csp := h.Get("Content-Security-Policy")
		if r.StatusCode != 200 || h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "script-src 'self' 'sha256-") || strings.Contains(csp, "'unsafe-inline' ;") || strings.Contains(csp, "script-src 'self' 'unsafe") {
			t.Errorf("%s: %d, nosniff %q, CSP %q", p, r.StatusCode, h.Get("X-Content-Type-Options"), csp)
		}
		if !strings.HasSuffix(p, "/") {
			continue
		}
		// Every inline script of the page is allowed by its hash.
		for _, m := range regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(body, -1) {
			sum := sha256.Sum256([]byte(m[1]))
			if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
				t.Errorf("%s: an inline script is not allowed by the CSP: %.60q", p, m[1])
			}
		}
	}
}

// The monitor still works under its CSP: in Chromium it draws its queue
// table and the console has no CSP refusal.
func TestQueueMonitorInBrowser(t *testing.T) {
	base := monitorServer(t)
	ctx := checkers.Browser(t)
	seen := checkers.Console(ctx)
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := chromedp.Do(c, chromedp.Navigate(base+"/login?next=/admin/queues/"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "admin"), chromedp.SendKeys("#password", uiPassword), chromedp.Submit("#password"))
	if err != nil {
		t.Fatal(err)
	}
	pipetest.WaitFor(t, 20*time.Second, "the monitor's app drew", func() (bool, string) {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + " " + (document.querySelector("#root")?.innerText ?? "")`))
		if err != nil {
			return false, err.Error()
		}
		return strings.HasPrefix(s, "/admin/queues/") && strings.Contains(s, "Queues"), s
	})
	// And it has a way back to crosscast.
	if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("a.cc-back")?.getAttribute("href") ?? ""`)); err != nil || href != "/" {
		t.Errorf("no link back to crosscast on the monitor (%q, %v)", href, err)
	}
	console := seen()
	for _, m := range console {
		if strings.Contains(m, "Content Security Policy") {
			t.Errorf("console: %s", m)
		}
	}
}
