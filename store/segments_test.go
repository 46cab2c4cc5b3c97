package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crosscast/crosscast/store"
)

// joinAs puts one subscriber on kestrel's list, confirmed or pending.
func joinAs(t *testing.T, db *store.DB, addr, lang string, confirmed bool, topics ...string) {
	t.Helper()
	_, err := db.JoinSubscriber(context.Background(), store.Join{BrandID: "kestrel", Address: addr, Lang: lang, Topics: topics,
		Confirmed: confirmed, Consent: store.Consent{Source: store.ConsentAPI, Wording: "test basis"}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSegment(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		joinAs(t, db, "nl-product@example.net", "nl", true, "product")
		joinAs(t, db, "nl-both@example.net", "nl", true, "guides", "product")
		joinAs(t, db, "nl-guides@example.net", "nl", true, "guides")
		joinAs(t, db, "nl-none@example.net", "nl", true)
		joinAs(t, db, "nl-pending@example.net", "nl", false, "product")
		joinAs(t, db, "nl-gone@example.net", "nl", true, "product")
		joinAs(t, db, "nl-paused@example.net", "nl", true, "product")
		joinAs(t, db, "nl-listed@example.net", "nl", true, "product")
		joinAs(t, db, "de-product@example.net", "de", true, "product")
		joinAs(t, db, "en-product@example.net", "en", true, "product")
		joinAs(t, db, "nolang@example.net", "", true, "product")
		if _, err := db.EndSubscription(ctx, "kestrel", "nl-gone@example.net", store.SubUnsubscribed, store.Consent{Source: store.ConsentAPI}); err != nil {
			t.Fatal(err)
		}
		paused := true
		if _, err := db.UpdateSubscriber(ctx, "kestrel", "nl-paused@example.net", store.Preferences{Paused: &paused}, store.Consent{Source: store.ConsentAPI}); err != nil {
			t.Fatal(err)
		}
		// On the suppression list without its status saying so (a
		// bounce recorded the old way): still left out.
		if err := db.Suppress(ctx, "kestrel", "nl-listed@example.net", "bounced"); err != nil {
			t.Fatal(err)
		}
		// Another brand's subscriber of the same language and topic.
		if _, err := db.JoinSubscriber(ctx, store.Join{BrandID: "tulpwerk", Address: "nl-product@example.net", Lang: "nl", Topics: []string{"product"},
			Confirmed: true, Consent: store.Consent{Source: store.ConsentAPI}}); err != nil {
			t.Fatal(err)
		}

		count := func(seg store.Segment) int {
			t.Helper()
			seg.BrandID = "kestrel"
			n, err := db.CountSegment(ctx, seg)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, c := range []struct {
			name string
			seg  store.Segment
			want int
		}{
			{"nl, product", store.Segment{Langs: []string{"nl"}, Topics: []string{"product"}}, 2},
			{"nl, product or guides", store.Segment{Langs: []string{"nl"}, Topics: []string{"guides", "product"}}, 3},
			{"nl, every topic", store.Segment{Langs: []string{"nl"}}, 4},
			{"nl, a topic nobody chose", store.Segment{Langs: []string{"nl"}, Topics: []string{"gear"}}, 0},
			{"en and no language, product", store.Segment{Langs: []string{"en", ""}, Topics: []string{"product"}}, 2},
			{"all but nl, product", store.Segment{Langs: []string{"nl"}, OtherLangs: true, Topics: []string{"product"}}, 3},
			{"all, product", store.Segment{OtherLangs: true, Topics: []string{"product"}}, 5},
			{"no language", store.Segment{}, 0},
		} {
			if got := count(c.seg); got != c.want {
				t.Errorf("%s: %d subscribers, want %d", c.name, got, c.want)
			}
		}

		langs, err := db.SegmentCounts(ctx, store.Segment{BrandID: "kestrel", Langs: []string{"nl", "de"}, Topics: []string{"product"}})
		if err != nil {
			t.Fatal(err)
		}
		want := []store.SegmentLang{
			{Lang: "de", Reached: 1},
			{Lang: "nl", Reached: 2, Suppressed: 2, Pending: 1, NoTopic: 2, Paused: 1},
		}
		if !slices.Equal(langs, want) {
			t.Errorf("counts\n got %+v\nwant %+v", langs, want)
		}

		// The topic index follows every change of a subscriber's topics,
		// and erasure.
		guides := []string{"guides"}
		if _, err := db.UpdateSubscriber(ctx, "kestrel", "nl-product@example.net", store.Preferences{Topics: &guides}, store.Consent{Source: store.ConsentPreferences}); err != nil {
			t.Fatal(err)
		}
		if got := count(store.Segment{Langs: []string{"nl"}, Topics: []string{"product"}}); got != 1 {
			t.Errorf("after a change of topics: %d nl product subscribers, want 1", got)
		}
		if got := count(store.Segment{Langs: []string{"nl"}, Topics: []string{"guides"}}); got != 3 {
			t.Errorf("after a change of topics: %d nl guides subscribers, want 3", got)
		}
		if err := db.EraseSubscriber(ctx, "kestrel", "nl-both@example.net"); err != nil {
			t.Fatal(err)
		}
		if got := count(store.Segment{Langs: []string{"nl"}, Topics: []string{"guides", "product"}}); got != 2 {
			t.Errorf("after erasure: %d nl subscribers, want 2", got)
		}
		// Re-added after erasure: suppressed, and not in the segment.
		joinAs(t, db, "nl-both@example.net", "nl", true, "product")
		if got := count(store.Segment{Langs: []string{"nl"}, Topics: []string{"guides", "product"}}); got != 2 {
			t.Errorf("re-added after erasure: %d nl subscribers, want 2", got)
		}
	})
}
