package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// Soft bounces count once per event and are forgotten once the window
// has passed them.
func TestSoftBounces(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		add := func(event string, at time.Time) (bool, int) {
			t.Helper()
			added, earlier, err := db.AddSoftBounce(ctx, "kestrel", "Ann@example.net", event, at, at.Add(-14*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return added, len(earlier)
		}
		if added, n := add("dsn:m1", day.Add(-20*24*time.Hour)); !added || n != 0 {
			t.Errorf("first: added %v, %d earlier", added, n)
		}
		if added, n := add("dsn:m2", day); !added || n != 0 {
			t.Errorf("second, the first outside the window: added %v, %d earlier", added, n)
		}
		if added, n := add("dsn:m2", day); added || n != 0 {
			t.Errorf("the same event again: added %v, %d earlier", added, n)
		}
		if added, n := add("dsn:m3", day.Add(time.Hour)); !added || n != 1 {
			t.Errorf("third: added %v, %d earlier", added, n)
		}
		if n, _ := db.SoftBounceCount(ctx, "kestrel", "ann@example.net"); n != 2 {
			t.Errorf("%d kept, want 2", n)
		}
		if n, err := db.PruneSoftBounces(ctx, day.Add(30*time.Minute)); err != nil || n != 1 {
			t.Errorf("pruned %d, %v; want 1", n, err)
		}
		if n, _ := db.SoftBounceCount(ctx, "kestrel", "ann@example.net"); n != 1 {
			t.Errorf("%d kept after pruning, want 1", n)
		}
	})
}

func TestSubscriberBrands(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, b := range []string{"kestrel", "alder"} {
			if _, err := db.JoinSubscriber(ctx, store.Join{BrandID: b, Address: "ann@example.net", Confirmed: true,
				Consent: store.Consent{Source: store.ConsentAPI, Wording: "test"}}); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := db.SubscriberBrands(ctx, "ANN@example.net"); err != nil || !slices.Equal(got, []string{"alder", "kestrel"}) {
			t.Errorf("brands: %v, %v", got, err)
		}
		if got, _ := db.SubscriberBrands(ctx, "bob@example.net"); len(got) != 0 {
			t.Errorf("an unknown address's brands: %v", got)
		}
	})
}
