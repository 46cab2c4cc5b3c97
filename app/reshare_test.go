package app_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// clock is the service's fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

const variantItem = `---
title: Dawn on the ridge
summary: A short walk up to the ridge before sunrise, and what to pack for it.
social:
  variants:
    - id: stove
      text: Coffee on the stove at five, then up to the ridge for the sunrise.
    - id: dogs
      mastodon: Bring the dog. The ridge path is easy on paws, and the view is worth the early start.
      networks: [mastodon]
%s---
The path leaves the hut by the lake and climbs for an hour. Pack a head torch and a warm layer.
`

// socialEnv is a service with the social renderer over the fake targets,
// on a fake clock.
func socialEnv(t *testing.T, s pipetest.Setup, tg *targets, c *clock) *env {
	sr, err := social.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pipetest.NewWith(t, s, func(cfg *app.Config) { tg.configure(cfg); cfg.Now = c.Now }, sr)}
	if _, _, err := e.Service.ImportBrand(context.Background(), tg.BrandKit(t, publicURL, ""), "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

func submitSource(t *testing.T, e *env, src string) string {
	t.Helper()
	res, err := e.Service.Submit(context.Background(), app.Bundle{Brand: "kestrel", Files: map[string][]byte{"index.md": []byte(src)}, Actor: "writer"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
	return res.ItemID
}

// posted is what one network shows: each post's first line and the
// utm_content of its tracked link.
type posted struct{ network, text, utm string }

var reshareLinkRE = regexp.MustCompile(regexp.QuoteMeta(publicURL) + `/r/([A-Za-z0-9_-]+)`)

// postsSeen lists the first post of every Mastodon status chain and
// Bluesky thread, with the copy its tracked link records.
func postsSeen(t *testing.T, e *env, tg *targets, id string) []posted {
	t.Helper()
	links, err := e.DB.Links(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	utm := func(network, code string) string {
		for _, l := range links {
			if l.Code == code {
				u, err := url.Parse(l.URL)
				if err != nil || l.Channel != network {
					t.Errorf("link %s: %+v", code, l)
					return "?"
				}
				if got := u.Query().Get("utm_content"); got != l.Variant {
					t.Errorf("link %s records variant %q but carries utm_content %q", code, l.Variant, got)
				}
				return u.Query().Get("utm_content")
			}
		}
		t.Errorf("no stored link %s", code)
		return "?"
	}
	var out []posted
	for _, p := range tg.Mastodon.Posts() {
		if p.InReplyTo != "" {
			continue
		}
		m := reshareLinkRE.FindStringSubmatch(p.Text)
		if m == nil {
			t.Errorf("mastodon status without a tracked link: %q", p.Text)
			continue
		}
		out = append(out, posted{"mastodon", strings.SplitN(p.Text, "\n", 2)[0], utm("mastodon", m[1])})
	}
	for _, r := range tg.Bluesky.Records() {
		if _, reply := r.Record["reply"]; reply {
			continue
		}
		text, _ := r.Record["text"].(string)
		embed, _ := r.Record["embed"].(map[string]any)
		ext, _ := embed["external"].(map[string]any)
		uri, _ := ext["uri"].(string)
		m := reshareLinkRE.FindStringSubmatch(uri)
		if m == nil {
			t.Errorf("bluesky post without a tracked link card: %v", r.Record)
			continue
		}
		out = append(out, posted{"bluesky", strings.SplitN(text, "\n", 2)[0], utm("bluesky", m[1])})
	}
	return out
}

func seen(ps []posted) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%s[%s] %s", p.network, p.utm, p.text))
	}
	return strings.Join(s, "\n")
}

// With social.reshare, every network posts the item's own copy at
// publishing and the next variant at each re-share, each exactly once,
// at its time on the service's clock, with the variant's utm_content on
// its tracked link; a re-share run early posts nothing; the reconciler
// queues one whose task is gone once it is due; cancelling withdraws the
// re-shares still to come.
func TestSocialReshares(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tg := newTargets(t)
			// The publication is dated two days and an hour ago on the
			// queue's (real) clock, so the first re-share's task is due
			// for the queue at once and the second's is days away; the
			// service's clock starts at the publication.
			t0 := time.Now().Add(-49 * time.Hour).UTC().Truncate(time.Second)
			c := &clock{t: t0}
			e := socialEnv(t, s, tg, c)
			e.Start(t)
			id := submitSource(t, e, fmt.Sprintf(variantItem, "  reshare: [+2d, +7d]\n"))
			if _, err := e.Service.Schedule(ctx, id, 0, t0, "editor"); err != nil {
				t.Fatal(err)
			}
			byWhen := func() (at0, two, seven []store.Delivery) {
				ds, err := e.DB.Deliveries(ctx, id, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range ds {
					switch _, n := content.ParseLedgerVariant(d.Variant); {
					case d.Channel != content.ChanSocial || n == 0:
						at0 = append(at0, d)
					case n == 1:
						two = append(two, d)
					default:
						seven = append(seven, d)
					}
				}
				return
			}
			final := func(ds []store.Delivery) (bool, string) {
				var st []string
				done := true
				for _, d := range ds {
					st = append(st, d.Key+"="+d.Status)
					done = done && d.Status != store.DelPending && d.Status != store.DelSending
				}
				return done, strings.Join(st, " ")
			}
			waitFor(t, 60*time.Second, "the first posts", func() (bool, string) { a, _, _ := byWhen(); return final(a) })
			_, two, seven := byWhen()
			if len(two) != 3 || len(seven) != 3 {
				t.Fatalf("re-share rows: %d at +2d, %d at +7d; want 3 each (mastodon, bluesky, linkedin)", len(two), len(seven))
			}
			for _, d := range two {
				if !d.ProcessAt.Equal(t0.Add(48 * time.Hour)) {
					t.Errorf("%s goes out at %v, want %v", d.Key, d.ProcessAt, t0.Add(48*time.Hour))
				}
			}
			// The +7d tasks wait in the queue for their time.
			for _, d := range seven {
				info, err := e.Queue.Task(ctx, tasks.QueueDefault, tasks.DeliverTaskID(d.Key))
				if err != nil || info.State != app.TaskScheduled {
					t.Errorf("%s: task %+v, %v; want scheduled", d.Key, info, err)
				}
			}
			// The +2d tasks ran (the queue thought them due) and sent nothing.
			waitFor(t, 30*time.Second, "the early re-share tasks to end", func() (bool, string) {
				for _, d := range two {
					info, err := e.Queue.Task(ctx, tasks.QueueDefault, tasks.DeliverTaskID(d.Key))
					if err != nil || (info.State != app.TaskGone && info.State != app.TaskCompleted) {
						return false, fmt.Sprintf("%s: %+v %v", d.Key, info, err)
					}
				}
				return true, ""
			})
			want0 := "mastodon[] Dawn on the ridge\nbluesky[] Dawn on the ridge"
			if got := seen(postsSeen(t, e, tg, id)); got != want0 {
				t.Errorf("at publishing:\n%s\nwant\n%s", got, want0)
			}
			_, two, _ = byWhen()
			for _, d := range two {
				if d.Status != store.DelPending || d.Attempts != 0 {
					t.Errorf("%s ran before its time: %s, %d attempts", d.Key, d.Status, d.Attempts)
				}
			}

			// Two days on: the reconciler finds the due re-shares without
			// a task and queues them.
			c.Set(t0.Add(48 * time.Hour))
			if _, err := e.Service.Reconcile(ctx, 0); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "the +2d re-shares", func() (bool, string) { _, b, _ := byWhen(); return final(b) })
			want2 := "mastodon[] Dawn on the ridge\nmastodon[stove] Coffee on the stove at five, then up to the ridge for the sunrise.\n" +
				"bluesky[] Dawn on the ridge\nbluesky[stove] Coffee on the stove at five, then up to the ridge for the sunrise."
			if got := seen(postsSeen(t, e, tg, id)); got != want2 {
				t.Errorf("after +2d:\n%s\nwant\n%s", got, want2)
			}
			// Run again (a duplicate task): nothing is posted twice.
			before := len(tg.Mastodon.Posts()) + len(tg.Bluesky.Records())
			for _, d := range append(two, seven...) {
				if err := e.Service.Deliver(ctx, d.Key, false); err != nil {
					t.Error(err)
				}
			}
			if after := len(tg.Mastodon.Posts()) + len(tg.Bluesky.Records()); after != before {
				t.Errorf("running the re-shares again posted %d more", after-before)
			}
			_, _, seven = byWhen()
			for _, d := range seven {
				if d.Status != store.DelPending {
					t.Errorf("%s went out early: %s", d.Key, d.Status)
				}
			}
			ids, bodies := tg.Webhook.Messages()
			if len(ids) != 2 {
				t.Errorf("linkedin got %d messages, want 2 (the first post and one re-share)", len(ids))
			}
			stove := 0
			for _, b := range bodies {
				if strings.Contains(string(b), "utm_content=stove") || strings.Contains(string(b), "Coffee on the stove") {
					stove++
				}
			}
			if stove != 1 {
				t.Errorf("linkedin got the stove copy %d times, want once", stove)
			}

			// The editor cancels: the +7d re-shares are withdrawn.
			pub, err := e.Service.Cancel(ctx, id, 0, "editor")
			if err != nil || pub.Status != store.PubPublished {
				t.Fatalf("cancel re-shares: %+v, %v", pub, err)
			}
			c.Set(t0.Add(8 * 24 * time.Hour))
			_, _, seven = byWhen()
			for _, d := range seven {
				if d.Status != store.DelCancelled {
					t.Errorf("%s: %s after cancel", d.Key, d.Status)
				}
				if info, _ := e.Queue.Task(ctx, tasks.QueueDefault, tasks.DeliverTaskID(d.Key)); info.State != app.TaskGone {
					t.Errorf("%s: its task is still queued: %+v", d.Key, info)
				}
				if err := e.Service.Deliver(ctx, d.Key, false); err != nil {
					t.Error(err)
				}
			}
			if got := seen(postsSeen(t, e, tg, id)); got != want2 {
				t.Errorf("after cancelling:\n%s\nwant\n%s", got, want2)
			}
			if _, err := e.Service.Cancel(ctx, id, 0, "editor"); err == nil {
				t.Error("cancelling with nothing left to cancel succeeded")
			}
			for _, v := range [][]string{tg.Mastodon.Violations(), tg.Bluesky.Violations(), tg.Webhook.Violations()} {
				if len(v) > 0 {
					t.Errorf("protocol: %v", v)
				}
			}
		})
	}
}

// Without re-shares, the copies rotate across the brand's networks (x,
// mastodon, bluesky, linkedin: networks 0 to 3), once each: Mastodon
// gets its copy 1 (stove), Bluesky its copy 2 (dogs), LinkedIn its copy
// 3 mod 2 (own, stove: stove); X, with no target, would get its own.
func TestSocialVariantsRotate(t *testing.T) {
	s := setups[0]
	ctx := context.Background()
	tg := newTargets(t)
	c := &clock{t: time.Now().UTC()}
	e := socialEnv(t, s, tg, c)
	e.Start(t)
	id := submitSource(t, e, strings.Replace(fmt.Sprintf(variantItem, ""), "      networks: [mastodon]\n", "      networks: [mastodon, bluesky]\n      bluesky: Bring the dog to the ridge.\n", 1))
	if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "deliveries final", deliveriesFinal(e, id))
	want := "mastodon[stove] Coffee on the stove at five, then up to the ridge for the sunrise.\n" +
		"bluesky[dogs] Bring the dog to the ridge."
	if got := seen(postsSeen(t, e, tg, id)); got != want {
		t.Errorf("rotation:\n%s\nwant\n%s", got, want)
	}
	ds, _ := e.DB.Deliveries(ctx, id, 0)
	variants := map[string]string{}
	for _, d := range ds {
		if d.Status != store.DelSent {
			t.Errorf("%s: %s %s", d.Key, d.Status, d.Error)
		}
		variants[d.Target] = d.Variant
	}
	if variants["mastodon"] != "stove" || variants["bluesky"] != "dogs" || variants["linkedin"] != "stove" {
		t.Errorf("ledger variants %v", variants)
	}
}

// Taking an item off its site withdraws the re-shares still to come,
// and so does publishing a newer version (which brings its own).
func TestUnpublishAndNewVersionCancelReshares(t *testing.T) {
	s := setups[0]
	ctx := context.Background()
	tg := newTargets(t)
	c := &clock{t: time.Now().UTC()}
	e := socialEnv(t, s, tg, c)
	e.Start(t)
	src := fmt.Sprintf(variantItem, "  reshare: [+2d, +7d]\n")
	id := submitSource(t, e, src)
	if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
		t.Fatal(err)
	}
	pending := func(version int) (n int, first bool) {
		ds, err := e.DB.Deliveries(ctx, id, version)
		if err != nil {
			t.Fatal(err)
		}
		first = true
		for _, d := range ds {
			_, k := content.ParseLedgerVariant(d.Variant)
			switch {
			case d.Channel == content.ChanSocial && k > 0 && d.Status == store.DelPending:
				n++
			case k == 0 && (d.Status == store.DelPending || d.Status == store.DelSending):
				first = false
			}
		}
		return n, first
	}
	waitFor(t, 60*time.Second, "the first posts", func() (bool, string) {
		n, first := pending(1)
		return first, fmt.Sprintf("%d re-shares pending, first posts done: %v", n, first)
	})
	if n, _ := pending(1); n != 6 {
		t.Fatalf("%d re-shares pending, want 6", n)
	}

	// Version 2, published: version 1's re-shares are cancelled.
	if _, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: map[string][]byte{"index.md": []byte(strings.Replace(src, "an hour", "an hour and a bit", 1))}, Actor: "writer"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "version 2 rendered", func() (bool, string) {
		it, err := e.DB.Item(ctx, id)
		return err == nil && it.LatestVersion == 2 && it.Status == store.StatusRendered, fmt.Sprint(it, err)
	})
	if _, err := e.Service.Schedule(ctx, id, 2, time.Time{}, "editor"); err != nil {
		t.Fatal(err)
	}
	if n, _ := pending(1); n != 0 {
		t.Errorf("version 1 still has %d re-shares after version 2 was scheduled", n)
	}
	waitFor(t, 60*time.Second, "version 2's first posts", func() (bool, string) {
		_, first := pending(2)
		return first, "sending"
	})
	if n, _ := pending(2); n != 6 {
		t.Errorf("version 2 has %d re-shares pending, want 6", n)
	}
	if err := e.Service.Unpublish(ctx, id, "editor"); err != nil {
		t.Fatal(err)
	}
	if n, _ := pending(2); n != 0 {
		t.Errorf("%d re-shares still pending after unpublishing", n)
	}
}
