package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/store"
)

func md(fm, body string) map[string][]byte {
	return map[string][]byte{"index.md": []byte("---\n" + fm + "---\n" + body)}
}

// An edit through the editor names the item it edits: a new title (and
// so a new derived slug) is a new version of the same item, not a second
// item, and the writer who does not own the item is still refused.
func TestEditKeepsItem(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			e := newEnv(t, s)
			e.ImportBrand(t, "kestrel")
			ctx := context.Background()
			first, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: md("title: Waxing a pack\n", "Warm the wax.\n"), Actor: "user:ann", Role: store.RoleWriter})
			if err != nil {
				t.Fatal(err)
			}
			edit := app.Bundle{Brand: "kestrel", Files: md("title: Waxing a canvas pack\n", "Warm the wax first.\n"), Actor: "user:ann", Role: store.RoleWriter, ItemID: first.ItemID}
			second, err := e.Service.Submit(ctx, edit)
			if err != nil {
				t.Fatal(err)
			}
			if second.ItemID != first.ItemID || second.Version != 2 || !second.Created {
				t.Fatalf("edit: %+v, want %s version 2", second, first.ItemID)
			}
			it, err := e.DB.Item(ctx, first.ItemID)
			if err != nil {
				t.Fatal(err)
			}
			if it.Title != "Waxing a canvas pack" || it.Slug != "waxing-a-canvas-pack" || it.LatestVersion != 2 || it.ContentID != "waxing-a-pack" {
				t.Errorf("item after the edit: %+v", it)
			}
			if n, _ := e.DB.CountItems(ctx, store.ItemFilter{}); n != 1 {
				t.Errorf("%d items, want 1", n)
			}
			// An explicit slug change keeps the item too; nothing was on
			// the site, so no alias is added.
			edit.Files = md("title: Waxing a canvas pack\nslug: wax-your-pack\n", "Warm the wax first.\n")
			third, err := e.Service.Submit(ctx, edit)
			if err != nil || third.ItemID != first.ItemID || third.Version != 3 {
				t.Fatalf("slug edit: %+v, %v", third, err)
			}
			v, _ := e.DB.Version(ctx, first.ItemID, 3)
			if strings.Contains(string(v.Source), "aliases") {
				t.Errorf("alias added for an item never on its site:\n%s", v.Source)
			}

			// Ownership stays: another writer may not edit it.
			bob := edit
			bob.Actor, bob.Files = "user:bob", md("title: Bob's pack\n", "Mine.\n")
			if _, err := e.Service.Submit(ctx, bob); !errors.Is(err, store.ErrForbidden) {
				t.Errorf("another writer's edit: %v, want ErrForbidden", err)
			}
			// A language change would make it a translation: refused at lang.
			edit.Files = md("title: Waxing a canvas pack\nlang: nl\n", "Warm de was.\n")
			var ce content.Errors
			if _, err := e.Service.Submit(ctx, edit); !errors.As(err, &ce) || ce[0].Field != "lang" {
				t.Errorf("language change: %v", err)
			}
			// Without the id, a new title is a new item, as before.
			if res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: md("title: Another pack\n", "x\n"), Actor: "user:ann"}); err != nil || res.ItemID == first.ItemID {
				t.Errorf("submission without an id: %+v %v", res, err)
			}
		})
	}
}

// A slug changed on an item that is on its site keeps the old address:
// the new version lists it in aliases, and the site serves a redirect
// page there.
func TestSlugChangeRedirects(t *testing.T) {
	site := t.TempDir()
	e := &env{pipetest.NewWith(t, setups[0], func(c *app.Config) { c.Site = &publish.Site{Root: site} })}
	e.ImportBrand(t, "kestrel")
	e.Start(t)
	ctx := context.Background()
	first, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: md("title: Waxing a pack\n", "Warm the wax.\n"), Actor: "user:ann"})
	if err != nil {
		t.Fatal(err)
	}
	publishAll := func(version int) {
		t.Helper()
		waitFor(t, 30*time.Second, "rendered", func() (bool, string) { return itemStatus(e, first.ItemID) })
		if _, err := e.Service.Schedule(ctx, first.ItemID, version, time.Time{}, "editor"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "published", func() (bool, string) {
			p, err := e.DB.Publication(ctx, first.ItemID, version)
			if err != nil {
				return false, err.Error()
			}
			return p.Status == store.PubPublished, p.Status
		})
	}
	publishAll(1)
	old := filepath.Join(site, "kestrel", "waxing-a-pack", "index.html")
	if _, err := os.Stat(old); err != nil {
		t.Fatal(err)
	}

	res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: md("title: Waxing a pack\nslug: wax-your-pack\n", "Warm the wax.\n"), Actor: "editor", ItemID: first.ItemID})
	if err != nil || res.ItemID != first.ItemID || res.Version != 2 {
		t.Fatalf("slug change: %+v %v", res, err)
	}
	v, _ := e.DB.Version(ctx, first.ItemID, 2)
	if !strings.Contains(string(v.Source), "aliases: [/waxing-a-pack/]") || !strings.HasSuffix(string(v.Source), "---\nWarm the wax.\n") {
		t.Errorf("v2 source:\n%s", v.Source)
	}
	publishAll(2)
	page, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `http-equiv="refresh" content="0; url=../wax-your-pack/"`) {
		t.Errorf("the old address is not a redirect to the new one:\n%s", page)
	}
	if _, err := os.Stat(filepath.Join(site, "kestrel", "wax-your-pack", "index.html")); err != nil {
		t.Error(err)
	}
	// Taking it off the site takes the redirect with it.
	if err := e.Service.Unpublish(ctx, first.ItemID, "editor"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("redirect page after unpublishing: %v", err)
	}
}
