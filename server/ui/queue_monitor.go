package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
)

// The queue monitor (asynqmon) is a page on the UI's origin, so it gets
// the UI's protections: no framing, no sniffing, and a CSP. Its index
// page carries two inline scripts, which the CSP allows by their hashes
// (taken from the page itself, once), not with 'unsafe-inline'. Its
// styles are injected at run time and its fonts come from Google Fonts.
const monitorCSPBase = "default-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// withMonitorHeaders sends the security headers with every answer of
// guarded, the queue monitor mounted at root (ending in /) behind its
// sign-in; the script hashes come from monitor itself.
func (ui *UI) withMonitorHeaders(root string, monitor, guarded http.Handler) http.Handler {
	csp := sync.OnceValue(func() string { return ui.monitorCSP(root, monitor) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp())
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		guarded.ServeHTTP(w, r)
	})
}

// monitorCSP renders the monitor's index page in process and allows its
// inline scripts by hash. Should that fail the scripts stay blocked: a
// broken monitor page is safer than an open CSP.
func (ui *UI) monitorCSP(root string, h http.Handler) string {
	req, err := http.NewRequest(http.MethodGet, root, nil)
	if err != nil {
		ui.log.Error("queue monitor CSP", "err", err)
		return monitorCSPBase
	}
	page := &capture{header: http.Header{}}
	h.ServeHTTP(page, req)
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page.body, -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	if page.status != 0 && page.status != http.StatusOK || len(hashes) == 0 {
		ui.log.Warn("queue monitor CSP: no inline scripts found on its index page", "status", page.status)
	}
	return monitorCSPBase + "; script-src 'self' " + strings.Join(hashes, " ")
}

// capture is a ResponseWriter that keeps the body in memory.
type capture struct {
	header http.Header
	status int
	body   []byte
}

func (c *capture) Header() http.Header { return c.header }

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

func (c *capture) Write(b []byte) (int, error) {
	c.body = append(c.body, b...)
	return len(b), nil
}

// backLink is the way home from the queue monitor, whose page is not
// ours: a link back to crosscast, put into each HTML page the monitor
// answers with. Its inline style is allowed by the monitor's CSP.
const backLink = `<a href="/" class="cc-back" style="position:fixed;right:1rem;bottom:1rem;z-index:9999;padding:.5rem .9rem;border-radius:99px;background:#14232e;color:#e9eef2;font:600 14px/1.2 system-ui,sans-serif;text-decoration:none;box-shadow:0 2px 8px rgba(0,0,0,.3)">← crosscast</a>`

// withBackLink adds backLink after <body> in the monitor's HTML pages
// below root; its API (root + "api/") and static files pass untouched.
func withBackLink(root string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, root)
		if strings.HasPrefix(rest, "api/") || strings.Contains(path.Base("/"+rest), ".") {
			h.ServeHTTP(w, r)
			return
		}
		page := &capture{header: w.Header()}
		h.ServeHTTP(page, r)
		body := page.body
		ct := w.Header().Get("Content-Type")
		if ct == "" {
			ct = http.DetectContentType(body) // what the server would send
		}
		if strings.HasPrefix(ct, "text/html") {
			if i := bytes.Index(body, []byte("<body>")); i >= 0 {
				i += len("<body>")
				body = append(body[:i:i], append([]byte(backLink), body[i:]...)...)
				w.Header().Del("Content-Length")
			}
		}
		if page.status != 0 {
			w.WriteHeader(page.status)
		}
		w.Write(body)
	})
}
