package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
)

// TestPublishedSiteLinks publishes every kestrel example item, then
// checks the published site with linkinator (0 broken links inside the
// site, anchors included) and that every link into the site from the
// email, social and catalog renderings reaches a published page.
func TestPublishedSiteLinks(t *testing.T) {
	pipetest.Long(t)
	tg := newTargets(t)
	e := publishEnv(t, setups[0], tg)
	e.Start(t)
	ctx := context.Background()

	items := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items")
	entries, err := os.ReadDir(items)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, en := range entries {
		b := app.Bundle{Brand: "kestrel", Actor: "writer"}
		if en.IsDir() {
			b.Files = readDir(t, filepath.Join(items, en.Name()))
		} else {
			data, err := os.ReadFile(filepath.Join(items, en.Name()))
			if err != nil {
				t.Fatal(err)
			}
			b.Files = map[string][]byte{en.Name(): data}
		}
		res, err := e.Service.Submit(ctx, b)
		if err != nil {
			t.Fatalf("%s: %v", en.Name(), err)
		}
		ids = append(ids, res.ItemID)
	}
	for _, id := range ids {
		waitFor(t, 60*time.Second, "rendered", func() (bool, string) { return itemStatus(e, id) })
		if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		waitFor(t, 60*time.Second, "deliveries final", deliveriesFinal(e, id))
	}

	const siteURL = "https://kestrel.example"
	root := filepath.Join(tg.site, "kestrel")
	n := checkers.Linkinator(t, root, siteURL)
	t.Logf("linkinator: %d links checked", n)

	// Cross-links from the other channels' renderings.
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	defer srv.Close()
	link := regexp.MustCompile(regexp.QuoteMeta(siteURL) + `(/[^\s"'<>)\]\\]*)?`)
	seen := map[string]bool{}
	for _, id := range ids {
		rs, err := e.DB.Renderings(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Channel == "portal" {
				continue // linkinator walked the pages
			}
			for _, f := range r.Files {
				if !strings.HasSuffix(f.Name, ".html") && !strings.HasSuffix(f.Name, ".txt") && !strings.HasSuffix(f.Name, ".json") {
					continue
				}
				_, data, err := e.DB.RenderingFile(ctx, r.RenderKey, f.Name)
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range link.FindAllString(string(data), -1) {
					u = strings.TrimRight(u, ".,;:")
					if seen[u] {
						continue
					}
					seen[u] = true
					if err := reachable(srv.URL, strings.TrimPrefix(u, siteURL)); err != nil {
						t.Errorf("%s %s links to %s: %v", r.Channel, f.Name, u, err)
					}
				}
			}
		}
	}
	if len(seen) == 0 {
		t.Error("no cross-links found in the renderings")
	}
	t.Logf("%d distinct cross-links from email, social and catalog resolve", len(seen))
}

// reachable GETs path (query dropped) from the site and, for an anchor,
// checks the page has an element with that id.
func reachable(base, path string) error {
	path, frag, _ := strings.Cut(path, "#")
	path, _, _ = strings.Cut(path, "?")
	res, err := http.Get(base + path)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", res.Status)
	}
	if frag == "" {
		return nil
	}
	var b strings.Builder
	if _, err := io.Copy(&b, res.Body); err != nil {
		return err
	}
	if !strings.Contains(b.String(), `id="`+frag+`"`) {
		return fmt.Errorf("no element with id %q on the page", frag)
	}
	return nil
}
