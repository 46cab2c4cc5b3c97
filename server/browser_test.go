package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
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

// hostileBody is Markdown that tries to run script in every way a writer
// might paste: a script element and an event handler. Either would
// request /beacon if it ran anywhere.
const hostileBody = `Warm the wax first.

<script>new Image().src = "/beacon?script"; console.log("pwned")</script>
<img src="images/pack.png" alt="pack" onerror="new Image().src='/beacon?onerror'" onload="new Image().src='/beacon?onload'">

Then rub it in along the seams.`

// stripesPNG is a visible picture, so screenshots show where images go.
func stripesPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(120 + x*100/w), uint8(90 + (y/40%2)*60), 70, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// TestEditorInBrowser walks the editor's day in headless Chromium: sign
// in, find the item in the inbox, look at every channel's tab, schedule,
// cancel, publish now and watch the deliveries; axe checks each page,
// and no script from the content runs.
func TestEditorInBrowser(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	ctx := checkers.Browser(t)
	const id = "kestrel.en.waxing-a-canvas-pack"
	photo := filepath.Join(t.TempDir(), "pack.png")
	if err := os.WriteFile(photo, stripesPNG(960, 600), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := checkers.Console(ctx)
	dir := t.ArtifactDir()
	shot := func(name string) {
		t.Helper()
		// A viewport as tall as the page, so frames below the fold paint.
		h, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, int64(min(h, 8000)))); err != nil {
			t.Fatal(err)
		}
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
		chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(dir, name+".jpg"), b, 0o644)
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(c, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// 1. Signed out, the inbox sends the browser to the login page. A
	// writer signs in.
	do("open the inbox", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/"), chromedp.WaitVisible("#password"))
	checkers.AxePage(t, ctx, "login")
	shot("login")
	do("sign in as a writer", chromedp.SendKeys("#name", "writer"), chromedp.SendKeys("#password", uiPassword),
		chromedp.Submit("#password"), chromedp.WaitVisible("table.items"))

	// 2. The writer writes an item with an image in the editor (the
	// Markdown carries a script, which must never run) ...
	do("new item", chromedp.Click(`a[href="/new"]`), chromedp.WaitVisible("#e-body"),
		chromedp.SendKeys("#e-title", "Waxing a canvas pack"),
		chromedp.SendKeys("#e-summary", "How to wax a canvas pack so it keeps the rain out for another season."),
		chromedp.SendKeys("#e-tags", "care"),
		chromedp.SetUploadFiles("#e-files", []string{photo}),
		chromedp.SetValue("#e-body", hostileBody),
		chromedp.SendKeys("#e-body", "\nThen let it cure overnight.\n"),
		chromedp.SetValue("#e-hero", "images/pack.png"),
		chromedp.SendKeys("#e-hero-alt", "A canvas pack on a workbench"))
	// 3. ... and sees the live preview of every channel.
	pipetest.WaitFor(t, 20*time.Second, "live preview", func() (bool, string) {
		st, _ := chromedp.Run(ctx, chromedp.Text("[data-status]"))
		src, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("iframe[data-live]").src`))
		return st == "Preview up to date" && strings.Contains(src, "/draft/"), st + " " + src
	})
	for _, ch := range []string{"email", "social", "portal", "catalog"} {
		do("preview "+ch, chromedp.Click(`button[data-channel="`+ch+`"]`))
		src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("iframe[data-live]").src`))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(src)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "Waxing a canvas pack") || !strings.Contains(string(body), "cure overnight") && ch != "catalog" && ch != "social" {
			t.Errorf("live %s preview lacks the title or the last typed line", ch)
		}
		shot("editor-" + ch)
	}
	checkers.AxePage(t, ctx, "editor")
	// 4. Submit.
	do("submit", chromedp.Click(`#editor button[type="submit"]`), chromedp.WaitVisible("nav.tabs"))
	pipetest.WaitFor(t, 30*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })
	// A writer cannot approve.
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('button[value="now"]').length`)); n != 0 {
		t.Error("the writer is offered the publish button")
	}

	// 5. An editor signs in.
	do("sign out", chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible("#password"))
	do("sign in as an editor", chromedp.SendKeys("#name", "editor"), chromedp.SendKeys("#password", uiPassword),
		chromedp.Submit("#password"), chromedp.WaitVisible("table.items"))

	// 2. The inbox shows the item with every channel rendered.
	if s := text("table.items tbody"); !strings.Contains(s, "Waxing a canvas pack") || strings.Count(s, "rendered") != 4 {
		t.Errorf("inbox row: %q", s)
	}
	checkers.AxePage(t, ctx, "inbox")
	shot("inbox")

	// 3. Every tab, in sandboxed frames where content shows.
	do("open the item", chromedp.Click(`a[href="/items/`+id+`"]`), chromedp.WaitVisible("nav.tabs"))
	for _, tab := range []string{"email", "social", "portal", "catalog", "links", "warnings", "history"} {
		do("tab "+tab, chromedp.Navigate(u.url+"/items/"+id+"?tab="+tab), chromedp.WaitVisible(".tab-panel"))
		frames, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("iframe")].map(f => f.getAttribute("sandbox"))`))
		if err != nil {
			t.Fatal(err)
		}
		for _, sb := range frames {
			// allow-same-origin lets the page size the frame; scripts, forms
			// and popups stay off.
			if sb != "allow-same-origin" {
				t.Errorf("%s tab: a frame with sandbox=%q (want allow-same-origin alone)", tab, sb)
			}
		}
		if want := map[string]int{"email": 2, "portal": 1, "catalog": 2}[tab]; len(frames) != want {
			t.Errorf("%s tab: %d frames, want %d", tab, len(frames), want)
		}
		if tab == "email" || tab == "social" {
			checkers.AxePage(t, ctx, "item "+tab)
		}
		shot("item-" + tab)
	}

	// 4. Schedule for tomorrow 09:00 in the browser's zone, cancel, then publish now.
	tomorrow := time.Now().Add(24*time.Hour).Format("2006-01-02") + "T09:00"
	do("schedule", chromedp.Navigate(u.url+"/items/"+id+"?tab=email"), chromedp.WaitVisible("#at"),
		chromedp.SetValue("#at", tomorrow), chromedp.Click(`button[value="at"]`), chromedp.WaitVisible(".flash"))
	if s := text(".flash"); !strings.HasPrefix(s, "Scheduled for") {
		t.Fatalf("after scheduling: %q", s)
	}
	if s := text(".pub"); !strings.HasPrefix(s, "scheduled") {
		t.Errorf("publication state %q", s)
	}
	shot("scheduled")
	pub, err := u.DB.Publication(context.Background(), id, 1)
	if err != nil || pub.Status != store.PubScheduled || pub.ProcessAt.Location() != time.UTC && pub.ProcessAt.UTC() != pub.ProcessAt {
		t.Errorf("stored publication %+v, %v", pub, err)
	}
	do("cancel", chromedp.Navigate(u.url+"/items/"+id+"?tab=email"), chromedp.WaitVisible("#at"), chromedp.Click(`form[action$="/cancel"] button`), chromedp.WaitVisible(".flash"))
	if s := text(".flash"); !strings.Contains(s, "cancelled") {
		t.Fatalf("after cancelling: %q", s)
	}
	do("publish now", chromedp.Navigate(u.url+"/items/"+id+"?tab=email"), chromedp.WaitVisible("#at"), chromedp.Click(`button[value="now"]`), chromedp.WaitVisible(".flash"))
	if s := text(".flash"); s != "Publishing now." {
		t.Fatalf("after publishing: %q", s)
	}
	// 5. The deliveries end sent (the site: page and catalog).
	pipetest.WaitFor(t, 30*time.Second, "deliveries shown sent", func() (bool, string) {
		do("reload", chromedp.Reload(), chromedp.WaitVisible(".tab-panel"))
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".channels")?.innerText ?? ""`))
		return strings.Count(s, "sent") == 2, s
	})
	shot("published")

	// The admin page.
	do("sign out", chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible("#password"))
	do("sign in as an admin", chromedp.SendKeys("#name", "admin"), chromedp.SendKeys("#password", uiPassword),
		chromedp.Submit("#password"), chromedp.WaitVisible("table.items"), chromedp.Navigate(u.url+"/admin"), chromedp.WaitVisible("#u-name"))
	checkers.AxePage(t, ctx, "admin")
	shot("admin")

	// No script from the content ran, in any preview.
	if n := u.beacons.Load(); n != 0 {
		t.Errorf("content script ran: %d beacon requests", n)
	}
	console := seen()
	for _, m := range console {
		if strings.Contains(m, "pwned") {
			t.Errorf("console: %s", m)
		}
	}
	t.Logf("screenshots in %s; console: %s", dir, fmt.Sprint(len(console), " messages"))
}
