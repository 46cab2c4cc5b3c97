package markup

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"

	"github.com/crosscast/crosscast/content"
)

func toHTML(t testing.TB, c *Converter, body string) string {
	t.Helper()
	it, err := content.ParseBytes(fstest.MapFS{}, "t.md", []byte("---\ntitle: t\n---\n"+body), content.ParseOptions{})
	if err != nil {
		t.Skip(err) // not an item (e.g. an image reference): nothing to render
	}
	out, err := c.HTML(it)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// unsafe reports the first thing in h that could run script.
func unsafe(h string) string {
	if strings.Contains(strings.ToLower(h), "<script") {
		return "<script"
	}
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "iframe", "object", "embed", "style", "form", "base", "meta", "link":
				return "<" + string(name) + ">"
			}
			for {
				k, v, more := z.TagAttr()
				key := strings.ToLower(string(k))
				if strings.HasPrefix(key, "on") {
					return key + "="
				}
				if key == "style" {
					return "style="
				}
				// Browsers ignore whitespace and control characters in a
				// URL's scheme, so compare without them.
				val := strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, strings.ToLower(string(v)))
				if strings.Contains(val, "javascript:") || strings.Contains(val, "vbscript:") || strings.HasPrefix(val, "data:") {
					return key + "=" + val
				}
				if !more {
					break
				}
			}
		}
	}
}

func TestSanitize(t *testing.T) {
	c := New()
	for _, tt := range []struct{ name, md, keep string }{
		{"script", "<script>alert(1)</script>\n\nok", "<p>ok</p>"},
		{"event handler", `<img src="a.png" alt="x" onerror="alert(1)">`, `alt="x"`},
		{"js link", "[x](javascript:alert(1))", "x"},
		{"mixed case js", `<a href="JaVa&#x09;Script:alert(1)">y</a>`, "y"},
		{"data url", `<a href="data:text/html,<script>alert(1)</script>">z</a>`, "z"},
		{"svg", `<svg onload="alert(1)"><circle r="5"/></svg>`, ""},
		{"style attr", `<p style="background:url(javascript:alert(1))">s</p>`, "<p>s</p>"},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, ""},
		{"form", `<form action="https://evil.example"><input name=a></form>`, ""},
		{"details kept", "<details><summary>More</summary>\n\nHidden\n\n</details>", "<details><summary>More</summary>"},
		{"table kept", "| a | b |\n|---|---|\n| 1 | 2 |", "<td>1</td>"},
		{"code highlighted", "```go\nfunc main() {}\n```", `<span class="hl-kd">func</span>`},
		{"heading id", "## Prijs & levering", `<h2 id="prijs-levering">`},
		{"footnote", "Text[^1].\n\n[^1]: Note.", `id="fn:1"`},
		{"link kept without nofollow", "[site](https://example.com/a?b=c)", `<a href="https://example.com/a?b=c">site</a>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := toHTML(t, c, tt.md)
			if u := unsafe(got); u != "" {
				t.Errorf("unsafe %q survives in %s", u, got)
			}
			if !strings.Contains(got, tt.keep) {
				t.Errorf("output %s lacks %s", got, tt.keep)
			}
		})
	}
}

func TestCodeCSS(t *testing.T) {
	css, err := CodeCSS()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(css, ".hl-chroma") || !strings.Contains(css, "prefers-color-scheme: dark") {
		t.Errorf("css: %.200s", css)
	}
	// Every token colour reaches AA on its background.
	for _, p := range []palette{lightPalette, darkPalette} {
		bg, _ := content.ParseColor(p.bg)
		for _, fg := range []string{p.text, p.keyword, p.str, p.comment, p.number, p.name, p.fn, p.punct} {
			c, _ := content.ParseColor(fg)
			if r := content.Contrast(c, bg); r < content.ContrastAA {
				t.Errorf("%s on %s: %.2f", fg, p.bg, r)
			}
		}
	}
}

// FuzzSanitize renders arbitrary Markdown (with raw HTML) and asserts that
// no script element, event-handler attribute or javascript: URL survives.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[a](javascript:alert(1))",
		"<a href='jav&#x09;ascript:alert(1)'>x</a>",
		"<svg><script>alert(1)</script></svg>",
		"<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
		"<p style=\"x:expression(alert(1))\">a</p>",
		"```html\n<script>alert(1)</script>\n```",
		"<<script>script>alert(1)<</script>/script>",
		"<a href=\"&#106;avascript:alert(1)\">x</a>",
		"![x](javascript:alert(1))",
		"<details open ontoggle=alert(1)>",
		"# Title\n\n| a |\n|---|\n| <b onmouseover=alert(1)>x</b> |",
	} {
		f.Add(s)
	}
	c := New()
	f.Fuzz(func(t *testing.T, md string) {
		it, err := content.ParseBytes(fstest.MapFS{}, "f.md", []byte("---\ntitle: t\n---\n"+md), content.ParseOptions{})
		if err != nil {
			return // rejected input renders nothing
		}
		var buf bytes.Buffer
		out, err := c.HTML(it)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(out)
		if u := unsafe(buf.String()); u != "" {
			t.Fatalf("unsafe %q survives:\n%s", u, buf.String())
		}
	})
}
