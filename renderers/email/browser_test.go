package email

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/examples"
)

// layout is what the browser test reads off a rendered email.
type layout struct {
	ScrollWidth, InnerWidth int
	CTA                     *struct{ Left, Right, Width, Height float64 }
	NoAlt                   []string
	Broken                  []string
	// LowContrast lists text whose colour is within 3:1 of the
	// background behind it (dark text on a dark background, say).
	LowContrast []string
	// MidWord lists words of tables and code blocks that a line break
	// splits ("Scop|e").
	MidWord []string
	// Logos are the header's logo images that are displayed, with the
	// colour behind them.
	Logos []struct{ Class, Background string }
}

const measure = `(() => {
  const lum = c => { const m = c.match(/[\d.]+/g).map(Number).slice(0, 3).map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 });
    return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2] };
  const bgOf = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor; if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c } return 'rgb(255, 255, 255)' };
  const low = [];
  document.querySelectorAll('.container *').forEach(el => {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const s = getComputedStyle(el);
    if (!own || s.display === 'none' || s.visibility === 'hidden' || el.closest('.preheader')) return;
    const a = lum(s.color), b = lum(bgOf(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 3) low.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 40));
  });
  const a = document.querySelector('a.btn');
  let cta = null;
  if (a) { const r = a.getBoundingClientRect(); cta = {Left: r.left, Right: r.right, Width: r.width, Height: r.height} }
  const midWord = [];
  document.querySelectorAll('.block table, .block pre').forEach(box => {
    const walk = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let n; (n = walk.nextNode());) {
      for (const m of n.textContent.matchAll(/[^\s\-–—\/]+/g)) {
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top)));
        if (tops.size > 1) midWord.push(m[0]);
      }
    }
  });
  const logos = [...document.querySelectorAll('.header img')].filter(i => getComputedStyle(i).display !== 'none' && i.getBoundingClientRect().width > 0 && i.getBoundingClientRect().height > 0)
    .map(i => ({Class: i.className, Background: bgOf(i)}));
  return JSON.stringify({
    MidWord: midWord, Logos: logos,
    ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth, CTA: cta,
    NoAlt: [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.src),
    Broken: [...document.images].filter(i => i.complete && i.naturalWidth === 0 && getComputedStyle(i).display !== 'none').map(i => i.src),
    LowContrast: low,
  });
})()`

// TestBrowser renders every example email, and one of a brand without a
// dark logo with a wide table and code, in headless Chromium at 600 and
// 375 px, in light and dark mode: no horizontal scroll, a visible call to
// action, alt text on every image, no unreadable text, no word of a table
// or code block split across lines, and one logo shown (on a light plate
// in dark mode when the brand has no dark logo). Screenshots go to
// the test's artifact directory (go test -artifacts keeps them).
func TestBrowser(t *testing.T) {
	ctx := checkers.Browser(t)
	dir := t.TempDir()
	var pages []string
	for _, ex := range examples.Load(t) {
		_, files := render(t, ex.Item, ex.Brand)
		name := strings.ReplaceAll(ex.Name(), "/", "-")
		// The images are published under the portal page; serve them
		// from the test server instead.
		base := content.NewLinkPlan(ex.Item, ex.Brand).Canonical + "email/"
		html := strings.ReplaceAll(string(files["email.html"]), base, "/"+name+"/")
		for f, data := range files {
			p := filepath.Join(dir, name, filepath.FromSlash(f))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, data, 0o644)
		}
		os.WriteFile(filepath.Join(dir, name, "email.html"), []byte(html), 0o644)
		pages = append(pages, name)
	}
	// A brand without a dark logo, and a body whose table and code are
	// wider than a phone: long words in cells, a directory tree.
	wide, err := content.ParseBytes(nil, "index.md", []byte(wideBody), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fjellbu := testBrand(t)
	_, files := render(t, wide, fjellbu)
	base := content.NewLinkPlan(wide, fjellbu).Canonical + "email/"
	for f, data := range files {
		p := filepath.Join(dir, "fjellbu-wide", filepath.FromSlash(f))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, data, 0o644)
	}
	html := strings.ReplaceAll(string(files["email.html"]), base, "/fjellbu-wide/")
	os.WriteFile(filepath.Join(dir, "fjellbu-wide", "email.html"), []byte(html), 0o644)
	pages = append(pages, "fjellbu-wide")
	// Each page's brand: whether it has a dark logo, and its light
	// background as the browser writes colours.
	type brandLook struct {
		dark  bool
		plate string
	}
	rgb := func(b *content.Brand) string {
		var r, g, bl int
		fmt.Sscanf(b.Colors.Background.Hex(), "#%02x%02x%02x", &r, &g, &bl)
		return fmt.Sprintf("rgb(%d, %d, %d)", r, g, bl)
	}
	looks := map[string]brandLook{"fjellbu-wide": {false, rgb(fjellbu)}}
	for _, ex := range examples.Load(t) {
		looks[strings.ReplaceAll(ex.Name(), "/", "-")] = brandLook{ex.Brand.DarkLogoFile() != nil, rgb(ex.Brand)}
	}

	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	shots := t.ArtifactDir()

	for _, page := range pages {
		for _, scheme := range []string{"light", "dark"} {
			for _, width := range []int64{600, 375} {
				pctx, cancel := context.WithTimeout(ctx, time.Minute)
				err := chromedp.Do(pctx,
					checkers.ColorScheme(scheme),
					chromedp.EmulateViewport(width, 900),
					chromedp.Navigate(srv.URL+"/"+page+"/email.html"),
				)
				var out string
				var shot []byte
				if err == nil {
					out, err = chromedp.Run(pctx, chromedp.Evaluate[string](measure))
				}
				if err == nil {
					shot, err = chromedp.Run(pctx, chromedp.FullScreenshot(90))
				}
				cancel()
				if err != nil {
					t.Fatalf("%s at %d px: %v", page, width, err)
				}
				os.WriteFile(filepath.Join(shots, page+"-"+scheme+"-"+itoa(width)+".jpg"), shot, 0o644)
				var l layout
				if err := json.Unmarshal([]byte(out), &l); err != nil {
					t.Fatal(err)
				}
				where := page + " (" + scheme + ", " + itoa(width) + " px)"
				if l.ScrollWidth > l.InnerWidth {
					t.Errorf("%s scrolls sideways: %d px wide in a %d px window", where, l.ScrollWidth, l.InnerWidth)
				}
				if l.CTA != nil && (l.CTA.Width < 40 || l.CTA.Height < 30 || l.CTA.Left < 0 || l.CTA.Right > float64(l.InnerWidth)) {
					t.Errorf("%s: the call to action is not fully visible: %+v", where, *l.CTA)
				}
				if len(l.NoAlt) > 0 {
					t.Errorf("%s: images without alt: %v", where, l.NoAlt)
				}
				if len(l.Broken) > 0 {
					t.Errorf("%s: images that did not load: %v", where, l.Broken)
				}
				for _, s := range l.LowContrast {
					t.Errorf("%s: unreadable text: %s", where, s)
				}
				if len(l.MidWord) > 0 {
					t.Errorf("%s: words broken across lines in tables or code: %q", where, l.MidWord)
				}
				checkLogo(t, where, scheme, looks[page].dark, looks[page].plate, l)
			}
		}
	}
	t.Logf("screenshots in %s", shots)
}

// checkLogo: one logo shows in either scheme. In dark mode a brand with a
// dark logo shows that one; a brand without shows its light logo on a
// plate of its light background, as the portal does.
func checkLogo(t *testing.T, where, scheme string, hasDark bool, plate string, l layout) {
	t.Helper()
	if len(l.Logos) != 1 {
		t.Errorf("%s: %d logos shown, want 1: %+v", where, len(l.Logos), l.Logos)
		return
	}
	got := l.Logos[0]
	switch {
	case scheme == "light" && got.Class == "logo-dark":
		t.Errorf("%s: the dark logo shows in light mode", where)
	case scheme == "dark" && hasDark && got.Class != "logo-dark":
		t.Errorf("%s: the light logo shows in dark mode: %+v", where, got)
	case scheme == "dark" && !hasDark && (got.Class != "logo-plate" || got.Background != plate):
		t.Errorf("%s: the logo has no light plate (%s) in dark mode: %+v", where, plate, got)
	}
}

// wideBody has a table and code wider than a phone's column.
const wideBody = `---
title: Wide things
---
Before.

| Scope | Download | Maintenance window | Availability |
|---|---|---|---|
| Internationalisation | Downloadable | Responsibilities | Uninterruptible |
| Scope | Download | Extraordinarily-long-hyphenated-word | Incomprehensibilities |

` + "```" + `
crosscast/
├── renderers/email/templates/newsletter-with-a-very-long-name.html.tmpl
└── content/strings_and_translations_for_every_language_we_ship.go
` + "```" + `

> A quote, set like the portal's.
`

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
