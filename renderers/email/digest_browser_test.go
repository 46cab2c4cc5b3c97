package email_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/digest"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
)

// TestDigestInBrowser runs a digest of every Kestrel example, and a
// teaser email (email.mode: teaser), through the same browser checks as
// item emails (TestBrowser): at 600 and 375 px, in light and dark mode,
// no sideways scroll, every image loaded and with alt text, no
// unreadable text, one logo shown, and the teaser's button in view.
func TestDigestInBrowser(t *testing.T) {
	ctx := checkers.Browser(t)
	var b *content.Brand
	var in digest.Input
	for _, ex := range examples.Load(t) {
		if ex.Brand.ID != "kestrel" {
			continue
		}
		b = ex.Brand
		in.Entries = append(in.Entries, digest.Entry{Item: ex.Item, Links: ex.Links})
	}
	sc, err := content.ParseSchedule("Mon 08:00", "Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	in.Brand = b
	in.Digest = &content.Digest{ID: "weekly", When: sc, MaxItems: 8, Lang: "en"}
	in.To = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	in.From = in.To.AddDate(0, 0, -7)
	src, files := digest.Source(in, digest.ItemID(in.Digest, in.To))
	fsys := memfs.FS{"index.md": src}
	for k, v := range files {
		fsys[k] = v
	}
	if in.Item, err = content.ParseBytes(fsys, "index.md", src, content.ParseOptions{Brand: b}); err != nil {
		t.Fatal(err)
	}
	in.Links = content.NewLinkPlan(in.Item, b)
	lib, err := fonts.New()
	if err != nil {
		t.Fatal(err)
	}
	er, err := email.NewWithFonts(&images.Cache{}, lib)
	if err != nil {
		t.Fatal(err)
	}
	out, err := digest.New(er).Render(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(page, base string, files []renderers.File) {
		for _, f := range files {
			p := filepath.Join(dir, page, filepath.FromSlash(f.Name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			data := f.Data
			if f.Name == email.HTMLFile {
				data = []byte(strings.ReplaceAll(string(data), base, "/"+page+"/"))
			}
			os.WriteFile(p, data, 0o644)
		}
	}
	write("digest", in.Links.Canonical+"email/", out.Files)
	// A teaser (email.mode: teaser) of the photo story, with its button.
	teaser := *in.Entries[0].Item
	teaser.Email.Mode = content.EmailTeaser
	tout, err := er.Render(context.Background(), renderers.Input{Item: &teaser, Brand: b, Links: in.Entries[0].Links})
	if err != nil {
		t.Fatal(err)
	}
	write("teaser", in.Entries[0].Links.Canonical+"email/", tout.Files)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	shots := t.ArtifactDir()
	for _, page := range []string{"digest", "teaser"} {
		for _, scheme := range []string{"light", "dark"} {
			for _, width := range []int64{600, 375} {
				pctx, cancel := context.WithTimeout(ctx, time.Minute)
				err := chromedp.Do(pctx, checkers.ColorScheme(scheme), chromedp.EmulateViewport(width, 900), chromedp.Navigate(srv.URL+"/"+page+"/email.html"))
				var res string
				var shot []byte
				if err == nil {
					res, err = chromedp.Run(pctx, chromedp.Evaluate[string](email.Measure))
				}
				if err == nil {
					shot, err = chromedp.Run(pctx, chromedp.FullScreenshot(90))
				}
				cancel()
				if err != nil {
					t.Fatalf("%s at %d px: %v", page, width, err)
				}
				os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-%s-%d.jpg", page, scheme, width)), shot, 0o644)
				var l email.BrowserLayout
				if err := json.Unmarshal([]byte(res), &l); err != nil {
					t.Fatal(err)
				}
				where := fmt.Sprintf("%s (%s, %d px)", page, scheme, width)
				if page == "teaser" && (l.CTA == nil || l.CTA.Width < 40 || l.CTA.Height < 30 || l.CTA.Left < 0 || l.CTA.Right > float64(l.InnerWidth)) {
					t.Errorf("%s: the Continue reading button is not fully visible: %+v", where, l.CTA)
				}
				if l.ScrollWidth > l.InnerWidth {
					t.Errorf("%s scrolls sideways: %d px wide in a %d px window", where, l.ScrollWidth, l.InnerWidth)
				}
				if len(l.NoAlt) > 0 || len(l.Broken) > 0 {
					t.Errorf("%s: images without alt %v, not loaded %v", where, l.NoAlt, l.Broken)
				}
				for _, s := range l.LowContrast {
					t.Errorf("%s: unreadable text: %s", where, s)
				}
				var r, g, bl int
				fmt.Sscanf(b.Colors.Background.Hex(), "#%02x%02x%02x", &r, &g, &bl)
				email.CheckLogo(t, where, scheme, b.DarkLogoFile() != nil, fmt.Sprintf("rgb(%d, %d, %d)", r, g, bl), l)
			}
		}
	}
	t.Logf("screenshots in %s", shots)
}
