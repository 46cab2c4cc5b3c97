package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// fakeClock is the time the service and the store both read.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

const weeklyDigest = `
digests:
  weekly:
    schedule: Mon 08:00
    timezone: Europe/Amsterdam
    max_items: 8
`

// digestEnv is the service with the email channel, a site, a fake clock
// and the Kestrel kit with a weekly digest, its worker running.
func digestEnv(t *testing.T, s pipetest.Setup, clock *fakeClock) *env {
	t.Helper()
	er, err := email.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	site := t.TempDir()
	e := &env{pipetest.NewWith(t, s, func(c *app.Config) {
		c.Site = &publish.Site{Root: site}
		c.Now = clock.Now
	}, er)}
	e.DB.SetClock(clock.Now)
	kit := testenv.CopyKit(t, "kestrel")
	f, err := os.OpenFile(filepath.Join(kit, "brand.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(weeklyDigest)
	f.Close()
	if _, _, err := e.Service.ImportBrand(context.Background(), kit, "test"); err != nil {
		t.Fatal(err)
	}
	e.Start(t)
	return e
}

// publishItem submits an example item, approves it and waits until it is
// published (at the fake clock's time, as the store records it).
func publishItem(t *testing.T, e *env, file string) string {
	t.Helper()
	ctx := context.Background()
	src, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", file))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: map[string][]byte{"index.md": src}, Actor: "writer"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
	if _, err := e.Service.Schedule(ctx, res.ItemID, res.Version, time.Time{}, "editor"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "published", func() (bool, string) {
		p, err := e.DB.Publication(ctx, res.ItemID, res.Version)
		if err != nil {
			return false, err.Error()
		}
		return p.Status == store.PubPublished, p.Status
	})
	return res.ItemID
}

func payload(r *store.DigestRun) tasks.DigestRunPayload {
	return tasks.DigestRunPayload{Brand: r.BrandID, Digest: r.DigestID, Start: r.Start.Unix(), End: r.End.Unix()}
}

// TestDigestWeeks runs a weekly Monday 08:00 Amsterdam digest on a fake
// clock over the end of summer time (25 October 2026): the first week's
// two items make one digest item, whose email is the digest and which
// waits for an editor; the run is 08:00 local on both sides of the
// change (06:00, then 07:00 UTC); the empty week after is recorded
// skipped; running a finished period again changes nothing.
func TestDigestWeeks(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			ctx := context.Background()
			clock := &fakeClock{t: time.Date(2026, 10, 14, 10, 0, 0, 0, time.UTC)} // a Wednesday
			e := digestEnv(t, s, clock)
			if n, err := e.Service.PlanDigests(ctx); err != nil || n != 1 {
				t.Fatalf("planned %d: %v", n, err)
			}
			first, err := e.DB.LastDigestRun(ctx, "kestrel", "weekly")
			if err != nil {
				t.Fatal(err)
			}
			if got := first.End.Format(time.RFC3339); got != "2026-10-19T06:00:00Z" || first.Start.Format(time.RFC3339) != "2026-10-12T06:00:00Z" {
				t.Fatalf("first period %s – %s", first.Start, first.End)
			}
			// Early (its task runs at once: ProcessAt is in the real past).
			if r, err := e.Service.RunDigest(ctx, payload(first)); err != nil || r.Status != store.DigestPlanned {
				t.Fatalf("early run: %+v %v", r, err)
			}
			hours := publishItem(t, e, "holiday-hours.md")
			clock.Set(clock.Now().Add(time.Hour))
			api := publishItem(t, e, "trail-api-guide.md")

			clock.Set(first.End.Add(time.Second))
			res, err := e.Service.RunDigest(ctx, payload(first))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != store.DigestRendered || res.Items != 2 || res.ItemID != "kestrel.en.digest-weekly-2026-10-19" || res.Version != 1 {
				t.Fatalf("run: %+v", res)
			}
			waitFor(t, 60*time.Second, "digest rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
			_, page, err := e.DB.RenderingFile(ctx, store.RenderKey{ItemID: res.ItemID, Version: res.Version, Channel: "email"}, email.HTMLFile)
			if err != nil {
				t.Fatal(err)
			}
			run, _ := e.DB.DigestRun(ctx, "kestrel", "weekly", first.End)
			if len(run.Entries) != 2 || run.Entries[0].ItemID != api || run.Entries[1].ItemID != hours {
				t.Errorf("entries %+v, want the newest (%s) first", run.Entries, api)
			}
			for _, pos := range []string{"pos-1", "pos-2"} {
				if !strings.Contains(string(page), "utm_content="+pos) {
					t.Errorf("the digest email has no card %s", pos)
				}
			}
			for _, want := range []string{"Holiday opening hours", "Syncing your routes with the Kestrel Trail API", "2 new stories from Kestrel Outfitters since 12 October 2026."} {
				if !strings.Contains(string(page), want) {
					t.Errorf("the digest email lacks %q", want)
				}
			}
			if _, err := e.DB.Publication(ctx, res.ItemID, res.Version); err == nil {
				t.Error("a digest with policy approve was published without an editor")
			}
			// An editor approves it like any item; the run reads sent
			// once its publication is done.
			if _, err := e.Service.Schedule(ctx, res.ItemID, res.Version, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "digest sent", func() (bool, string) {
				r, err := e.DB.DigestRun(ctx, "kestrel", "weekly", first.End)
				if err != nil {
					return false, err.Error()
				}
				return r.Status == store.DigestSent, r.Status
			})

			// The next run is 08:00 local again, an hour later in UTC.
			second, err := e.DB.LastDigestRun(ctx, "kestrel", "weekly")
			if err != nil {
				t.Fatal(err)
			}
			if !second.Start.Equal(first.End) || second.End.Format(time.RFC3339) != "2026-10-26T07:00:00Z" || second.Status != store.DigestPlanned {
				t.Fatalf("second period %s – %s (%s)", second.Start, second.End, second.Status)
			}
			ams, _ := time.LoadLocation("Europe/Amsterdam")
			if l := second.End.In(ams); l.Hour() != 8 || l.Weekday() != time.Monday {
				t.Errorf("second run at %s local", l)
			}

			// Nothing was published that week.
			clock.Set(second.End.Add(time.Minute))
			res2, err := e.Service.RunDigest(ctx, payload(second))
			if err != nil || res2.Status != store.DigestSkipped {
				t.Fatalf("empty week: %+v %v", res2, err)
			}
			if r, _ := e.DB.DigestRun(ctx, "kestrel", "weekly", second.End); r.Status != store.DigestSkipped || r.ItemID != "" {
				t.Errorf("recorded %+v", r)
			}
			third, _ := e.DB.LastDigestRun(ctx, "kestrel", "weekly")
			if third.End.Format(time.RFC3339) != "2026-11-02T07:00:00Z" {
				t.Errorf("third run at %s", third.End)
			}

			// The first period again (a retry, a reconciler's copy): the
			// same item and version, nothing new stored.
			again, err := e.Service.RunDigest(ctx, payload(first))
			if err != nil || again.ItemID != res.ItemID || again.Version != res.Version {
				t.Fatalf("again: %+v %v", again, err)
			}
			it, err := e.DB.Item(ctx, res.ItemID)
			if err != nil || it.LatestVersion != 1 {
				t.Errorf("the digest item has %d versions: %v", it.LatestVersion, err)
			}
			runs, _ := e.DB.DigestRuns(ctx, "kestrel", 10)
			if len(runs) != 3 {
				t.Errorf("%d runs recorded, want 3: %+v", len(runs), runs)
			}
		})
	}
}

// A digest with topics gathers the items for those topics and the items
// for every reader, not the others, newest first and at most max_items;
// previewing it stores nothing.
func TestDigestTopicsPreview(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	er, err := email.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pipetest.NewWith(t, setups[0], func(c *app.Config) {
		c.Site = &publish.Site{Root: t.TempDir()}
		c.Now = clock.Now
	}, er)}
	e.DB.SetClock(clock.Now)
	kit := testenv.CopyKit(t, "kestrel")
	yml, err := os.ReadFile(filepath.Join(kit, "brand.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	yml = []byte(strings.Replace(string(yml), "\nemail:\n", "\nemail:\n  topics:\n    guides: Guides\n    product: New products\n", 1) +
		"digests:\n  guides:\n    schedule: daily 08:00\n    topics: [guides]\n    max_items: 2\n    subject: Guides this week\n")
	os.WriteFile(filepath.Join(kit, "brand.yaml"), yml, 0o644)
	if _, _, err := e.Service.ImportBrand(ctx, kit, "test"); err != nil {
		t.Fatal(err)
	}
	e.Start(t)
	since := clock.Now()
	for _, it := range []struct{ title, topics string }{
		{"Oldest guide", "[guides]"}, {"A product", "[product]"}, {"For everyone", ""}, {"Newest guide", "[guides]"},
	} {
		clock.Set(clock.Now().Add(time.Minute))
		fm := "---\ntitle: " + it.title + "\n"
		if it.topics != "" {
			fm += "email:\n  topics: " + it.topics + "\n"
		}
		res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: map[string][]byte{"index.md": []byte(fm + "---\nA few words about it.\n")}, Actor: "writer"})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
		if _, err := e.Service.Schedule(ctx, res.ItemID, res.Version, time.Time{}, "editor"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "published", func() (bool, string) {
			p, err := e.DB.Publication(ctx, res.ItemID, res.Version)
			if err != nil {
				return false, err.Error()
			}
			return p.Status == store.PubPublished, p.Status
		})
	}
	clock.Set(clock.Now().Add(time.Minute))
	files, n, err := e.Service.PreviewDigest(ctx, "kestrel", "guides", since)
	if err != nil || n != 2 {
		t.Fatalf("preview: %d items, %v", n, err)
	}
	var page, eml string
	for _, f := range files {
		switch f.Name {
		case "email/" + email.HTMLFile:
			page = string(f.Data)
		case "email/" + email.EMLFile:
			eml = string(f.Data)
		}
	}
	newest, everyone := strings.Index(page, "Newest guide"), strings.Index(page, "For everyone")
	if newest < 0 || everyone < newest || strings.Contains(page, "A product") || strings.Contains(page, "Oldest guide") {
		t.Errorf("want the newest guide, then the item for everyone, and nothing else (at %d, %d)", newest, everyone)
	}
	if !strings.Contains(eml, "Subject: Guides this week") {
		t.Error("the digest's own subject is not the email's")
	}
	if _, n, err := e.Service.PreviewDigest(ctx, "kestrel", "guides", clock.Now()); err != nil || n != 0 {
		t.Errorf("an empty period: %d items, %v", n, err)
	}
	if _, _, err := e.Service.PreviewDigest(ctx, "kestrel", "monthly", since); err == nil {
		t.Error("an unknown digest previewed")
	}
	if runs, _ := e.DB.DigestRuns(ctx, "kestrel", 10); len(runs) != 0 {
		t.Errorf("a preview recorded runs: %+v", runs)
	}
}
