package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// A rendering whose runs keep dying (the worker killed inside it, so
// neither its result nor its end is recorded) is given up after
// MaxUnended starts; runs that end, with or without a result, do not
// count against it.
func TestRenderingGivenUpWhenItsRunsNeverEnd(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Submit(ctx, submission("oom", "body", nil), plan("critical")); err != nil {
			t.Fatal(err)
		}
		k := store.RenderKey{ItemID: "oom", Version: 1, Channel: "email"}
		// Two runs that end without a result (a temporary error, a
		// deadline) leave the rendering startable.
		for range 2 {
			if st, err := db.StartRendering(ctx, k, "b1"); err != nil || st != store.StartRun {
				t.Fatalf("start: %v %v", st, err)
			}
			if err := db.EndRendering(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		// Three that die: the fourth start is refused with StartGiveUp.
		for i := range store.MaxUnended {
			if st, err := db.StartRendering(ctx, k, "b1"); err != nil || st != store.StartRun {
				t.Fatalf("start after %d deaths: %v %v", i, st, err)
			}
		}
		if st, err := db.StartRendering(ctx, k, "b1"); err != nil || st != store.StartGiveUp {
			t.Fatalf("start after %d deaths: %v %v, want StartGiveUp", store.MaxUnended, st, err)
		}
		r, err := db.Rendering(ctx, k)
		if err != nil || r.Attempts != 5 || r.Ended != 2 || r.Unended() != 3 {
			t.Fatalf("rendering: %+v %v", r, err)
		}
		// The reconciler (or the handler) records the give-up; the other
		// channels still render and the version ends failed.
		if _, err := db.FinishRendering(ctx, k, "b1", store.RenderResult{Err: store.DiedError, GivenUp: true}, nil); err != nil {
			t.Fatal(err)
		}
		for _, ch := range []string{"portal", "social"} {
			ok := store.RenderKey{ItemID: "oom", Version: 1, Channel: ch}
			if st, _ := db.StartRendering(ctx, ok, "b1"); st != store.StartRun {
				t.Fatalf("%s: %v", ch, st)
			}
			if _, err := db.FinishRendering(ctx, ok, "b1", store.RenderResult{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if st, _ := db.StartRendering(ctx, k, "b1"); st != store.StartSkip {
			t.Errorf("a given-up rendering starts again: %v", st)
		}
		it, _ := db.Item(ctx, "oom")
		if it.Status != store.StatusFailed {
			t.Errorf("item is %s, want failed", it.Status)
		}
		rs, _ := db.Renderings(ctx, "oom", 1)
		for _, r := range rs {
			want := store.StatusRendered
			if r.Channel == "email" {
				want = store.StatusFailed
				if r.Error != store.DiedError || r.Unended() != 3 {
					t.Errorf("email: error %q, %d unended", r.Error, r.Unended())
				}
			}
			if r.Status != want {
				t.Errorf("%s: %s, want %s", r.Channel, r.Status, want)
			}
		}
		if un, _ := db.UnfinishedRenderings(ctx, time.Now().Add(time.Hour), 10); len(un) != 0 {
			t.Errorf("the reconciler would still see %d unfinished renderings", len(un))
		}
	})
}

// A delivery whose runs keep dying mid-send ends unknown with DiedError
// (it may have reached the target), is never claimed to send again, and
// an editor's "send again" gives it one more run.
func TestDeliveryGivenUpWhenItsRunsNeverEnd(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := scheduled(t, db, "post")
		// A run that ends (a temporary failure put back) does not count.
		if c, _, err := db.ClaimDelivery(ctx, key, true); err != nil || c != store.ClaimGo {
			t.Fatalf("claim: %v %v", c, err)
		}
		if err := db.ReleaseDelivery(ctx, key, "503"); err != nil {
			t.Fatal(err)
		}
		for i := range store.MaxUnended {
			if c, _, err := db.ClaimDelivery(ctx, key, true); err != nil || c != store.ClaimGo {
				t.Fatalf("claim after %d deaths: %v %v", i, c, err)
			}
		}
		c, d, err := db.ClaimDelivery(ctx, key, true)
		if err != nil || c != store.ClaimUnknown || d.Status != store.DelUnknown || !strings.HasPrefix(d.Error, store.DiedError) {
			t.Fatalf("claim after %d deaths: %v %+v %v", store.MaxUnended, c, d, err)
		}
		if c, _, _ := db.ClaimDelivery(ctx, key, true); c != store.ClaimDone {
			t.Fatalf("an unknown delivery is claimed again: %v", c)
		}
		// The editor asks for it again: one more run, which dies too.
		if _, err := db.ResolveDelivery(ctx, key, store.DelPending, "editor"); err != nil {
			t.Fatal(err)
		}
		if c, _, _ := db.ClaimDelivery(ctx, key, true); c != store.ClaimGo {
			t.Fatalf("after send again: %v", c)
		}
		if c, _, _ := db.ClaimDelivery(ctx, key, true); c != store.ClaimUnknown {
			t.Fatalf("after the editor's run died too: %v", c)
		}
	})
}

// The reconciler's give-up: only a sending delivery that has died
// MaxUnended times is made unknown.
func TestGiveUpDelivery(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := scheduled(t, db, "post")
		for i := range store.MaxUnended {
			if done, err := db.GiveUpDelivery(ctx, key); err != nil || done {
				t.Fatalf("give up after %d deaths: %v %v", i, done, err)
			}
			db.ClaimDelivery(ctx, key, true)
		}
		if done, err := db.GiveUpDelivery(ctx, key); err != nil || !done {
			t.Fatalf("give up after %d deaths: %v %v", store.MaxUnended, done, err)
		}
		d, _ := db.Delivery(ctx, key)
		if d.Status != store.DelUnknown || !strings.HasPrefix(d.Error, store.DiedError) {
			t.Fatalf("delivery: %+v", d)
		}
		// What happened is in the item's history for the editor.
		evs, _ := db.Events(ctx, "post", 10)
		found := false
		for _, e := range evs {
			found = found || (e.Kind == "delivery unknown" && strings.Contains(e.Detail, store.DiedError))
		}
		if !found {
			t.Errorf("no event tells the editor: %+v", evs)
		}
	})
}

// scheduled submits, renders and schedules an item with one webhook
// delivery, and returns its key.
func scheduled(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Submit(ctx, submission(id, "body", nil), plan("critical")); err != nil {
		t.Fatal(err)
	}
	for _, ch := range channels {
		if _, err := db.FinishRendering(ctx, store.RenderKey{ItemID: id, Version: 1, Channel: ch}, "b1", store.RenderResult{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := db.Schedule(ctx, store.ScheduleRequest{ItemID: id, Version: 1, At: time.Now(), Actor: "editor",
		Deliveries: []store.NewDelivery{{Channel: "social", Target: "hook", Kind: "webhook"}},
		Task: func(gen int) (store.Task, error) {
			return store.Task{Type: "publish:item", ID: "publish", Queue: "default", Payload: []byte(`{}`)}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return store.DeliveryKey(id, 1, "social", "hook", "")
}
