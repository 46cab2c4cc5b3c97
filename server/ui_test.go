package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// ui is the editor UI on a test server, with a writer, an editor and an
// admin who can sign in, and one rendered item.
type ui struct {
	*pipetest.Env
	url     string
	site    string       // the published sites' folder, served at /sites/
	beacons atomic.Int32 // requests to /beacon: what a script in content would send
}

const uiPassword = "correct horse battery"

func newUI(t *testing.T) *ui {
	t.Helper()
	site := t.TempDir()
	cache := &images.Cache{}
	var rs []renderers.Renderer
	for _, mk := range []func(*images.Cache) (renderers.Renderer, error){
		func(c *images.Cache) (renderers.Renderer, error) { return email.New(c) },
		func(c *images.Cache) (renderers.Renderer, error) { return social.New(c) },
		func(c *images.Cache) (renderers.Renderer, error) { return catalog.New(c) },
	} {
		r, err := mk(cache)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	e := pipetest.NewWith(t, pipetest.Setups[0], func(c *app.Config) { c.Site = &publish.Site{Root: site} }, rs...)
	e.ImportBrand(t, "kestrel")
	queues := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "queue monitor") })
	h := server.New(server.Config{Store: e.DB, Service: e.Service, QueueMonitor: queues, Sites: site, Version: "v0.0.0-test"})
	u := &ui{Env: e, site: site}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/beacon" {
			u.beacons.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u.url = srv.URL
	ctx := context.Background()
	for _, r := range []string{store.RoleWriter, store.RoleEditor, store.RoleAdmin} {
		if _, _, err := e.DB.CreateUser(ctx, r, r, uiPassword); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// browser is a client with a cookie jar that does not follow redirects,
// so tests see where they point.
func (u *ui) browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (u *ui) login(t *testing.T, c *http.Client, name, password string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", u.url+"/login", strings.NewReader(url.Values{"name": {name}, "password": {password}, "next": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (u *ui) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (u *ui) post(t *testing.T, c *http.Client, path string, form url.Values, site string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", u.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestLoggedOutRedirectsToLogin(t *testing.T) {
	u := newUI(t)
	c := u.browser(t)
	for _, p := range []string{"/", "/?brand=kestrel", "/items/kestrel.en.x", "/items/kestrel.en.x/edit", "/items/kestrel.en.x/diff", "/new", "/admin", "/admin/queues/"} {
		resp, _ := u.get(t, c, p)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(p) {
			t.Errorf("GET %s logged out: %d → %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/items/kestrel.en.x/publish", "/drafts", "/new", "/admin"} {
		if resp := u.post(t, c, p, url.Values{}, "same-origin"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("POST %s logged out: %d", p, resp.StatusCode)
		}
	}
	resp, body := u.get(t, c, "/login")
	if resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) {
		t.Errorf("login page: %d", resp.StatusCode)
	}
}

func TestLoginSession(t *testing.T) {
	u := newUI(t)
	c := u.browser(t)
	if resp := u.login(t, c, "editor", "wrong password!"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	if resp := u.login(t, c, "nobody", uiPassword); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown user: %d", resp.StatusCode)
	}
	resp := u.login(t, c, "editor", uiPassword)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var first *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "cc_session" {
			first = ck
		}
	}
	if first == nil || !first.HttpOnly || first.SameSite != http.SameSiteLaxMode || first.Secure {
		t.Fatalf("session cookie %+v (want HttpOnly, SameSite=Lax, not Secure over plain HTTP)", first)
	}
	if r, body := u.get(t, c, "/"); r.StatusCode != 200 || !strings.Contains(body, "Inbox") {
		t.Errorf("inbox after login: %d", r.StatusCode)
	}
	// Logging in again rotates the session: the first cookie stops working.
	resp = u.login(t, c, "editor", uiPassword)
	for _, ck := range resp.Cookies() {
		if ck.Name == "cc_session" && ck.Value == first.Value {
			t.Error("second login kept the session id")
		}
	}
	stale := u.browser(t)
	stale.Jar.SetCookies(mustURL(u.url), []*http.Cookie{{Name: "cc_session", Value: first.Value}})
	if r, _ := u.get(t, stale, "/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("old session still works after a new login: %d", r.StatusCode)
	}
	// Logging out ends the session.
	u.post(t, c, "/logout", nil, "same-origin")
	if r, _ := u.get(t, c, "/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: %d", r.StatusCode)
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func TestLoginRateLimit(t *testing.T) {
	u := newUI(t)
	c := u.browser(t)
	limited := 0
	for range 15 {
		if u.login(t, c, "admin", "guess-guess-guess").StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("15 wrong passwords in a row were never rate limited")
	}
	// Even the right password waits now.
	if resp := u.login(t, c, "admin", uiPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password while limited: %d", resp.StatusCode)
	}
}

func TestRoles(t *testing.T) {
	u := newUI(t)
	writer := u.browser(t)
	u.login(t, writer, "writer", uiPassword)
	if r, _ := u.get(t, writer, "/admin/queues/"); r.StatusCode != http.StatusForbidden {
		t.Errorf("writer sees /admin/queues/: %d", r.StatusCode)
	}
	if r := u.post(t, writer, "/items/kestrel.en.x/publish", url.Values{"when": {"now"}}, "same-origin"); r.StatusCode != http.StatusForbidden {
		t.Errorf("writer approves: %d", r.StatusCode)
	}
	if r, _ := u.get(t, writer, "/admin"); r.StatusCode != http.StatusForbidden {
		t.Errorf("writer sees /admin: %d", r.StatusCode)
	}
	admin := u.browser(t)
	u.login(t, admin, "admin", uiPassword)
	// An admin adds a user; the password is shown once and works.
	req, _ := http.NewRequest("POST", u.url+"/admin", strings.NewReader(url.Values{"action": {"user"}, "name": {"dana"}, "role": {"editor"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := admin.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i := bytes.Index(page, []byte("shown only now:</p><p><code>"))
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("add user: %d", resp.StatusCode)
	}
	pw := string(page[i+len("shown only now:</p><p><code>"):])
	pw = pw[:strings.Index(pw, "<")]
	if r := u.login(t, u.browser(t), "dana", pw); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the new user cannot sign in: %d", r.StatusCode)
	}
	// An admin uploads a brand kit; a broken one is refused with its line.
	kit := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel")
	upload := func(yaml []byte) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("action", "brand")
		mw.WriteField("name", "kestrel-outlet")
		for _, f := range []string{"brand.yaml", "logo.svg", "logo-dark.svg"} {
			data, err := os.ReadFile(filepath.Join(kit, f))
			if err != nil {
				t.Fatal(err)
			}
			if f == "brand.yaml" && yaml != nil {
				data = yaml
			}
			fw, _ := mw.CreateFormFile("files", f)
			fw.Write(data)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", u.url+"/admin", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, page := upload(nil); code != 200 || !strings.Contains(page, "saved") {
		t.Errorf("brand upload: %d", code)
	}
	if _, err := u.DB.Brand(context.Background(), "kestrel-outlet"); err != nil {
		t.Errorf("uploaded brand not stored: %v", err)
	}
	if code, page := upload([]byte("name: Outlet\ncolors: [oops\n")); code != http.StatusUnprocessableEntity || !strings.Contains(page, "brand.yaml:2: YAML syntax: did not find expected") {
		t.Errorf("broken brand.yaml: %d", code)
	}
	if r, body := u.get(t, admin, "/admin/queues/"); r.StatusCode != 200 || body != "queue monitor" {
		t.Errorf("admin on /admin/queues/: %d %q", r.StatusCode, body)
	}
}

func TestCrossOriginWritesRefused(t *testing.T) {
	u := newUI(t)
	c := u.browser(t)
	u.login(t, c, "editor", uiPassword)
	for _, p := range []string{"/items/kestrel.en.x/publish", "/logout", "/login"} {
		if r := u.post(t, c, p, url.Values{"when": {"now"}}, "cross-site"); r.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d", p, r.StatusCode)
		}
	}
	// An old browser without Sec-Fetch-Site: the Origin header decides.
	req, _ := http.NewRequest("POST", u.url+"/logout", nil)
	req.Header.Set("Origin", "https://evil.example")
	if r, err := c.Do(req); err != nil || r.StatusCode != http.StatusForbidden {
		t.Errorf("POST with a foreign Origin: %v %v", r.StatusCode, err)
	}
	// Still signed in: the refused logout did nothing.
	if r, _ := u.get(t, c, "/"); r.StatusCode != 200 {
		t.Errorf("inbox: %d", r.StatusCode)
	}
}

// The inbox lists items with their channel badges and filters them; the
// item page shows previews in sandboxed frames whose files carry the
// sandbox CSP and refuse a tampered signature.
func TestInboxAndItemPage(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	c := u.browser(t)
	u.login(t, c, "editor", uiPassword)
	tok, _, err := u.DB.CreateToken(context.Background(), "w", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": smallPNG(640, 400)}))
	if code != http.StatusAccepted {
		t.Fatalf("submit: %d %s", code, body)
	}
	id := "kestrel.en.waxing-a-canvas-pack"
	pipetest.WaitFor(t, 20*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })

	_, inbox := u.get(t, c, "/")
	for _, want := range []string{"Waxing a canvas pack", `badge st-rendered`, `href="/items/` + id + `"`} {
		if !strings.Contains(inbox, want) {
			t.Errorf("inbox lacks %s", want)
		}
	}
	if _, none := u.get(t, c, "/?q=nothing+like+this"); strings.Contains(none, "Waxing") {
		t.Error("title search did not filter")
	}
	if _, rows := u.get(t, c, "/?part=rows"); !strings.HasPrefix(strings.TrimSpace(rows), "<tr>") {
		t.Errorf("rows fragment: %.80q", rows)
	}

	resp, page := u.get(t, c, "/items/"+id+"?tab=portal")
	if resp.StatusCode != 200 {
		t.Fatalf("item page: %d", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("item page CSP %q", csp)
	}
	// The frame keeps the UI's origin, so the page's script can size it,
	// and runs no script.
	const frame = `<iframe sandbox="allow-same-origin" src="`
	i := strings.Index(page, frame)
	if i < 0 {
		t.Fatal("no sandboxed preview frame on the portal tab")
	}
	src := page[i+len(frame):]
	src = src[:strings.IndexByte(src, '"')]
	// The preview needs no cookie (sandboxed frames send none) and says
	// sandbox, with no script allowed.
	r, html := u.get(t, http.DefaultClient, src)
	if r.StatusCode != 200 || r.Header.Get("Content-Security-Policy") != "sandbox allow-same-origin; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'" {
		t.Errorf("preview %s: %d, CSP %q", src, r.StatusCode, r.Header.Get("Content-Security-Policy"))
	}
	if !strings.Contains(html, "Waxing a canvas pack") {
		t.Error("preview is not the page")
	}
	tampered := strings.Replace(src, "/preview/", "/preview/1", 1)
	if r, _ := u.get(t, http.DefaultClient, tampered); r.StatusCode != http.StatusNotFound {
		t.Errorf("tampered preview link: %d", r.StatusCode)
	}
	// Render again: an editor action, logged, refused once scheduled.
	r = u.post(t, c, "/items/"+id+"/rerender", url.Values{"tab": {"email"}}, "same-origin")
	if f := u.flashAfter(t, c, r); !strings.Contains(f, "Rendering again") {
		t.Errorf("rerender: %d, flash %q", r.StatusCode, f)
	}
	pipetest.WaitFor(t, 20*time.Second, "rendered again", func() (bool, string) { return u.ItemRendered(id) })
	evs, _ := u.DB.Events(context.Background(), id, 0)
	if !slices.ContainsFunc(evs, func(e store.Event) bool { return e.Kind == "rerender" && e.Actor == "user:editor" }) {
		t.Errorf("no rerender by user:editor in the audit log: %+v", evs)
	}
	at := time.Now().Add(48 * time.Hour).UTC().Format("2006-01-02T15:04")
	if r := u.post(t, c, "/items/"+id+"/publish", url.Values{"when": {"at"}, "at": {at}, "tz": {"Europe/Amsterdam"}, "version": {"1"}}, "same-origin"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d", r.StatusCode)
	}
	pub, err := u.DB.Publication(context.Background(), id, 1)
	want, _ := time.ParseInLocation("2006-01-02T15:04", at, mustZone("Europe/Amsterdam"))
	if err != nil || !pub.ProcessAt.Equal(want) {
		t.Errorf("scheduled for %v, want %v (the picker's time in the editor's zone): %v", pub.ProcessAt, want.UTC(), err)
	}
	r = u.post(t, c, "/items/"+id+"/rerender", url.Values{}, "same-origin")
	if f := u.flashAfter(t, c, r); !strings.HasPrefix(f, "alert: Not done") {
		t.Errorf("rerender while scheduled: flash %q", f)
	}
	for _, tab := range []string{"email", "social", "catalog", "links", "warnings", "history"} {
		if r, _ := u.get(t, c, "/items/"+id+"?tab="+tab); r.StatusCode != 200 {
			t.Errorf("tab %s: %d", tab, r.StatusCode)
		}
	}
}

// multipartForm builds the editor's form body with one image.
func multipartForm(t *testing.T, fields map[string]string, image string, data []byte) (string, *bytes.Buffer) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if image != "" {
		fw, _ := mw.CreateFormFile("files", image)
		fw.Write(data)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

func (u *ui) postMultipart(t *testing.T, c *http.Client, path string, fields map[string]string, image string, data []byte) (*http.Response, string) {
	t.Helper()
	ct, body := multipartForm(t, fields, image, data)
	req, _ := http.NewRequest("POST", u.url+path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The writer's editor: a live preview of all four channels without
// storing anything, errors beside the field, a new item on submit, and
// editing limited to the writer's own items.
func TestWriterEditor(t *testing.T) {
	u := newUI(t)
	ctx := context.Background()
	if _, _, err := u.DB.CreateUser(ctx, "other", store.RoleWriter, uiPassword); err != nil {
		t.Fatal(err)
	}
	c := u.browser(t)
	u.login(t, c, "writer", uiPassword)
	if r, body := u.get(t, c, "/new"); r.StatusCode != 200 || !strings.Contains(body, `name="body"`) {
		t.Fatalf("new item page: %d", r.StatusCode)
	}
	fields := map[string]string{"brand": "kestrel", "title": "Re-proofing a rain shell", "summary": "Wash, tumble, done.",
		"tags": "care, shells", "hero": "images/shell.png", "hero_alt": "A blue shell on a hanger", "body": "Wash it first.\n\n![The label](images/shell.png)\n"}
	img := stripesPNG(800, 500)

	// The live preview renders every channel and stores nothing.
	r, js := u.postMultipart(t, c, "/drafts", fields, "shell.png", img)
	var dr struct {
		Errors []struct{ Input, Message string }
		Frames map[string]string
	}
	if err := json.Unmarshal([]byte(js), &dr); r.StatusCode != 200 || err != nil || len(dr.Errors) != 0 {
		t.Fatalf("draft: %d %v %s", r.StatusCode, err, js)
	}
	for _, ch := range []string{"email", "social", "portal", "catalog"} {
		if dr.Frames[ch] == "" {
			t.Errorf("no %s preview", ch)
		}
	}
	if resp, html := u.get(t, http.DefaultClient, dr.Frames["portal"]); resp.StatusCode != 200 || !strings.Contains(html, "Re-proofing a rain shell") ||
		!strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "sandbox;") {
		t.Errorf("draft portal preview: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	if n, _ := u.DB.CountItems(ctx, store.ItemFilter{}); n != 0 {
		t.Errorf("a preview stored %d items", n)
	}

	// A missing image is reported at its line of the text.
	bad := maps.Clone(fields)
	bad["body"] = "One line.\n\n![Missing](images/nope.png)\n"
	_, js = u.postMultipart(t, c, "/drafts", bad, "shell.png", img)
	if !strings.Contains(js, `"input": "body"`) || !strings.Contains(js, `"body_line": 3`) {
		t.Errorf("missing image not placed at line 3 of the text: %s", js)
	}

	// Submitting bad input shows the form again with the error by the field.
	noTitle := maps.Clone(fields)
	noTitle["title"] = ""
	r, page := u.postMultipart(t, c, "/new", noTitle, "shell.png", img)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="err-title" data-for="title">`) || strings.Contains(page, `data-for="title"></p>`) {
		t.Errorf("no title: %d", r.StatusCode)
	}

	r, _ = u.postMultipart(t, c, "/new", fields, "shell.png", img)
	const id = "kestrel.en.re-proofing-a-rain-shell"
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/items/"+id) {
		t.Fatalf("submit: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if vs, err := u.DB.Versions(ctx, id); err != nil || len(vs) != 1 || vs[0].SubmittedBy != "user:writer" {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	if r, page := u.get(t, c, "/items/"+id+"/edit"); r.StatusCode != 200 || !strings.Contains(page, `value="Re-proofing a rain shell"`) || !strings.Contains(page, "images/shell.png") {
		t.Errorf("author's edit page: %d", r.StatusCode)
	}
	// Saving a change makes version 2; the history compares them.
	changed := maps.Clone(fields)
	changed["body"] = "Wash it twice.\n\n![The label](images/shell.png)\n"
	if r, _ := u.postMultipart(t, c, "/items/"+id+"/edit", changed, "", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.StatusCode)
	}
	if r, page := u.get(t, c, "/items/"+id+"/diff?a=1&b=2&file=source"); r.StatusCode != 200 ||
		!strings.Contains(page, `<tr class="d-change">`) || !strings.Contains(page, "Wash it twice.") || !strings.Contains(page, "Wash it first.") {
		t.Errorf("diff: %d", r.StatusCode)
	}
	other := u.browser(t)
	u.login(t, other, "other", uiPassword)
	if r, _ := u.get(t, other, "/items/"+id+"/edit"); r.StatusCode != http.StatusForbidden {
		t.Errorf("another writer edits: %d", r.StatusCode)
	}
	editor := u.browser(t)
	u.login(t, editor, "editor", uiPassword)
	if r, _ := u.get(t, editor, "/items/"+id+"/edit"); r.StatusCode != 200 {
		t.Errorf("editor edits: %d", r.StatusCode)
	}
}
