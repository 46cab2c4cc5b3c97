package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/pipetest"
)

// An admin on the Subscribers page: a dry run that finds a bad row, the
// clean import, a search, one subscriber's history, and the erasure;
// axe checks each page and each is saved as a screenshot.
func TestSubscribersInBrowser(t *testing.T) {
	u := newUI(t)
	ctx := checkers.Browser(t)
	dir := t.ArtifactDir()
	var bad, clean strings.Builder
	bad.WriteString("address,language,topics,consent\n")
	for i := range 30 {
		fmt.Fprintf(&bad, "reader%02d@example.net,en,,", i)
		if i%3 == 0 {
			bad.WriteString("bought at the shop")
		}
		bad.WriteString("\n")
	}
	clean.WriteString(bad.String())
	bad.WriteString("ann at example.net,en,,\nzoe@example.net,xx,,\n")
	clean.WriteString("ann@example.net,en,,met at the fair\n")
	badFile, cleanFile := filepath.Join(t.TempDir(), "bad.csv"), filepath.Join(t.TempDir(), "clean.csv")
	os.WriteFile(badFile, []byte(bad.String()), 0o644)
	os.WriteFile(cleanFile, []byte(clean.String()), 0o644)

	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(c, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	// until waits for the page a click leads to: sel's text reads want.
	until := func(sel, want string) {
		t.Helper()
		pipetest.WaitFor(t, 15*time.Second, sel+" reading "+want, func() (bool, string) {
			c, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			got, _ := chromedp.Run(c, chromedp.Text(sel))
			return got == want, got
		})
	}
	check := func(name string) {
		t.Helper()
		checkers.AxePage(t, ctx, name)
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	}

	do("sign in as admin", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/subscribers"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "admin"), chromedp.SendKeys("#password", uiPassword), chromedp.Submit("#password"), chromedp.WaitVisible("#i-csv"))
	check("subscribers-empty")

	do("dry run with bad rows", chromedp.SetUploadFiles("#i-csv", []string{badFile}), chromedp.Click(`#import ~ form button[type="submit"]`))
	until("#import-result", "Import refused: nothing was imported")
	if rows := text(`[aria-labelledby="import-result"] tbody`); !strings.Contains(rows, "32") || !strings.Contains(rows, "33") || !strings.Contains(rows, `language "xx"`) {
		t.Errorf("bad rows by line: %q", rows)
	}
	check("subscribers-dry-run-refused")

	do("clean dry run", chromedp.SetUploadFiles("#i-csv", []string{cleanFile}), chromedp.Click(`#import ~ form button[type="submit"]`))
	until("#import-result", "Dry run: nothing was changed")
	do("import", chromedp.SetUploadFiles("#i-csv", []string{cleanFile}), chromedp.Click(`input[name="dry_run"]`),
		chromedp.Click(`#import ~ form button[type="submit"]`))
	until("#import-result", "Imported")
	if p := text(`[aria-labelledby="import-result"] p`); !strings.Contains(p, "31 new") || !strings.Contains(p, "11 active, 20 pending") {
		t.Fatalf("import: %q", p)
	}
	if c := text("#counts"); c != "31 subscriber(s)" {
		t.Errorf("counts heading %q", c)
	}
	check("subscribers-imported")

	do("search", chromedp.SendKeys("#s-q", "ann"), chromedp.Submit("#s-q"))
	pipetest.WaitFor(t, 15*time.Second, "only ann listed", func() (bool, string) {
		c, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		rows, _ := chromedp.Run(c, chromedp.Text(`[aria-labelledby="list"] tbody`))
		return strings.Contains(rows, "ann@example.net") && !strings.Contains(rows, "reader"), rows
	})
	do("history", chromedp.Click(`a[href*="address=ann%40example.net"]`))
	until("#history", "ann@example.net")
	if h := text(`[aria-labelledby="history"] tbody`); !strings.Contains(h, "met at the fair (stated by user:admin in an import)") {
		t.Errorf("history %q", h)
	}
	check("subscribers-history")

	do("erase", chromedp.Click(`input[name="confirm"]`), chromedp.Click(`button.danger`))
	until("#counts", "30 subscriber(s)")
	if f := text(".flash"); !strings.HasPrefix(f, "Erased") {
		t.Errorf("flash %q", f)
	}
	check("subscribers-erased")
	t.Logf("screenshots in %s", dir)
}
