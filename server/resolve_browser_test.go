package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// unknownDeliveries submits and renders the item, schedules it for later
// and leaves each of its deliveries as a worker killed mid-send against a
// target that cannot tell a repeat would: unknown. It returns their keys.
func unknownDeliveries(t *testing.T, u *ui) (id string, keys []string) {
	t.Helper()
	ctx := context.Background()
	tok, _, err := u.DB.CreateToken(ctx, "w", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": smallPNG(640, 400)}))
	if code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, body)
	}
	id = "kestrel.en.waxing-a-canvas-pack"
	pipetest.WaitFor(t, 30*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })
	if _, err := u.Service.Schedule(ctx, id, 0, time.Now().Add(time.Hour), "editor"); err != nil {
		t.Fatal(err)
	}
	ds, err := u.DB.Deliveries(ctx, id, 1)
	if err != nil || len(ds) < 2 {
		t.Fatalf("deliveries: %v %v", ds, err)
	}
	for _, d := range ds[:2] {
		for range 2 { // claimed, then found still sending: unknown
			if _, _, err := u.DB.ClaimDelivery(ctx, d.Key, false); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := u.DB.Delivery(ctx, d.Key); got.Status != store.DelUnknown {
			t.Fatalf("delivery %s: %s, want unknown", d.Key, got.Status)
		}
		keys = append(keys, d.Key)
	}
	return id, keys
}

// TestResolveInBrowser: an editor settles two deliveries a crash left
// unknown from the item page. "It arrived" marks one sent; "It failed"
// (it did not arrive) sets the other back to pending and sends it again,
// through the same service call as the API's resolve.
func TestResolveInBrowser(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	id, keys := unknownDeliveries(t, u)
	ctx := checkers.Browser(t)
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	flash := func() string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(c, chromedp.Text(".flash"))
		if err != nil {
			t.Fatalf("flash: %v", err)
		}
		return s
	}
	status := func(key string) string {
		d, err := u.DB.Delivery(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		return d.Status
	}
	form := func(key string) string { return `form.resolve:has(input[name="key"][value="` + key + `"])` }

	do("sign in as an editor", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "editor"), chromedp.SendKeys("#password", uiPassword),
		chromedp.Submit("#password"), chromedp.WaitVisible("table.items"))
	do("open the item", chromedp.Navigate(u.url+"/items/"+id+"?tab=history"), chromedp.WaitVisible(form(keys[0])))
	checkers.AxePage(t, ctx, "item with unknown deliveries")

	do("it arrived", chromedp.Click(form(keys[0])+` button[value="sent"]`), chromedp.WaitVisible(".flash"))
	if s := flash(); s != "Delivery marked sent." {
		t.Errorf("after It arrived: %q", s)
	}
	if s := status(keys[0]); s != store.DelSent {
		t.Errorf("after It arrived: delivery %s, want sent", s)
	}

	// The last page's flash goes first, so the wait is for the next page's.
	do("it failed", chromedp.Evaluate[chromedp.Void](`document.querySelector(".flash").remove()`),
		chromedp.Click(form(keys[1])+` button[value="failed"]`), chromedp.WaitVisible(".flash"))
	if s := flash(); s != "Delivery queued to be sent again." {
		t.Errorf("after It failed: %q", s)
	}
	// Sent again by the worker: the site target takes it this time.
	pipetest.WaitFor(t, 30*time.Second, "delivery sent again", func() (bool, string) {
		s := status(keys[1])
		return s == store.DelSent, s
	})
	do("reload", chromedp.Reload(), chromedp.WaitVisible(".tab-panel"))
	if s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".channels")?.innerText ?? ""`)); strings.Contains(s, "unknown") || strings.Contains(s, "Did it arrive?") {
		t.Errorf("deliveries still shown unknown: %q", s)
	}
}
