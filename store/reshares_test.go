package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// A social re-share is a ledger row of its own, with its own key and a
// later process_at: the reconciler leaves it alone until it is due, and
// cancelling re-shares cancels only those, leaving what went out.
func TestReshareRows(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := "reshared"
		if _, err := db.Submit(ctx, submission(id, "body", nil), plan("critical")); err != nil {
			t.Fatal(err)
		}
		for _, ch := range channels {
			if _, err := db.FinishRendering(ctx, store.RenderKey{ItemID: id, Version: 1, Channel: ch}, "b1", store.RenderResult{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
		two, seven := at.Add(48*time.Hour), at.Add(7*24*time.Hour)
		_, _, err := db.Schedule(ctx, store.ScheduleRequest{ItemID: id, Version: 1, At: at, Actor: "editor",
			Deliveries: []store.NewDelivery{
				{Channel: "social", Target: "masto", Kind: "mastodon"},
				{Channel: "social", Target: "masto", Kind: "mastodon", Variant: "b@1", At: two},
				{Channel: "social", Target: "masto", Kind: "mastodon", Variant: "original@2", At: seven},
			},
			Task: func(gen int) (store.Task, error) {
				return store.Task{Type: "publish:item", ID: "publish:" + id, Queue: "default", Payload: []byte(`{}`)}, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := db.StartPublication(ctx, id, 1, 1)
		if err != nil || len(ds) != 3 {
			t.Fatalf("start: %d deliveries, %v", len(ds), err)
		}
		when := map[string]time.Time{}
		for _, d := range ds {
			when[d.Variant] = d.ProcessAt
		}
		if !when[""].Equal(at) || !when["b@1"].Equal(two) || !when["original@2"].Equal(seven) {
			t.Errorf("process_at %v", when)
		}
		if store.DeliveryKey(id, 1, "social", "masto", "b@1") == store.DeliveryKey(id, 1, "social", "masto", "") {
			t.Error("a re-share shares its key with the first post")
		}

		// Only the first post is due now; the first re-share once past it.
		keys := func(ds []store.Delivery) map[string]bool {
			m := map[string]bool{}
			for _, d := range ds {
				m[d.Variant] = true
			}
			return m
		}
		now, err := db.StalledDeliveries(ctx, time.Now().Add(time.Minute), 100)
		if err != nil {
			t.Fatal(err)
		}
		if k := keys(now); !k[""] || k["b@1"] || k["original@2"] {
			t.Errorf("stalled now: %v", k)
		}
		later, _ := db.StalledDeliveries(ctx, two.Add(time.Minute), 100)
		if k := keys(later); !k["b@1"] || k["original@2"] {
			t.Errorf("stalled after the first re-share is due: %v", k)
		}

		// The first post goes out; cancelling re-shares leaves it sent.
		if _, _, err := db.ClaimDelivery(ctx, store.DeliveryKey(id, 1, "social", "masto", ""), true); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishDelivery(ctx, store.DeliveryKey(id, 1, "social", "masto", ""), store.DelSent, "1", "https://m.example/1", ""); err != nil {
			t.Fatal(err)
		}
		if got, err := db.CancelReshares(ctx, id, 2, true, "editor"); err != nil || len(got) != 2 {
			t.Fatalf("cancel re-shares of versions before 2: %d, %v", len(got), err)
		}
		again, err := db.CancelReshares(ctx, id, 0, false, "editor")
		if err != nil || len(again) != 0 {
			t.Errorf("cancelling twice: %d, %v", len(again), err)
		}
		ds, _ = db.Deliveries(ctx, id, 1)
		for _, d := range ds {
			want := store.DelCancelled
			if d.Variant == "" {
				want = store.DelSent
			}
			if d.Status != want {
				t.Errorf("%s: %s, want %s", d.Key, d.Status, want)
			}
		}
		if claim, _, _ := db.ClaimDelivery(ctx, store.DeliveryKey(id, 1, "social", "masto", "b@1"), true); claim != store.ClaimDone {
			t.Errorf("a cancelled re-share was claimed: %v", claim)
		}
	})
}
