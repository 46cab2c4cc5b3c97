package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

func TestNormalizeAddress(t *testing.T) {
	good := map[string]string{
		"Ann@Example.NET":                "ann@example.net",
		"  bob@example.net\n":            "bob@example.net",
		"jürgen@münchen.example":         "",
		"kai@münchen.example":            "kai@xn--mnchen-3ya.example",
		"kai@XN--MNCHEN-3YA.example":     "kai@xn--mnchen-3ya.example",
		"first.last+tag@sub.example.org": "first.last+tag@sub.example.org",
	}
	for in, want := range good {
		got, err := store.NormalizeAddress(in)
		if want == "" {
			if err == nil {
				t.Errorf("%q: got %q, want an error (non-ASCII local part)", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ann", "Ann <ann@example.net>", "<ann@example.net>", "ann@example.net, bob@example.net",
		"ann@localhost", "ann@example.net.", "a b@example.net", "ann@exa mple.net", "ann@example.net\r\nBcc: x@y.example",
		"\"ann\"@example.net", "ann@[192.0.2.1]", strings.Repeat("a", 65) + "@example.net", "ann@-bad-.example"} {
		if got, err := store.NormalizeAddress(in); !errors.Is(err, store.ErrAddress) {
			t.Errorf("%q: got %q, %v; want ErrAddress", in, got, err)
		}
	}
}

func FuzzNormalizeAddress(f *testing.F) {
	for _, s := range []string{"ann@example.net", "kai@münchen.example", "Ann <ann@example.net>", "a@b", "@", "x@xn--."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := store.NormalizeAddress(s)
		if err != nil {
			return
		}
		// A normalised address is its own normal form, and one address.
		if b, err := store.NormalizeAddress(a); err != nil || b != a {
			t.Fatalf("%q → %q → %q, %v", s, a, b, err)
		}
		if strings.Count(a, "@") != 1 || a != strings.ToLower(a) {
			t.Fatalf("%q → %q", s, a)
		}
	})
}

// confirmTask stands in for the service's confirmation task.
func confirmTask(token string, at time.Time) (store.Task, error) {
	return store.Task{Type: "subscriber:confirm", ID: "confirm:" + token + ":" + at.Format(time.RFC3339Nano), Queue: "default", Payload: []byte(`{}`)}, nil
}

func actions(t *testing.T, db *store.DB, addr string) string {
	t.Helper()
	cs, err := db.Consents(context.Background(), "kestrel", addr)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Source+":"+c.Action+"→"+c.Status)
	}
	return strings.Join(out, " ")
}

// Every status change, from sign-up to unsubscribe, and each leaves its
// consent record with what the subscriber was shown.
func TestSubscriberLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		form := store.Consent{Source: store.ConsentForm, Wording: "form v1: Send me the newsletter", ClientHash: "c1"}
		j, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "Ann@Example.net", Lang: "nl",
			Topics: []string{"guides", "product", "guides"}, Consent: form, Confirm: confirmTask})
		if err != nil {
			t.Fatal(err)
		}
		sb := j.Subscriber
		if !j.Created || sb.Status != store.SubPending || sb.Address != "ann@example.net" || !slices.Equal(sb.Topics, []string{"guides", "product"}) || len(j.Tasks) != 1 {
			t.Fatalf("sign-up: %+v, %+v", j, sb)
		}
		// A second sign-up soon after plans no second email, and, since
		// anyone can sign any address up, changes none of the pending
		// subscriber's choices.
		j2, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "ann@example.net", Lang: "de", Consent: form, Confirm: confirmTask})
		if err != nil || j2.Created || len(j2.Tasks) != 0 || j2.Subscriber.Lang != sb.Lang || !slices.Equal(j2.Subscriber.Topics, sb.Topics) {
			t.Fatalf("second sign-up: %+v, %v", j2, err)
		}
		// Only the latest email's link confirms.
		if _, err := db.ConfirmSubscriber(ctx, sb.Token, sb.ConfirmSentAt.Add(-time.Second), form); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an old link confirmed: %v", err)
		}
		if _, err := db.ConfirmSubscriber(ctx, "nobody", sb.ConfirmSentAt, form); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an unknown token: %v", err)
		}
		got, err := db.ConfirmSubscriber(ctx, sb.Token, sb.ConfirmSentAt, form)
		if err != nil || got.Status != store.SubActive || got.ConfirmedAt.IsZero() || got.Lang != sb.Lang || !slices.Equal(got.Topics, sb.Topics) {
			t.Fatalf("confirm: %+v, %v", got, err)
		}
		lang, topics, paused := "fr", []string{"product"}, true
		pc := store.Consent{Source: store.ConsentPreferences, Wording: "preferences v1"}
		if got, err = db.UpdateSubscriber(ctx, "kestrel", "ann@example.net", store.Preferences{Lang: &lang, Topics: &topics}, pc); err != nil || got.Lang != "fr" {
			t.Fatalf("preferences: %+v, %v", got, err)
		}
		if _, err = db.UpdateSubscriber(ctx, "kestrel", "ann@example.net", store.Preferences{Paused: &paused}, pc); err != nil {
			t.Fatal(err)
		}
		// Changing nothing records nothing.
		if _, err = db.UpdateSubscriber(ctx, "kestrel", "ann@example.net", store.Preferences{Paused: &paused}, pc); err != nil {
			t.Fatal(err)
		}
		paused = false
		if _, err = db.UpdateSubscriber(ctx, "kestrel", "ann@example.net", store.Preferences{Paused: &paused}, pc); err != nil {
			t.Fatal(err)
		}
		if got, err = db.Unsubscribe(ctx, sb.Token, store.Consent{Source: store.ConsentOneClick}); err != nil || got.Status != store.SubUnsubscribed {
			t.Fatalf("unsubscribe: %+v, %v", got, err)
		}
		if _, err = db.Unsubscribe(ctx, sb.Token, store.Consent{Source: store.ConsentOneClick}); err != nil {
			t.Fatal(err)
		}
		if sup, _ := db.Suppressed(ctx, "kestrel", "ann@example.net"); !sup {
			t.Error("an unsubscribed address is not suppressed")
		}
		if _, err = db.UpdateSubscriber(ctx, "kestrel", "ann@example.net", store.Preferences{Lang: &lang}, pc); !errors.Is(err, store.ErrConflict) {
			t.Errorf("an unsubscribed address changed its preferences: %v", err)
		}
		want := "signup_form:signup→pending signup_form:signup→pending signup_form:confirm→active preference_centre:preferences→active " +
			"preference_centre:pause→active preference_centre:resume→active one_click:unsubscribed→unsubscribed"
		if a := actions(t, db, "ann@example.net"); a != want {
			t.Errorf("consent log:\n got %s\nwant %s", a, want)
		}
		cs, _ := db.Consents(ctx, "kestrel", "ann@example.net")
		if c := cs[2]; c.Wording != form.Wording || c.ClientHash != "c1" || c.Lang != "nl" || c.At.IsZero() {
			t.Errorf("confirm record: %+v", c)
		}
		// Bounced and complained suppress too.
		for _, st := range []string{store.SubBounced, store.SubComplained} {
			addr := st + "@example.net"
			if _, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: addr, Confirmed: true, Consent: store.Consent{Source: store.ConsentAPI, Wording: "basis"}}); err != nil {
				t.Fatal(err)
			}
			got, err := db.EndSubscription(ctx, "kestrel", addr, st, store.Consent{Source: store.ConsentBounce, Wording: "5.1.1"})
			if err != nil || got.Status != st {
				t.Fatalf("%s: %+v, %v", st, got, err)
			}
			if sup, _ := db.Suppressed(ctx, "kestrel", addr); !sup {
				t.Errorf("%s is not suppressed", st)
			}
		}
		if _, err := db.EndSubscription(ctx, "kestrel", "bounced@example.net", store.SubActive, store.Consent{Source: store.ConsentAPI}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ending with status active: %v", err)
		}
		list, err := db.Subscribers(ctx, "kestrel", store.SubscriberFilter{})
		if err != nil || len(list) != 3 {
			t.Fatalf("list: %v, %v", list, err)
		}
		if list, _ := db.Subscribers(ctx, "kestrel", store.SubscriberFilter{Status: store.SubBounced}); len(list) != 1 || list[0].Address != "bounced@example.net" {
			t.Errorf("bounced: %+v", list)
		}
	})
}

// Single opt-in, or an admin with a basis, is active at once and
// recorded as such.
func TestSubscriberConfirmedJoin(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		j, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "cat@example.net", Lang: "en", Confirmed: true,
			Consent: store.Consent{Source: store.ConsentForm, Wording: "single opt-in: form v2"}, Confirm: confirmTask})
		if err != nil || j.Subscriber.Status != store.SubActive || len(j.Tasks) != 0 {
			t.Fatalf("%+v, %v", j, err)
		}
		if a := actions(t, db, "cat@example.net"); a != "signup_form:opt_in→active" {
			t.Errorf("consent log: %s", a)
		}
		// Pending, then an admin states a basis: active.
		db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "dan@example.net", Consent: store.Consent{Source: store.ConsentForm}, Confirm: confirmTask})
		j, err = db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "dan@example.net", Confirmed: true, Consent: store.Consent{Source: store.ConsentAPI, Wording: "signed up at the shop"}})
		if err != nil || j.Subscriber.Status != store.SubActive {
			t.Fatalf("%+v, %v", j, err)
		}
		// An active subscriber's choices do not change by a sign-up.
		j, err = db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "dan@example.net", Lang: "pl", Consent: store.Consent{Source: store.ConsentForm}, Confirm: confirmTask})
		if err != nil || j.Subscriber.Lang != "" || len(j.Tasks) != 0 {
			t.Fatalf("%+v, %v", j, err)
		}
	})
}

// A suppression outlives re-adds: adding an unsubscribed address again,
// even with a basis, does not reactivate it; only a new confirmed
// opt-in does.
func TestSuppressionOutlivesReAdd(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		api := store.Consent{Source: store.ConsentAPI, Wording: "signed up at the shop 2025-04"}
		j, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "eve@example.net", Confirmed: true, Consent: api})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Unsubscribe(ctx, j.Subscriber.Token, store.Consent{Source: store.ConsentOneClick}); err != nil {
			t.Fatal(err)
		}
		j, err = db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "eve@example.net", Confirmed: true, Consent: api, Confirm: confirmTask})
		if err != nil || !j.Suppressed || j.Subscriber.Status != store.SubUnsubscribed || len(j.Tasks) != 0 {
			t.Fatalf("re-add with a basis: %+v, %v", j, err)
		}
		j, err = db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "eve@example.net", Lang: "nl", Consent: store.Consent{Source: store.ConsentForm}, Confirm: confirmTask})
		if err != nil || !j.Suppressed || len(j.Tasks) != 1 {
			t.Fatalf("sign-up again: %+v, %v", j, err)
		}
		if sup, _ := db.Suppressed(ctx, "kestrel", "eve@example.net"); !sup {
			t.Fatal("a sign-up lifted the suppression before confirming")
		}
		got, err := db.ConfirmSubscriber(ctx, j.Subscriber.Token, j.Subscriber.ConfirmSentAt, store.Consent{Source: store.ConsentForm})
		if err != nil || got.Status != store.SubActive {
			t.Fatalf("confirm: %+v, %v", got, err)
		}
		if sup, _ := db.Suppressed(ctx, "kestrel", "eve@example.net"); sup {
			t.Error("a confirmed opt-in left the suppression")
		}
		// The link works once.
		db.Unsubscribe(ctx, got.Token, store.Consent{Source: store.ConsentOneClick})
		if _, err := db.ConfirmSubscriber(ctx, j.Subscriber.Token, j.Subscriber.ConfirmSentAt, store.Consent{Source: store.ConsentForm}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a used link confirmed again: %v", err)
		}
	})
}

// Erasure removes the address everywhere but keeps a hashed suppression:
// the address added again is suppressed until confirmed.
func TestEraseSubscriber(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		api := store.Consent{Source: store.ConsentAPI, Wording: "basis"}
		if _, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "fay@example.net", Confirmed: true, Consent: api}); err != nil {
			t.Fatal(err)
		}
		if err := db.EraseSubscriber(ctx, "kestrel", "Fay@example.net"); err != nil {
			t.Fatal(err)
		}
		if err := db.EraseSubscriber(ctx, "kestrel", "fay@example.net"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("erasing twice: %v", err)
		}
		if _, err := db.Subscriber(ctx, "kestrel", "fay@example.net"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the subscriber is still there: %v", err)
		}
		if cs, _ := db.Consents(ctx, "kestrel", "fay@example.net"); len(cs) != 0 {
			t.Errorf("consent records left: %+v", cs)
		}
		if sup, _ := db.Suppressed(ctx, "kestrel", "fay@example.net"); sup {
			t.Error("the suppression list holds the address in the clear")
		}
		j, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "fay@example.net", Confirmed: true, Consent: api})
		if err != nil || !j.Suppressed || j.Subscriber.Status != store.SubUnsubscribed {
			t.Fatalf("re-added after erasure: %+v, %v", j, err)
		}
		if sup, _ := db.Suppressed(ctx, "kestrel", "fay@example.net"); !sup {
			t.Error("re-added after erasure, not suppressed")
		}
		// Another brand's list is another list.
		j, err = db.JoinSubscriber(ctx, store.Join{BrandID: "other", Address: "fay@example.net", Confirmed: true, Consent: api})
		if err != nil || j.Suppressed {
			t.Fatalf("other brand: %+v, %v", j, err)
		}
	})
}
