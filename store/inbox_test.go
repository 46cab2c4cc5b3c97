package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// renderedItem submits an item and finishes every channel's rendering.
func renderedItem(t *testing.T, db *store.DB, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Submit(ctx, submission(id, "body of "+id, nil), plan("critical")); err != nil {
		t.Fatal(err)
	}
	for _, ch := range channels {
		k := store.RenderKey{ItemID: id, Version: 1, Channel: ch}
		if _, err := db.StartRendering(ctx, k, "b1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FinishRendering(ctx, k, "b1", store.RenderResult{Files: []store.FileData{{Name: "x", MediaType: "text/plain", Data: []byte(ch)}}}, indexPlan); err != nil {
			t.Fatal(err)
		}
	}
}

// The status filter finds items by their publication too, and the
// inbox badges tell each channel's fate once publishing started: sent
// (to which target), or no target for it.
func TestStatusFilterAndBadges(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, id := range []string{"later", "now", "draft"} {
			renderedItem(t, db, id)
		}
		schedule := func(id string, at time.Time) {
			t.Helper()
			_, _, err := db.Schedule(ctx, store.ScheduleRequest{ItemID: id, Version: 1, At: at, Actor: "editor",
				Deliveries: []store.NewDelivery{{Channel: "portal", Target: "site", Kind: "site"}},
				Task: func(gen int) (store.Task, error) {
					return store.Task{Type: "publish:item", ID: fmt.Sprintf("publish:%s:%d", id, gen), Queue: "critical", Payload: []byte(`{}`)}, nil
				}})
			if err != nil {
				t.Fatal(err)
			}
		}
		schedule("later", time.Now().Add(time.Hour))
		schedule("now", time.Now())
		if _, err := db.StartPublication(ctx, "now", 1, 1); err != nil {
			t.Fatal(err)
		}
		key := store.DeliveryKey("now", 1, "portal", "site", "")
		if _, _, err := db.ClaimDelivery(ctx, key, false); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishDelivery(ctx, key, store.DelSent, "/now/", "https://kestrel.example/now/", ""); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishPublication(ctx, "now", 1); err != nil {
			t.Fatal(err)
		}

		for status, want := range map[string][]string{
			store.PubScheduled: {"later"}, store.PubPublished: {"now"}, store.StatusRendered: {"draft", "later", "now"}, store.PubCancelled: nil,
		} {
			items, err := db.Items(ctx, store.ItemFilter{Status: status})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Errorf("status %s: %v, want %v", status, ids, want)
			}
			if n, _ := db.CountItems(ctx, store.ItemFilter{Status: status}); n != len(want) {
				t.Errorf("status %s: counted %d", status, n)
			}
		}

		items, _ := db.Items(ctx, store.ItemFilter{})
		badges, err := db.Badges(ctx, items)
		if err != nil {
			t.Fatal(err)
		}
		got := func(id string) string {
			var s []string
			for _, b := range badges[id] {
				s = append(s, fmt.Sprint(b.Channel, "=", b.Label(), b.Targets))
			}
			return fmt.Sprint(s)
		}
		for id, want := range map[string]string{
			"now":   "[email=no target[] portal=published[site] social=no target[]]",
			"later": "[email=scheduled[] portal=scheduled[] social=scheduled[]]",
			"draft": "[email=rendered[] portal=rendered[] social=rendered[]]",
		} {
			if g := got(id); g != want {
				t.Errorf("%s badges %s, want %s", id, g, want)
			}
		}
	})
}
