package email

import (
	"context"
	"encoding/json"
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
  return JSON.stringify({
    ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth, CTA: cta,
    NoAlt: [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.src),
    Broken: [...document.images].filter(i => i.complete && i.naturalWidth === 0 && getComputedStyle(i).display !== 'none').map(i => i.src),
    LowContrast: low,
  });
})()`

// TestBrowser renders every example email in headless Chromium at 600 and
// 375 px, in light and dark mode: no horizontal scroll, a visible call to
// action, alt text on every image, no unreadable text. Screenshots go to
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
			}
		}
	}
	t.Logf("screenshots in %s", shots)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
