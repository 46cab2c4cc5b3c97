package markup

import (
	"strings"
	"testing"
)

// AllowedURL is the sanitizer's own decision: for each URL the sanitizer
// keeps the href exactly when AllowedURL says so, so a channel that
// writes links outside HTML drops the same ones.
func TestAllowedURLMatchesSanitizer(t *testing.T) {
	p := Policy()
	for _, u := range []string{
		"https://example.com/", "http://example.com/a?b=c#d", "mailto:a@example.com", "/relative", "page.html", "#frag",
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
		"vbscript:msgbox(1)", "file:///etc/passwd", "ftp://example.com/", "//evil.example/", "https://exa mple.com/", "tel:+123",
		"foo:bar", "HTTPS://EXAMPLE.COM/", "%6aavascript:alert(1)",
	} {
		out := p.Sanitize(`<a href="` + u + `">x</a>`)
		kept := strings.Contains(out, "href=")
		if kept != AllowedURL(u) {
			t.Errorf("%q: sanitizer keeps it: %v, AllowedURL: %v (%s)", u, kept, AllowedURL(u), out)
		}
	}
}
