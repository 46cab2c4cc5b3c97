package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/fakes"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// brandSiteForm is a sign-up form as a brand's own site would embed it,
// posting across origins to crosscast.
const brandSiteForm = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kestrel news</title></head><body><main>
<h1>Kestrel news</h1>
<form method="post" action="%s/s/kestrel">
<label for="address">Email address</label> <input id="address" type="email" name="address" required>
<label for="lang">Language</label> <select id="lang" name="lang"><option value="en">English</option><option value="de">Deutsch</option></select>
<fieldset><legend>Topics</legend>
<input type="checkbox" id="t-guides" name="topics" value="guides"><label for="t-guides">Guides</label>
<input type="checkbox" id="t-product" name="topics" value="product"><label for="t-product">New products</label>
</fieldset>
<div style="position:absolute;left:-10000px" aria-hidden="true"><input name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit">Subscribe</button>
</form></main></body></html>`

// A reader signs up on the brand's site, gets the confirmation email at
// the fake SMTP server, confirms, changes topics and language in the
// preference centre, and unsubscribes; axe checks every page at 375 px,
// and the consent log has each step.
func TestAudienceInBrowser(t *testing.T) {
	ctx := checkers.Browser(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	tg := fakes.NewTargets(t, 600)
	er, err := email.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := pipetest.NewWith(t, pipetest.Setups[0], func(c *app.Config) {
		c.PublicURL = public
		c.Getenv = func(k string) string { return tg.Env[k] }
		c.SMTPTLS = tg.SMTP.TLSConfig()
	}, er)
	dir := tg.BrandKit(t, "https://cc.kestrel.example", "")
	yaml := filepath.Join(dir, "brand.yaml")
	b, _ := os.ReadFile(yaml)
	b = bytes.Replace(b, []byte("email:\n"), []byte("email:\n  topics:\n    product: New products\n    guides: Guides\n"), 1)
	os.WriteFile(yaml, b, 0o644)
	if _, _, err := e.Service.ImportBrand(context.Background(), dir, "test"); err != nil {
		t.Fatal(err)
	}
	e.Start(t)
	srv := httptest.NewUnstartedServer(server.New(server.Config{Store: e.DB, Service: e.Service}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, brandSiteForm, public)
	}))
	t.Cleanup(site.Close)

	art := t.ArtifactDir()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			if shot, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
				os.WriteFile(filepath.Join(art, "failed.png"), shot, 0o644)
			}
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	// heading waits for the page a click leads to: its h1 reads want.
	heading := func(want string) {
		t.Helper()
		pipetest.WaitFor(t, 15*time.Second, "the page headed "+want, func() (bool, string) {
			h, _ := chromedp.Run(ctx, chromedp.Text("h1"))
			return h == want, h
		})
	}
	// check runs axe, proves the page fits 375 px and saves a screenshot.
	check := func(name string) {
		t.Helper()
		checkers.AxePage(t, ctx, name)
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || w > 375 {
			t.Errorf("%s: %d px wide at a 375 px viewport (%v)", name, w, err)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(art, name+".png"), shot, 0o644)
	}
	ctxDB := context.Background()

	// 1. Sign up on the brand's site, in German, for guides.
	do("open the brand's form", chromedp.EmulateViewport(375, 800), chromedp.Navigate(site.URL), chromedp.WaitVisible("#address"))
	do("sign up", chromedp.SendKeys("#address", "Reader@Example.net"), chromedp.SetValue("#lang", "de"),
		chromedp.Click("#t-guides"), chromedp.Click(`button[type="submit"]`))
	heading("Sieh in dein Postfach")
	check("1-signed-up")

	// 2. The confirmation email arrives.
	pipetest.WaitFor(t, 15*time.Second, "the confirmation email", func() (bool, string) {
		return len(tg.SMTP.Messages()) > 0, "none yet"
	})
	raw, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(tg.SMTP.Messages()[0].Data)))
	os.WriteFile(filepath.Join(art, "confirmation.eml"), tg.SMTP.Messages()[0].Data, 0o644)
	link := regexp.MustCompile(regexp.QuoteMeta(public) + `/s/kestrel/confirm/[A-Za-z0-9_.-]+`).Find(raw)
	if link == nil {
		t.Fatalf("no link in the email:\n%s", raw)
	}
	start, end := bytes.Index(raw, []byte("<!DOCTYPE")), bytes.LastIndex(raw, []byte("</html>"))
	if start < 0 || end < start {
		t.Fatalf("no HTML part in the email:\n%s", raw)
	}
	mailHTML := raw[start : end+7]
	mailSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(mailHTML) }))
	t.Cleanup(mailSrv.Close)
	do("look at the email", chromedp.Navigate(mailSrv.URL), chromedp.WaitVisible("h1"))
	checkers.AxePage(t, ctx, "confirmation email")
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(art, "0-confirmation-email.png"), shot, 0o644)
	}

	// 3. Confirm: the GET shows a button, the POST confirms.
	do("open the link", chromedp.Navigate(string(link)), chromedp.WaitVisible("form button"))
	if sb, _ := e.DB.Subscriber(ctxDB, "kestrel", "reader@example.net"); sb.Status != store.SubPending {
		t.Fatalf("the GET confirmed: %+v", sb)
	}
	check("2-confirm")
	do("confirm", chromedp.Click("form button"))
	heading("Du bist eingetragen")
	check("3-confirmed")
	sb, _ := e.DB.Subscriber(ctxDB, "kestrel", "reader@example.net")
	if sb.Status != store.SubActive || sb.Lang != "de" || strings.Join(sb.Topics, ",") != "guides" {
		t.Fatalf("confirmed: %+v", sb)
	}

	// 4. The preference centre: French, new products instead of guides.
	do("open the preferences", chromedp.Navigate(public+"/u/"+sb.Token), chromedp.WaitVisible("#lang"))
	check("4-preferences")
	do("change them", chromedp.SetValue("#lang", "fr"), chromedp.Click("#topic-guides"), chromedp.Click("#topic-product"),
		chromedp.Click(`form[action$="/preferences"] button`))
	heading("Vos préférences d’e-mail")
	if s := text(`p[role="status"]`); s != "Vos préférences sont enregistrées." {
		t.Errorf("after saving: %q", s)
	}
	check("5-saved")
	sb, _ = e.DB.Subscriber(ctxDB, "kestrel", "reader@example.net")
	if sb.Lang != "fr" || strings.Join(sb.Topics, ",") != "product" {
		t.Errorf("saved: %+v", sb)
	}

	// 5. Unsubscribe from everything; opening the page again says so.
	do("unsubscribe", chromedp.Click(`input[name="from"] ~ button`))
	heading("Vous êtes désinscrit")
	check("6-unsubscribed")
	do("reopen", chromedp.Navigate(public+"/u/"+sb.Token), chromedp.WaitVisible("main h1"))
	heading("Vous êtes désinscrit")
	cs, _ := e.DB.Consents(ctxDB, "kestrel", "reader@example.net")
	var steps []string
	for _, c := range cs {
		steps = append(steps, c.Source+":"+c.Action)
	}
	if got, want := strings.Join(steps, " "), "signup_form:signup signup_form:confirm preference_centre:preferences preference_centre:unsubscribed"; got != want {
		t.Errorf("consent log:\n got %s\nwant %s", got, want)
	}
}
