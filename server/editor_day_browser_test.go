package server_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// walk drives one browser through a test's pages.
type walk struct {
	t   *testing.T
	ctx context.Context
	dir string
}

func (w walk) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	c, cancel := context.WithTimeout(w.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

func (w walk) eval(js string) string {
	w.t.Helper()
	s, err := chromedp.Run(w.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		w.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// text is the visible text of the first element sel matches, "" when none.
func (w walk) text(sel string) string {
	w.t.Helper()
	return w.eval(`document.querySelector(` + jsText(sel) + `)?.innerText ?? ""`)
}

// shot saves a screenshot of the whole page as name.png.
func (w walk) shot(name string) {
	w.t.Helper()
	h, err := chromedp.Run(w.ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	if err != nil {
		w.t.Fatal(err)
	}
	if err := chromedp.Do(w.ctx, chromedp.EmulateViewport(1280, int64(min(h, 8000)))); err != nil {
		w.t.Fatal(err)
	}
	b, err := chromedp.Run(w.ctx, chromedp.FullScreenshot(100)) // PNG
	chromedp.Do(w.ctx, chromedp.EmulateViewport(1280, 900))
	if err != nil {
		w.t.Fatalf("screenshot %s: %v", name, err)
	}
	os.WriteFile(filepath.Join(w.dir, name+".png"), b, 0o644)
}

// check runs axe on the page shown and saves its screenshot.
func (w walk) check(name string) {
	w.t.Helper()
	checkers.AxePage(w.t, w.ctx, name)
	w.shot(name)
}

// consoleErrors collects the browser's errors and exceptions from now
// on, each with the URL it is about.
func consoleErrors(ctx context.Context) func() []string {
	var mu sync.Mutex
	var msgs []string
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || m.Type == "error" {
				mu.Lock()
				msgs = append(msgs, m.String()+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(msgs)
	}
}

// jsText quotes s as a JavaScript template literal, which may span lines.
func jsText(s string) string { return "`" + strings.ReplaceAll(s, "`", "\\`") + "`" }

// setField sets an input's value as typing would, so the editor's
// script sees the change.
func setField(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector(` + jsText(sel) + `);
		el.value = ` + jsText(value) + `; el.dispatchEvent(new Event("input", {bubbles: true})); })()`)
}

const goodExtra = "product:\n  sku: KST-WAX\n  price: 12.50\n  currency: EUR\n"

// TestEditorDayInBrowser walks what tripped a new editor up: the empty
// new-item form, a YAML mistake in the front matter (every problem
// shown, the last good preview kept under a banner), publishing with
// channels that have no target, the status filter finding scheduled
// and published items, a title edit making version 2 of the same item,
// version 2 over a live version 1 saying v1 is live, and a slug change
// keeping the item and the old address. Axe checks every page; the
// console stays free of errors.
func TestEditorDayInBrowser(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	w := walk{t: t, ctx: checkers.Browser(t), dir: t.ArtifactDir()}
	seen := consoleErrors(w.ctx)
	ctx := context.Background()
	const id = "kestrel.en.waxing-a-canvas-pack"

	w.do("sign in as an editor", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "editor"), chromedp.SendKeys("#password", uiPassword),
		chromedp.Submit("#password"), chromedp.WaitVisible("table.items"))

	// 1. The empty new-item form: no problems shown before typing, the
	// brand's default language as the placeholder, the brand select as
	// tall as the inputs.
	w.do("new item", chromedp.Navigate(u.url+"/new"), chromedp.WaitVisible("#e-body"))
	if s := w.eval(`[...document.querySelectorAll(".field-error")].map(e => e.textContent).join("") + document.querySelector("[data-status]").textContent`); s != "" {
		t.Errorf("the empty form shows %q", s)
	}
	if s := w.eval(`document.querySelector("#e-lang").placeholder`); s != "Brand default (en)" {
		t.Errorf("language placeholder %q", s)
	}
	if s := w.eval(`String(document.querySelector("#e-brand").getBoundingClientRect().height - document.querySelector("#e-title").getBoundingClientRect().height)`); s != "0" {
		t.Errorf("the brand select is %s px taller than the title input", s)
	}
	w.check("new-item-empty")

	// 2. A good draft previews; then a price and currency gone wrong show
	// both problems at their lines and keep the good preview, marked out
	// of date.
	w.do("write", chromedp.SendKeys("#e-title", "Waxing a canvas pack"),
		chromedp.SetValue("#e-body", "Warm the wax first.\n\nThen rub it in along the seams."),
		chromedp.Click("details[data-extra] summary"), setField("#e-extra", goodExtra))
	preview := func(want string) string {
		t.Helper()
		var src string
		pipetest.WaitFor(t, 20*time.Second, "preview: "+want, func() (bool, string) {
			st := w.text("[data-status]")
			src = w.eval(`document.querySelector("iframe[data-live]").src`)
			return st == want && strings.Contains(src, "/draft/"), st + " " + src
		})
		return src
	}
	good := preview("Preview up to date")
	if w.eval(`String(document.querySelector("[data-stale]").hidden)`) != "true" {
		t.Error("the out-of-date banner shows over an up-to-date preview")
	}
	w.do("break the price", setField("#e-extra", "product:\n  sku: KST-WAX\n  price: abc\n  currency: EURO\n"))
	if src := preview("2 problems to fix"); src != good {
		t.Errorf("the preview changed to %s; want the last good one kept", src)
	}
	extra := w.text("#err-extra")
	for _, want := range []string{`Line 3: product.price: price "abc" is not a number`, `Line 4: product.currency: must be an ISO 4217 code like EUR, not "EURO"`} {
		if !strings.Contains(extra, want) {
			t.Errorf("front matter errors %q lack %q", extra, want)
		}
	}
	if strings.Contains(extra, "required") {
		t.Errorf("front matter errors %q still say the price is required", extra)
	}
	if s := w.text("[data-stale]"); !strings.Contains(s, "Out of date") || !strings.Contains(s, "2 problems to fix") || strings.Count(s, "More front matter, line") != 2 {
		t.Errorf("banner %q", s)
	}
	w.check("editor-problems")
	w.do("fix the price", setField("#e-extra", goodExtra))
	preview("Preview up to date")
	if s := w.eval(`String(document.querySelector("[data-stale]").hidden)`); s != "true" {
		t.Error("the banner stays after the problems are fixed")
	}

	// 3. Submit, then approve and publish now: the site takes the page
	// and the card; email and social have no target in this brand, and
	// say so with a link to the docs.
	w.do("submit", chromedp.Click(`#editor button[type="submit"]`), chromedp.WaitVisible("nav.tabs"))
	pipetest.WaitFor(t, 30*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })
	w.do("publish now", chromedp.Navigate(u.url+"/items/"+id+"?tab=social"), chromedp.WaitVisible("#at"), chromedp.Click(`button[value="now"]`), chromedp.WaitVisible(".flash"))
	pipetest.WaitFor(t, 30*time.Second, "published", func() (bool, string) {
		w.do("reload", chromedp.Reload(), chromedp.WaitVisible(".tab-panel"))
		s := w.text(".channels")
		return strings.Count(s, "sent") == 2 && w.text(".pub") == "published", w.text(".pub") + ": " + s
	})
	chans := w.text(".channels")
	if strings.Count(chans, "No target configured for this brand, so it did not go out.") != 2 || !strings.Contains(chans, "to site") {
		t.Errorf("channels after publishing: %q", chans)
	}
	if s := w.eval(`document.querySelector(".channels a[href*='brand-kit.md#publishing-targets']")?.href ?? ""`); s == "" {
		t.Error("no link to the targets docs")
	}
	w.check("published-channels")

	// 4. A second item, scheduled for tomorrow: the filter finds each.
	res, err := u.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: map[string][]byte{"index.md": []byte("---\ntitle: Reproofing a tent\n---\nSpray it outside.\n")}, Actor: "user:editor"})
	if err != nil {
		t.Fatal(err)
	}
	pipetest.WaitFor(t, 30*time.Second, "second rendered", func() (bool, string) { return u.ItemRendered(res.ItemID) })
	if _, err := u.Service.Schedule(ctx, res.ItemID, 0, time.Now().Add(24*time.Hour), "user:editor"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ status, want, not string }{
		{"scheduled", "Reproofing a tent", "Waxing a canvas pack"},
		{"published", "Waxing a canvas pack", "Reproofing a tent"},
	} {
		w.do("filter "+c.status, chromedp.Navigate(u.url+"/"), chromedp.WaitVisible("#f-status"),
			chromedp.SetValue("#f-status", c.status), chromedp.Submit("#f-status"))
		pipetest.WaitFor(t, 10*time.Second, "filtered page", func() (bool, string) {
			s := w.eval(`document.readyState + " " + new URLSearchParams(location.search).get("status")`)
			return s == "complete "+c.status, s
		})
		rows := w.text("table.items tbody")
		if !strings.Contains(rows, c.want) || strings.Contains(rows, c.not) || w.text(".count") != "1 item" {
			t.Errorf("status=%s lists %q (%s)", c.status, rows, w.text(".count"))
		}
		if c.status == "published" && (!strings.Contains(rows, "portal published") || !strings.Contains(rows, "email no target")) {
			t.Errorf("published row's badges: %q", rows)
		}
		w.check("inbox-" + c.status)
	}
	opts := w.eval(`[...document.querySelectorAll("#f-status option")].map(o => o.value).join(" ")`)
	if opts != " queued rendering rendered failed scheduled publishing published cancelled" {
		t.Errorf("status options %q", opts)
	}

	// 5. A new title in the editor is version 2 of the same item, at the
	// same address.
	w.do("edit", chromedp.Navigate(u.url+"/items/"+id+"/edit"), chromedp.WaitVisible("#e-title"))
	if s := w.eval(`document.querySelector("#e-slug").value`); s != "waxing-a-canvas-pack" {
		t.Errorf("slug input %q", s)
	}
	w.do("retitle", setField("#e-title", "Waxing a canvas pack, the slow way"))
	preview("Preview up to date")
	w.check("editor-edit")
	w.do("submit v2", chromedp.Click(`#editor button[type="submit"]`), chromedp.WaitVisible("nav.tabs"))
	if path := w.eval(`location.pathname`); path != "/items/"+url.PathEscape(id) {
		t.Errorf("after the edit the browser is at %s", path)
	}
	if n, _ := u.DB.CountItems(ctx, store.ItemFilter{}); n != 2 {
		t.Errorf("%d items after the edit, want 2", n)
	}
	it, err := u.DB.Item(ctx, id)
	if err != nil || it.LatestVersion != 2 || it.Title != "Waxing a canvas pack, the slow way" || it.Slug != "waxing-a-canvas-pack" {
		t.Errorf("item after the edit: %+v %v", it, err)
	}

	// 6. Version 2 over the live version 1.
	pipetest.WaitFor(t, 30*time.Second, "v2 rendered", func() (bool, string) { return u.ItemRendered(id) })
	w.do("item v2", chromedp.Navigate(u.url+"/items/"+id+"?tab=social"), chromedp.WaitVisible(".live-note"))
	if s := w.text(".live-note"); !strings.Contains(s, "Version 1 is live at https://kestrel.example/waxing-a-canvas-pack/") {
		t.Errorf("live note %q", s)
	}
	if s := w.text(".pub"); s != "Version 2 is not approved yet" {
		t.Errorf("publication state %q", s)
	}
	if s := w.text(`form[action$="/unpublish"] button`); s != "Take off the site" {
		t.Errorf("unpublish button %q", s)
	}
	w.check("v2-over-live-v1")

	// 7. An explicit slug change keeps the item too, and since v1 is on
	// the site, its address is kept as an alias (a redirect once v3 goes
	// out).
	w.do("edit the slug", chromedp.Navigate(u.url+"/items/"+id+"/edit"), chromedp.WaitVisible("#e-slug"), setField("#e-slug", "wax-a-canvas-pack"))
	preview("Preview up to date")
	w.do("submit v3", chromedp.Click(`#editor button[type="submit"]`), chromedp.WaitVisible("nav.tabs"))
	it, err = u.DB.Item(ctx, id)
	if err != nil || it.LatestVersion != 3 || it.Slug != "wax-a-canvas-pack" {
		t.Errorf("item after the slug change: %+v %v", it, err)
	}
	if v, err := u.DB.Version(ctx, id, 3); err != nil {
		t.Error(err)
	} else if !strings.Contains(string(v.Source), "aliases: [/waxing-a-canvas-pack/]") {
		t.Errorf("v3 keeps no alias of the old address:\n%s", v.Source)
	}
	if n, _ := u.DB.CountItems(ctx, store.ItemFilter{}); n != 2 {
		t.Errorf("%d items after the slug change, want 2", n)
	}

	// 8. The history: an immediate approval reads so, v1 is published.
	w.do("history", chromedp.Navigate(u.url+"/items/"+id+"?tab=history"), chromedp.WaitVisible("table.events"))
	if s := w.text("table.events"); !strings.Contains(s, "approved to publish now") || strings.Contains(s, "Z") {
		t.Errorf("audit log %q", s)
	}
	if s := w.text("table.versions tbody tr:last-child"); !strings.Contains(s, "published") {
		t.Errorf("v1's row %q", s)
	}
	w.check("history")

	for _, m := range seen() {
		t.Errorf("console: %s", m)
	}
	t.Logf("screenshots in %s", w.dir)
}
