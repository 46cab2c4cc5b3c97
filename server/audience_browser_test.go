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
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/renderers/signup"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// A reader signs up with the subscribe form of an item's portal page,
// served from another origin as the brand's site serves it, gets the
// confirmation email at the fake SMTP server, confirms, changes topics
// and language in the preference centre, and unsubscribes; axe checks
// every page at 375 px, the consent log has each step, and an editor
// sees each step in the subscriber's history.
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
	pr, err := portal.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := pipetest.NewWith(t, pipetest.Setups[0], func(c *app.Config) {
		c.PublicURL = public
		c.Getenv = func(k string) string { return tg.Env[k] }
		c.SMTPTLS = tg.SMTP.TLSConfig()
	}, er, pr)
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
	// The item's portal page as the service renders it, served as the
	// brand's site would: its form posts across origins to crosscast.
	draft, err := e.Service.Draft(context.Background(), app.Bundle{Brand: "kestrel", Files: map[string][]byte{
		"index.md": []byte("---\ntitle: Waxing a canvas tent\n---\nWarm the wax first, then work it into the seams.\n")}})
	if err != nil {
		t.Fatal(err)
	}
	page := draft.Channels[portal.Channel]
	if page == nil {
		t.Fatalf("no portal page: %v", draft.Errors)
	}
	pageFiles := map[string]renderers.File{}
	for _, f := range page.Files {
		pageFiles["/"+f.Name] = f
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path
		if name == "/" {
			name = "/" + portal.PageFile
		}
		f, ok := pageFiles[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.MediaType)
		w.Write(f.Data)
	}))
	t.Cleanup(site.Close)
	if _, _, err := e.DB.CreateUser(context.Background(), "editor", store.RoleEditor, uiPassword); err != nil {
		t.Fatal(err)
	}

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

	// 1. Sign up with the portal page's form, in German, for guides.
	do("open the portal page", chromedp.EmulateViewport(375, 800), chromedp.Navigate(site.URL), chromedp.WaitVisible("#cc-signup-address"))
	if action, _ := chromedp.Run(ctx, chromedp.AttributeValue("form.cc-signup", "action")); action.Value != public+"/s/kestrel" {
		t.Fatalf("the form posts to %q, want %s/s/kestrel", action.Value, public)
	}
	do("scroll to the form", chromedp.ScrollIntoView("form.cc-signup"))
	check("0-portal-form")
	do("sign up", chromedp.SendKeys("#cc-signup-address", "Reader@Example.net"), chromedp.SetValue("#cc-signup-lang", "de"),
		chromedp.Click("#cc-signup-topic-guides"), chromedp.Click(`form.cc-signup button[type="submit"]`))
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
	// The confirmation shows the brand's logo, served by crosscast, as
	// the newsletter does.
	pipetest.WaitFor(t, 10*time.Second, "the logo in the confirmation email", func() (bool, string) {
		src, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".header img")||{}).src||""`))
		w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`(document.querySelector(".header img")||{}).naturalWidth||0`))
		return strings.HasPrefix(src, public+app.NoticeLogoPath("kestrel")) && w > 0, fmt.Sprintf("%q, %d px", src, w)
	})
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
	// The "Manage preferences" link every email carries (email.ManageURL).
	do("open the preferences", chromedp.Navigate(email.ManageURL(public+"/u/"+sb.Token)), chromedp.WaitVisible("#lang"))
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
	if len(cs) > 0 && cs[0].Wording != signup.VersionPortal {
		t.Errorf("the sign-up records form %q, want %q", cs[0].Wording, signup.VersionPortal)
	}

	// 6. An editor sees each step in the subscriber's history, at 375 px.
	do("sign in as editor", chromedp.Navigate(public+"/subscribers/kestrel?address=reader%40example.net"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "editor"), chromedp.SendKeys("#password", uiPassword), chromedp.Submit("#password"), chromedp.WaitVisible("#history"))
	hist := text(`[aria-labelledby="history"] tbody`)
	for _, step := range []string{"signup", "confirm", "preferences", "unsubscribed", "fr", "product"} {
		if !strings.Contains(hist, step) {
			t.Errorf("the history shows no %q:\n%s", step, hist)
		}
	}
	check("7-subscriber-history")
	t.Logf("screenshots in %s", art)
}
