package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

func TestSourceStates(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		if _, err := db.SourceState(ctx, "kestrel", "blog"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown source: %v", err)
		}
		added, err := db.EnsureSource(ctx, "kestrel", "blog", "feed", t0)
		if err != nil || !added {
			t.Fatalf("ensure: %v %v", added, err)
		}
		if added, _ := db.EnsureSource(ctx, "kestrel", "blog", "feed", t0.Add(time.Hour)); added {
			t.Fatal("a known source was added again")
		}
		due, err := db.DueSources(ctx, t0.Add(time.Second), 10)
		if err != nil || len(due) != 1 || due[0].Status != store.SourceNew || !due[0].LastFetch.IsZero() {
			t.Fatalf("due = %+v, %v", due, err)
		}
		run := store.SourceRun{Brand: "kestrel", ID: "blog", Kind: "feed", Status: store.SourceOK, ETag: `"v1"`,
			At: t0, NextRun: t0.Add(30 * time.Minute), Created: 3, Updated: 1, Entries: []string{"blog-a", "blog-b"}}
		for range 2 {
			if err := db.RecordSourceRun(ctx, run); err != nil {
				t.Fatal(err)
			}
			run.Created, run.Updated, run.Entries = 1, 0, nil // a 304 keeps the entries
		}
		st, err := db.SourceState(ctx, "kestrel", "blog")
		if err != nil {
			t.Fatal(err)
		}
		if st.Created != 4 || st.Updated != 1 || len(st.Entries) != 2 || st.Entries[1] != "blog-b" || st.Fetches != 2 || st.ETag != `"v1"` || !st.LastFetch.Equal(t0) || !st.NextRun.Equal(t0.Add(30*time.Minute)) {
			t.Errorf("state = %+v", st)
		}
		if due, _ := db.DueSources(ctx, t0.Add(time.Minute), 10); len(due) != 0 {
			t.Errorf("a source not due yet is listed: %+v", due)
		}
		if err := db.SetSourceNextRun(ctx, "kestrel", "blog", t0); err != nil {
			t.Fatal(err)
		}
		all, err := db.SourceStates(ctx, "")
		if err != nil || len(all) != 1 || !all[0].NextRun.Equal(t0) {
			t.Errorf("all = %+v, %v", all, err)
		}
		if other, _ := db.SourceStates(ctx, "tulpwerk"); len(other) != 0 {
			t.Errorf("another brand's sources: %+v", other)
		}
	})
}
