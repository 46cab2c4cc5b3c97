package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// emailScheduled submits, renders, schedules and starts an item with one
// email delivery to the list, and returns the delivery.
func emailScheduled(t *testing.T, db *store.DB, id string) *store.Delivery {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Submit(ctx, submission(id, "body "+id, nil), plan("critical")); err != nil {
		t.Fatal(err)
	}
	for _, ch := range channels {
		if _, err := db.FinishRendering(ctx, store.RenderKey{ItemID: id, Version: 1, Channel: ch}, "b1", store.RenderResult{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := db.Schedule(ctx, store.ScheduleRequest{ItemID: id, Version: 1, At: time.Now(), Actor: "editor",
		Deliveries: []store.NewDelivery{{Channel: "email", Target: "news", Kind: "smtp"}},
		Task: func(gen int) (store.Task, error) {
			return store.Task{Type: "publish:item", ID: "publish:" + id, Queue: "default", Payload: []byte(`{}`)}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartPublication(ctx, id, 1, 1); err != nil {
		t.Fatal(err)
	}
	d, err := db.Delivery(ctx, store.DeliveryKey(id, 1, "email", "news", ""))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func expRequest(d *store.Delivery, min int) store.StartExperimentRequest {
	return store.StartExperimentRequest{
		Delivery: d, Segment: store.Segment{BrandID: "kestrel", Langs: []string{"en", ""}},
		Variants: []string{"", "b"}, Share: 50, Metric: "clicks", Wait: time.Hour, MinRecipients: min, Seed: 7, Secret: "s3cret",
		// Every other address of the first half, alternately.
		Split: func(addrs []string) [][]string {
			out := make([][]string, 2)
			for i, a := range addrs[:len(addrs)/2] {
				out[i%2] = append(out[i%2], a)
			}
			return out
		},
		Deliver: func(d store.Delivery) (store.Task, error) {
			return store.Task{Type: "deliver:smtp", ID: "deliver:" + d.Key, Queue: "default", Payload: []byte(`{}`)}, nil
		},
		Decide: func(e *store.Experiment) (store.Task, error) {
			return store.Task{Type: "experiment:decide", ID: "decide:" + e.ItemID, Queue: "default", Payload: []byte(`{}`), ProcessAt: e.DecideAt}, nil
		},
	}
}

func TestExperimentLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 40 {
			joinAs(t, db, fmt.Sprintf("r%02d@example.net", i), "en", true)
		}
		d := emailScheduled(t, db, "ab")
		e, tasks, err := db.StartExperiment(ctx, expRequest(d, 10))
		if err != nil {
			t.Fatal(err)
		}
		if e.State != store.ExpRunning || e.SegmentSize != 40 || len(e.Arms) != 2 || e.Arms[0].Recipients != 10 || e.Arms[1].Recipients != 10 {
			t.Fatalf("experiment = %+v", e)
		}
		if len(tasks) != 3 || tasks[2].Type != "experiment:decide" || !tasks[2].ProcessAt.After(time.Now().Add(50*time.Minute)) {
			t.Fatalf("tasks = %+v", tasks)
		}
		// Started twice (a retried task): the same test, nothing new.
		again, tasks, err := db.StartExperiment(ctx, expRequest(d, 10))
		if err != nil || again.ID != e.ID || len(tasks) != 0 {
			t.Fatalf("second start = %+v, %v, %v", again, tasks, err)
		}
		held, _ := db.Delivery(ctx, d.Key)
		if held.Status != store.DelHeld {
			t.Errorf("default delivery is %s, want held", held.Status)
		}
		arm, _ := db.Delivery(ctx, store.DeliveryKey("ab", 1, "email", "news", "test:b"))
		rs, err := db.DeliveryRecipients(ctx, arm)
		if err != nil || len(rs) != 10 || rs[0].Address != "r01@example.net" {
			t.Fatalf("variant b's recipients = %v, %v", rs, err)
		}

		// Clicks: three by one recipient are one unique click.
		cs := []struct {
			v, tok string
		}{{"b", "t1"}, {"b", "t1"}, {"b", "t1"}, {"b", "t2"}, {"", "t3"}}
		for _, c := range cs {
			if _, err := db.CountExperimentClick(ctx, e.ID, c.v, c.tok); err != nil {
				t.Fatal(err)
			}
		}
		// Someone left for the rest unsubscribes meanwhile.
		if err := db.Suppress(ctx, "kestrel", "r39@example.net", "complaint"); err != nil {
			t.Fatal(err)
		}
		pick := func(e *store.Experiment) string {
			if a := e.Arm("b"); a == nil || a.Clicks != 4 || a.UniqueClicks != 2 {
				t.Errorf("arm b at the decision = %+v", a)
			}
			return "b"
		}
		e, tasks, err = db.DecideExperiment(ctx, store.DecideExperimentRequest{ItemID: "ab", Version: 1, Target: "news", Pick: pick, How: store.HowAuto,
			Actor: "worker", Segment: store.Segment{BrandID: "kestrel", Langs: []string{"en", ""}}, Deliver: expRequest(d, 0).Deliver})
		if err != nil {
			t.Fatal(err)
		}
		if e.State != store.ExpDecided || e.Winner != "b" || e.How != store.HowAuto || e.Secret != "" || len(tasks) != 1 {
			t.Errorf("decided = %+v, tasks %v", e, tasks)
		}
		got, _ := db.Experiment(ctx, "ab", 1, "news")
		if got.Secret != "" || got.Arm("b").UniqueClicks != 2 || got.Arm("").Clicks != 1 {
			t.Errorf("after the decision: %+v", got)
		}
		if n, _ := db.ExperimentClickers(ctx, e.ID); n != 0 {
			t.Errorf("%d click-token hashes kept after the test", n)
		}
		// Everyone once: 20 in the test, 19 in the winner's send.
		seen := map[string]string{}
		ds, _ := db.Deliveries(ctx, "ab", 1)
		for _, d := range ds {
			rs, _ := db.DeliveryRecipients(ctx, &d)
			for _, r := range rs {
				if prev, ok := seen[r.Address]; ok {
					t.Errorf("%s is on %s and %s", r.Address, prev, d.Variant)
				}
				seen[r.Address] = d.Variant
			}
			if d.Variant == "" && d.Status != store.DelCancelled {
				t.Errorf("held delivery is %s after the decision", d.Status)
			}
		}
		if len(seen) != 39 || seen["r39@example.net"] != "" {
			t.Errorf("%d recipients in all (want 39, the suppressed one left out)", len(seen))
		}
		if _, _, err := db.DecideExperiment(ctx, store.DecideExperimentRequest{ItemID: "ab", Version: 1, Target: "news", Winner: "", How: store.HowEditor}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("deciding twice: %v", err)
		}
		if u, _ := db.CountExperimentClick(ctx, e.ID, "b", "t9"); u {
			t.Error("a click after the test counted")
		}

		// Below min_recipients: decided too_small, the default left to send.
		d2 := emailScheduled(t, db, "small")
		e2, tasks, err := db.StartExperiment(ctx, expRequest(d2, 100))
		if err != nil || e2.How != store.HowTooSmall || e2.State != store.ExpDecided || len(tasks) != 0 {
			t.Fatalf("too small = %+v, %v, %v", e2, tasks, err)
		}
		if d2, _ = db.Delivery(ctx, d2.Key); d2.Status != store.DelPending {
			t.Errorf("too small: default delivery is %s", d2.Status)
		}
	})
}

// Cancelling re-shares (a newer version, cancel, unpublish) touches
// social re-shares only: an A/B test's email deliveries, made after the
// publication's time, go on.
func TestCancelResharesLeavesABTest(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 40 {
			joinAs(t, db, fmt.Sprintf("r%02d@example.net", i), "en", true)
		}
		d := emailScheduled(t, db, "abc")
		// The test starts an hour after the publication's time.
		db.SetClock(func() time.Time { return time.Now().Add(time.Hour) })
		if _, _, err := db.StartExperiment(ctx, expRequest(d, 10)); err != nil {
			t.Fatal(err)
		}
		ds, err := db.CancelReshares(ctx, "abc", 1, false, "editor")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range ds {
			t.Errorf("CancelReshares cancelled %s (channel %s)", c.Key, c.Channel)
		}
	})
}
