package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

func TestClickRollup(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Submit(ctx, submission("tent", "v1", nil), plan("default")); err != nil {
			t.Fatal(err)
		}
		other := submission("stove", "v1", nil)
		other.Brand = "osprey"
		if _, err := db.Submit(ctx, other, plan("default")); err != nil {
			t.Fatal(err)
		}
		link := func(item, channel, variant, url, dest string) store.Link {
			return store.Link{Code: store.LinkCode(item, 1, channel, variant, url), ItemID: item, Version: 1, Channel: channel, Variant: variant, URL: url, Dest: dest}
		}
		email := link("tent", "email", "b", "https://kestrel.example/en/tent/", store.DestPortal)
		social := link("tent", "mastodon", "", "https://kestrel.example/en/tent/", store.DestPortal)
		portal := link("tent", "portal-share", "", "https://mastodon.example/share?text=x", store.DestWeb)
		stove := link("stove", "email", "", "https://osprey.example/en/stove/", store.DestPortal)
		if err := db.PutLinks(ctx, []store.Link{email, social, portal, stove}); err != nil {
			t.Fatal(err)
		}
		clicks := map[store.Link]int{email: 3, social: 20, portal: 1, stove: 5}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for l, n := range clicks {
			for range n {
				wg.Go(func() {
					got, err := db.CountClick(ctx, l.Code)
					if err == nil && got.URL != l.URL {
						err = errors.New("click on " + l.Code + " went to " + got.URL)
					}
					errs <- err
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.CountClick(ctx, "nosuchcode"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown code: %v, want ErrNotFound", err)
		}

		now := time.Now()
		week := store.ClickScope{Brand: "kestrel", Since: now.AddDate(0, 0, -7), Until: now.AddDate(0, 0, 1)}
		rows, err := db.ClickBreakdown(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		byChannel, byVariant, paths := map[string]int64{}, map[string]int64{}, map[string]int64{}
		for _, r := range rows {
			byChannel[r.Channel] += r.Clicks
			byVariant[r.Variant] += r.Clicks
			paths[r.Channel+" → "+r.Dest] += r.Clicks
			if today := now.UTC().Truncate(24 * time.Hour); !r.Day.Equal(today) {
				t.Errorf("%s clicked on %v, want today %v", r.Channel, r.Day, today)
			}
		}
		if want := map[string]int64{"email": 3, "mastodon": 20, "portal-share": 1}; !equalCounts(byChannel, want) {
			t.Errorf("kestrel's clicks by channel %v, want %v (the other brand's stay out)", byChannel, want)
		}
		if want := map[string]int64{"b": 3, "": 21}; !equalCounts(byVariant, want) {
			t.Errorf("clicks by variant %v, want %v", byVariant, want)
		}
		if want := map[string]int64{"mastodon → portal": 20, "email → portal": 3, "portal-share → web": 1}; !equalCounts(paths, want) {
			t.Errorf("paths %v, want %v", paths, want)
		}

		top, err := db.ClickLinks(ctx, week, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(top) != 2 || top[0].Code != social.Code || top[0].Clicks != 20 || top[1].Code != email.Code || top[1].Clicks != 3 || top[0].BrandID != "kestrel" {
			t.Errorf("top links %+v, want mastodon 20 then email 3", top)
		}

		item := store.ClickScope{Item: "stove", Since: week.Since, Until: week.Until}
		if rows, err := db.ClickBreakdown(ctx, item); err != nil || len(rows) != 1 || rows[0].Clicks != 5 || rows[0].Channel != "email" {
			t.Errorf("stove's clicks %+v (%v), want 5 by email", rows, err)
		}
		past := store.ClickScope{Brand: "kestrel", Since: now.AddDate(0, 0, -30), Until: now.AddDate(0, 0, -7)}
		if rows, err := db.ClickBreakdown(ctx, past); err != nil || len(rows) != 0 {
			t.Errorf("clicks before the range: %+v (%v), want none", rows, err)
		}
		// The per-link totals the item page shows still count every click.
		links, err := db.Links(ctx, "tent")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			if l.Code == social.Code && l.Clicks != 20 {
				t.Errorf("mastodon link total %d, want 20", l.Clicks)
			}
		}
	})
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
