package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
)

// segmentEnv is a publishing env whose kestrel brand declares email
// topics (and whatever else brandYAML adds under email:).
// segmentEnv is an environment whose brand declares topics and adds
// brandYAML under email:; each edit then changes brand.yaml further.
func segmentEnv(t *testing.T, s pipetest.Setup, tg *targets, brandYAML string, edits ...func([]byte) []byte) *env {
	t.Helper()
	er, err := email.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pipetest.NewWith(t, s, tg.configure, er)}
	dir := tg.BrandKit(t, publicURL, "")
	file := filepath.Join(dir, "brand.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("\nemail:\n"), []byte("\nemail:\n  topics:\n    guides: Guides\n    product: New products\n"+brandYAML), 1)
	for _, edit := range edits {
		b = edit(b)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Service.ImportBrand(context.Background(), dir, "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

func join(t *testing.T, e *env, addr, lang string, confirmed bool, topics ...string) {
	t.Helper()
	_, err := e.DB.JoinSubscriber(context.Background(), store.Join{BrandID: "kestrel", Address: addr, Lang: lang, Topics: topics,
		Confirmed: confirmed, Consent: store.Consent{Source: store.ConsentAPI, Wording: "test basis"}})
	if err != nil {
		t.Fatal(err)
	}
}

func submitText(t *testing.T, e *env, src string) string {
	t.Helper()
	res, err := e.Service.Submit(context.Background(), app.Bundle{Brand: "kestrel", Files: map[string][]byte{"index.md": []byte(src)}, Actor: "writer"})
	if err != nil {
		t.Fatal(err)
	}
	return res.ItemID
}

const (
	dryingNL = "---\ntitle: Een natte tent drogen\nid: tent-drying\nlang: nl\nemail:\n  topics: [guides]\n---\nHang de tent binnen op, met de ritsen open, tot hij helemaal droog is.\n"
	dryingDE = "---\ntitle: Ein nasses Zelt trocknen\nid: tent-drying\nlang: de\nemail:\n  topics: [guides]\n---\nHängen Sie das Zelt drinnen auf, mit offenen Reißverschlüssen, bis es ganz trocken ist.\n"
)

// A nl item and its de translation reach exactly the nl and de readers
// who chose the item's topic: nobody twice (not even a reader who moved
// from nl to de between the two), nobody suppressed, paused or pending.
func TestPublishToSegments(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			e := segmentEnv(t, s, tg, "")
			ctx := context.Background()
			join(t, e, "nl-guides@example.net", "nl", true, "guides")
			join(t, e, "nl-both@example.net", "nl", true, "guides", "product")
			join(t, e, "mover@example.net", "nl", true, "guides")
			join(t, e, "nl-product@example.net", "nl", true, "product")
			join(t, e, "nl-none@example.net", "nl", true)
			join(t, e, "nl-pending@example.net", "nl", false, "guides")
			join(t, e, "nl-paused@example.net", "nl", true, "guides")
			join(t, e, "nl-gone@example.net", "nl", true, "guides")
			join(t, e, "nl-bounced@example.net", "nl", true, "guides")
			join(t, e, "de-guides@example.net", "de", true, "guides")
			join(t, e, "de-product@example.net", "de", true, "product")
			join(t, e, "en-guides@example.net", "en", true, "guides")
			join(t, e, "nolang-guides@example.net", "", true, "guides")
			paused := true
			if _, err := e.DB.UpdateSubscriber(ctx, "kestrel", "nl-paused@example.net", store.Preferences{Paused: &paused}, store.Consent{Source: store.ConsentPreferences}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.DB.EndSubscription(ctx, "kestrel", "nl-gone@example.net", store.SubUnsubscribed, store.Consent{Source: store.ConsentOneClick}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.DB.EndSubscription(ctx, "kestrel", "nl-bounced@example.net", store.SubBounced, store.Consent{Source: store.ConsentBounce}); err != nil {
				t.Fatal(err)
			}
			e.Start(t)
			nl, de := submitText(t, e, dryingNL), submitText(t, e, dryingDE)
			waitFor(t, 60*time.Second, "rendered", allRendered(e, []string{nl, de}))

			aud, err := e.Service.Audience(ctx, nl, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := app.Audience{ItemID: nl, Version: 1, Lang: "nl", Translations: []string{"de"}, Topics: []string{"guides"}, Sends: true,
				Reached: 3, Suppressed: 2, Pending: 1, NoTopic: 2, Paused: 1,
				Langs: []store.SegmentLang{{Lang: "nl", Reached: 3, Suppressed: 2, Pending: 1, NoTopic: 2, Paused: 1}}}
			if !audienceEqual(*aud, want) {
				t.Errorf("nl audience\n got %+v\nwant %+v", *aud, want)
			}

			if _, err := e.Service.Schedule(ctx, nl, 0, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "nl deliveries final", deliveriesFinal(e, nl))
			// Moving to de after the nl email does not bring the de one.
			de2 := "de"
			if _, err := e.DB.UpdateSubscriber(ctx, "kestrel", "mover@example.net", store.Preferences{Lang: &de2}, store.Consent{Source: store.ConsentPreferences}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Service.Schedule(ctx, de, 0, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "de deliveries final", deliveriesFinal(e, de))

			got := map[string]string{}
			for _, m := range tg.SMTP.Messages() {
				for _, to := range m.To {
					lang := "?"
					switch {
					case bytes.Contains(m.Data, []byte("natte tent")):
						lang = "nl"
					case bytes.Contains(m.Data, []byte("nasses Zelt")):
						lang = "de"
					}
					if prev, ok := got[to]; ok {
						t.Errorf("%s got two emails (%s, then %s)", to, prev, lang)
					}
					got[to] = lang
				}
			}
			wantTo := map[string]string{"nl-guides@example.net": "nl", "nl-both@example.net": "nl", "mover@example.net": "nl", "de-guides@example.net": "de"}
			if !mapsEqual(got, wantTo) {
				t.Errorf("recipients\n got %v\nwant %v", got, wantTo)
			}
		})
	}
}

func audienceEqual(a, b app.Audience) bool {
	return a.ItemID == b.ItemID && a.Version == b.Version && a.Lang == b.Lang && a.OtherLangs == b.OtherLangs &&
		slices.Equal(a.Translations, b.Translations) && slices.Equal(a.Topics, b.Topics) && a.Sends == b.Sends &&
		a.Reached == b.Reached && a.Suppressed == b.Suppressed && a.Pending == b.Pending && a.NoTopic == b.NoTopic &&
		a.Paused == b.Paused && slices.Equal(a.Langs, b.Langs)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// With email.send_default_to_all, the brand's language goes to every
// language it has no translation in; a translation keeps its own.
func TestAudienceDefaultToAll(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			e := segmentEnv(t, s, tg, "  send_default_to_all: true\n")
			ctx := context.Background()
			join(t, e, "en@example.net", "en", true)
			join(t, e, "nolang@example.net", "", true)
			join(t, e, "fr@example.net", "fr", true)
			join(t, e, "pl@example.net", "pl", true, "guides")
			join(t, e, "de@example.net", "de", true)
			en := submitText(t, e, "---\ntitle: Drying a wet tent\nid: tent-drying\n---\nHang it up indoors.\n")
			de := submitText(t, e, dryingDE)
			aud, err := e.Service.Audience(ctx, en, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := app.Audience{ItemID: en, Version: 1, Lang: "en", OtherLangs: true, Translations: []string{"de"}, Topics: []string{}, Sends: true,
				Reached: 4, Langs: []store.SegmentLang{{Lang: "", Reached: 1}, {Lang: "en", Reached: 1}, {Lang: "fr", Reached: 1}, {Lang: "pl", Reached: 1}}}
			if !audienceEqual(*aud, want) {
				t.Errorf("en audience\n got %+v\nwant %+v", *aud, want)
			}
			aud, err = e.Service.Audience(ctx, de, 0)
			if err != nil {
				t.Fatal(err)
			}
			if aud.Reached != 0 || aud.NoTopic != 1 || aud.OtherLangs || !slices.Equal(aud.Translations, []string{"en"}) {
				t.Errorf("de audience (guides only): %+v", *aud)
			}
		})
	}
}
