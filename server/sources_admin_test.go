package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// sourcesUI is the UI, with workers, over the Kestrel kit declaring a
// feed source served by a loopback server it allows.
func sourcesUI(t *testing.T) *ui {
	t.Helper()
	u := newUI(t)
	u.Start(t)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<rss version="2.0"><channel><title>Notes</title><link>https://kestrel.example/</link>
<item><title>Waxed cotton care</title><guid>wax-1</guid><pubDate>Mon, 02 Nov 2026 09:30:00 +0000</pubDate><description>Brush, then wax.</description></item>
</channel></rss>`))
	}))
	t.Cleanup(feed.Close)
	ctx := context.Background()
	files := map[string][]byte{}
	kit := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel")
	for _, n := range []string{"brand.yaml", "logo.svg", "logo-dark.svg"} {
		data, err := os.ReadFile(filepath.Join(kit, n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = data
	}
	files["brand.yaml"] = append(files["brand.yaml"], "\nsources:\n  notes:\n    kind: feed\n    url: "+feed.URL+"/rss.xml\n    allow_hosts: [127.0.0.1]\n"...)
	if _, _, err := u.Service.UploadBrand(ctx, "kestrel", files, "test"); err != nil {
		t.Fatal(err)
	}
	return u
}

// The sources page shows each source's state to admins only, and its
// button polls a source at once: the feed is fetched (the worker runs)
// and the page then shows the items it made.
func TestAdminSourcesPage(t *testing.T) {
	u := sourcesUI(t)
	ctx := context.Background()
	admin, editor := u.browser(t), u.browser(t)
	u.login(t, admin, "admin", uiPassword)
	u.login(t, editor, "editor", uiPassword)
	if resp, _ := u.get(t, editor, "/admin/sources"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an editor on the sources page: %d", resp.StatusCode)
	}
	resp, body := u.get(t, admin, "/admin/sources")
	if resp.StatusCode != 200 || !strings.Contains(body, "<td>notes</td>") || !strings.Contains(body, "never") {
		t.Fatalf("sources page: %d\n%s", resp.StatusCode, body)
	}
	if resp := u.post(t, admin, "/admin/sources", url.Values{"brand": {"kestrel"}, "source": {"notes"}}, "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site fetch now: %d", resp.StatusCode)
	}
	if resp := u.post(t, admin, "/admin/sources", url.Values{"brand": {"kestrel"}, "source": {"nope"}}, "same-origin"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("fetching an undeclared source: %d", resp.StatusCode)
	}
	if resp := u.post(t, admin, "/admin/sources", url.Values{"brand": {"kestrel"}, "source": {"notes"}}, "same-origin"); resp.StatusCode != 200 {
		t.Fatalf("fetch now: %d", resp.StatusCode)
	}
	pipetest.WaitFor(t, 10*time.Second, "the poll", func() (bool, string) {
		st, err := u.DB.SourceState(ctx, "kestrel", "notes")
		if err != nil {
			return false, err.Error()
		}
		return st.Status == store.SourceOK && st.Created == 1, st.Status
	})
	if _, body := u.get(t, admin, "/admin/sources"); !strings.Contains(body, "<td>1</td>") || strings.Contains(body, ">never<") {
		t.Errorf("the page after the poll:\n%s", body)
	}
}

// The sources page in a browser: axe finds nothing, and the button's
// answer says the fetch started.
func TestAdminSourcesInBrowser(t *testing.T) {
	u := sourcesUI(t)
	ctx := checkers.Browser(t)
	dir := t.ArtifactDir()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
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
	do("sign in as admin", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/admin/sources"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "admin"), chromedp.SendKeys("#password", uiPassword), chromedp.Submit("#password"), chromedp.WaitVisible("#sources"))
	check("sources")
	do("fetch now", chromedp.Click(`form.inline button[type="submit"]`), chromedp.WaitVisible(".flash"))
	pipetest.WaitFor(t, 15*time.Second, "the poll", func() (bool, string) {
		st, err := u.DB.SourceState(context.Background(), "kestrel", "notes")
		if err != nil {
			return false, err.Error()
		}
		return st.Created == 1, st.Status
	})
	do("reload", chromedp.Navigate(u.url+"/admin/sources"), chromedp.WaitVisible("#sources"))
	check("sources-after-fetch")
}
