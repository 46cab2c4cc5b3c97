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

	"github.com/crosscast/crosscast/internal/checkers"
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
	u.Start(t)
	ctx := context.Background()
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
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(t.ArtifactDir(), "social-variants.png"), shot, 0o644)
}
