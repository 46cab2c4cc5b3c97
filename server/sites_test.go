package server_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/server"
)

// Published sites are served on the UI's origin, so every file under
// /sites carries a CSP sandbox: an SVG (or page) there with a script in
// it gets an opaque origin and runs no script, even opened directly.
func TestSitesAreSandboxed(t *testing.T) {
	root := t.TempDir()
	site := filepath.Join(root, "kestrel")
	if err := os.MkdirAll(site, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"index.html": `<!doctype html><title>Kestrel</title><script>alert(1)</script>`,
		"logo.svg":   `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(document.cookie)</script></svg>`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(site, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(server.New(server.Config{Sites: root}))
	t.Cleanup(srv.Close)
	for _, p := range []string{"/sites/kestrel/", "/sites/kestrel/index.html", "/sites/kestrel/logo.svg"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(csp, "sandbox") || strings.Contains(csp, "allow-scripts") || !strings.Contains(csp, "script-src 'none'") {
			t.Errorf("%s: %d, CSP %q; want a sandbox that runs no script", p, resp.StatusCode, csp)
		}
		if strings.HasSuffix(p, ".svg") && resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("%s served as %q", p, resp.Header.Get("Content-Type"))
		}
	}
}
