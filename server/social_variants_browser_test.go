package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/fakes"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

const variantsItem = `---
title: Dawn on the ridge
summary: A short walk up to the ridge before sunrise, and what to pack for it.
social:
  variants:
    - id: stove
      text: Coffee on the stove at five, then up to the ridge for the sunrise.
    - id: dogs
      mastodon: Bring the dog. The ridge path is easy on paws.
      networks: [mastodon]
  reshare: [+2d, +7d]
---
The path leaves the hut by the lake and climbs for an hour. Pack a head torch and a warm layer.
`

// TestSocialVariantsInBrowser: the item page's Social tab shows each
// network's copies side by side, with their utm_content, and which copy
// goes out when; axe finds nothing serious.
func TestSocialVariantsInBrowser(t *testing.T) {
	u := newUI(t)
	// The brand posts to the fake Mastodon, Bluesky and LinkedIn hook.
	tg := fakes.NewTargets(t, 500)
	for k, v := range tg.Env {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	if _, _, err := u.Service.ImportBrand(ctx, tg.BrandKit(t, "https://cc.kestrel.example", ""), "test"); err != nil {
		t.Fatal(err)
	}
	u.Start(t)
	tok, _, err := u.DB.CreateToken(ctx, "w", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	if code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(variantsItem, nil)); code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, body)
	}
	id := "kestrel.en.dawn-on-the-ridge"
	pipetest.WaitFor(t, 60*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })

	bctx := checkers.Browser(t)
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(bctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("sign in as an editor", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "editor"), chromedp.SendKeys("#password", uiPassword),
		chromedp.Submit("#password"), chromedp.WaitVisible("table.items"))
	do("open the social tab", chromedp.Navigate(u.url+"/items/"+id+"?tab=social"), chromedp.WaitVisible(".social-variants"))
	text, err := chromedp.Run(bctx, chromedp.Text(".tab-panel"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Variants side by side", "Which copy goes out when", "Variant stove", "utm_content=stove",
		"Coffee on the stove at five", "Bring the dog.", "re-share 1, +2d after publishing", "re-share 2, +1w after publishing"} {
		if !strings.Contains(text, want) {
			t.Errorf("the social tab lacks %q", want)
		}
	}
	// Mastodon's row has three copies side by side: own, stove, dogs.
	n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelector('.social-variants .variant-row').querySelectorAll('.variant-col').length`))
	if err != nil || n != 2 && n != 3 {
		t.Errorf("copies in the first network's row: %d (%v)", n, err)
	}
	checkers.AxePage(t, bctx, "social tab with variants")
	shoot := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), shot, 0o644)
	}
	shoot("social-variants")

	// Published: the first posts go out, the re-shares wait for their
	// time, listed with it; the editor cancels them.
	if _, err := u.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
		t.Fatal(err)
	}
	pipetest.WaitFor(t, 30*time.Second, "the first posts", func() (bool, string) {
		return len(tg.Mastodon.Posts()) > 0 && len(tg.Bluesky.Records()) > 0, "none yet"
	})
	do("reload", chromedp.Reload(), chromedp.WaitVisible(".social-schedule"))
	sched, _ := chromedp.Run(bctx, chromedp.Text(".social-schedule"))
	for _, want := range []string{"mastodon", "Variant stove", "re-share 1", "re-share 2", "pending", "sent", "UTC"} {
		if !strings.Contains(sched, want) {
			t.Errorf("the schedule lacks %q: %s", want, sched)
		}
	}
	checkers.AxePage(t, bctx, "social tab, published with re-shares to come")
	shoot("social-reshares-pending")
	do("cancel the re-shares", chromedp.Click(`//button[contains(., "social re-shares to come")]`), chromedp.WaitVisible(".flash"))
	if f, _ := chromedp.Run(bctx, chromedp.Text(".flash")); f != "Re-shares cancelled; what went out already stays." {
		t.Errorf("flash %q", f)
	}
	ds, _ := u.DB.Deliveries(ctx, id, 0)
	cancelled := 0
	for _, d := range ds {
		if _, n := content.ParseLedgerVariant(d.Variant); d.Channel == "social" && n > 0 {
			if d.Status != store.DelCancelled {
				t.Errorf("%s: %s after cancelling", d.Key, d.Status)
			}
			cancelled++
		}
	}
	if cancelled != 6 {
		t.Errorf("%d re-shares, want 6 (three targets, two re-shares)", cancelled)
	}
	if n := len(tg.Mastodon.Posts()); n != 1 {
		t.Errorf("%d Mastodon statuses, want the first post only", n)
	}
}
