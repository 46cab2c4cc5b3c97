package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

func publishedItem(t *testing.T, db *store.DB, id string) {
	t.Helper()
	ctx := context.Background()
	renderedItem(t, db, id)
	_, _, err := db.Schedule(ctx, store.ScheduleRequest{ItemID: id, Version: 1, At: time.Now(), Actor: "editor",
		Task: func(gen int) (store.Task, error) {
			return store.Task{Type: "publish:item", ID: fmt.Sprintf("publish:%s:%d", id, gen), Queue: "critical", Payload: []byte(`{}`)}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartPublication(ctx, id, 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishPublication(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
}

// A period is planned once and finished once, however often either is
// asked for (a reconciler and a worker racing, a retry after a crash);
// the items published in it are found, newest first, without digests'
// own items.
func TestDigestRuns(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		end := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
		start := end.AddDate(0, 0, -7)
		task := store.Task{Type: "digest:run", ID: "digest:kestrel:weekly:20261130T0700Z", Queue: "default", Payload: []byte(`{}`), ProcessAt: end}
		if _, err := db.LastDigestRun(ctx, "kestrel", "weekly"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("before any run: %v", err)
		}
		planned, tasks, err := db.PlanDigest(ctx, "kestrel", "weekly", start, end, task)
		if err != nil || !planned || len(tasks) != 1 || tasks[0].OutboxID == 0 {
			t.Fatalf("plan: %v %v %v", planned, tasks, err)
		}
		if planned, tasks, err := db.PlanDigest(ctx, "kestrel", "weekly", start, end, task); err != nil || planned || len(tasks) != 0 {
			t.Fatalf("planned twice: %v %v %v", planned, tasks, err)
		}
		due, err := db.DueDigests(ctx, end.Add(time.Minute), 10)
		if err != nil || len(due) != 1 || !due[0].End.Equal(end) || !due[0].Start.Equal(start) || due[0].Status != store.DigestPlanned {
			t.Fatalf("due: %+v %v", due, err)
		}
		if due, _ := db.DueDigests(ctx, end.Add(-time.Minute), 10); len(due) != 0 {
			t.Errorf("due before its time: %+v", due)
		}

		publishedItem(t, db, "older")
		publishedItem(t, db, "newer")
		publishedItem(t, db, "digest-weekly-2026-11-23")
		if _, _, err := db.PlanDigest(ctx, "kestrel", "weekly", start.AddDate(0, 0, -7), start, task); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.FinishDigest(ctx, "kestrel", "weekly", start, store.DigestRendered, "digest-weekly-2026-11-23", 1, nil); err != nil || !ok {
			t.Fatalf("finish the earlier run: %v %v", ok, err)
		}
		// Its item is published: the run reads sent.
		if r, err := db.DigestRun(ctx, "kestrel", "weekly", start); err != nil || r.Status != store.DigestSent {
			t.Errorf("a published digest's run: %+v %v", r, err)
		}
		now := time.Now()
		pub, err := db.PublishedBetween(ctx, "kestrel", "en", now.Add(-time.Hour), now.Add(time.Hour), 10)
		if err != nil || len(pub) != 2 || pub[0].ItemID != "newer" || pub[1].ItemID != "older" || pub[0].Version != 1 {
			t.Fatalf("published: %+v %v", pub, err)
		}
		if pub, _ := db.PublishedBetween(ctx, "kestrel", "nl", now.Add(-time.Hour), now.Add(time.Hour), 10); len(pub) != 0 {
			t.Errorf("another language's: %+v", pub)
		}
		if pub, _ := db.PublishedBetween(ctx, "kestrel", "en", now.Add(-2*time.Hour), now.Add(-time.Hour), 10); len(pub) != 0 {
			t.Errorf("another period's: %+v", pub)
		}

		entries := []store.DigestEntry{{ItemID: "newer", Version: 1}, {ItemID: "older", Version: 1}}
		ok, err := db.FinishDigest(ctx, "kestrel", "weekly", end, store.DigestRendered, "digest-weekly-2026-11-30", 1, entries)
		if err != nil || !ok {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, err := db.FinishDigest(ctx, "kestrel", "weekly", end, store.DigestSkipped, "", 0, nil); err != nil || ok {
			t.Fatalf("finished twice: %v %v", ok, err)
		}
		r, err := db.DigestByItem(ctx, "digest-weekly-2026-11-30")
		if err != nil || r.Status != store.DigestRendered || len(r.Entries) != 2 || r.Entries[0] != entries[0] || !r.End.Equal(end) {
			t.Fatalf("by item: %+v %v", r, err)
		}
		last, err := db.LastDigestRun(ctx, "kestrel", "weekly")
		if err != nil || !last.End.Equal(end) {
			t.Fatalf("last: %+v %v", last, err)
		}
		if _, err := db.DigestByItem(ctx, "newer"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an item that is no digest: %v", err)
		}
		if due, _ := db.DueDigests(ctx, end.Add(time.Hour), 10); len(due) != 0 {
			t.Errorf("a finished run is due: %+v", due)
		}
		if un, err := db.UnscheduledDigests(ctx, 10); err != nil || len(un) != 1 || un[0].ItemID != "digest-weekly-2026-11-30" {
			t.Errorf("unscheduled: %+v %v", un, err)
		}
		runs, err := db.DigestRuns(ctx, "kestrel", 10)
		if err != nil || len(runs) != 2 || !runs[0].End.Equal(end) {
			t.Errorf("runs: %+v %v", runs, err)
		}
	})
}
