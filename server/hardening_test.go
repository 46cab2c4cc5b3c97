package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The reported open redirect: /login?next=/%09/evil.example/ answered
// Location: /<TAB>/evil.example/, which browsers read as
// http://evil.example/.
func TestLoginNextStaysOnSite(t *testing.T) {
	u := newUI(t)
	c := u.browser(t)
	for _, next := range []string{"/\t/evil.example/", "//evil.example", "/\\evil.example", "https:evil.example"} {
		req, _ := http.NewRequest("POST", u.url+"/login", strings.NewReader(url.Values{"name": {"writer"}, "password": {uiPassword}, "next": {next}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("login with next=%q: %d → %q", next, resp.StatusCode, loc)
		}
	}
	// Signed in already: GET /login redirects at once.
	if r, _ := u.get(t, c, "/login?next=/%09/evil.example/"); r.Header.Get("Location") != "/" {
		t.Errorf("GET /login?next=/%%09/evil.example/ → %q", r.Header.Get("Location"))
	}
	if r, _ := u.get(t, c, "/login?next="+url.QueryEscape("/items/kestrel.en.x?tab=email")); r.Header.Get("Location") != "/items/kestrel.en.x?tab=email" {
		t.Errorf("a good next is kept: %q", r.Header.Get("Location"))
	}
}

// flashAfter follows an action's redirect and returns the page's flash
// line ("" without one).
func (u *ui) flashAfter(t *testing.T, c *http.Client, resp *http.Response) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc == "" {
		t.Fatalf("no redirect after the action: %d", resp.StatusCode)
	}
	_, page := u.get(t, c, loc)
	return flashOf(page)
}

// flashOf returns a page's flash line: a notice (role=status) or, marked
// "alert: ", an error (role=alert, its own style).
func flashOf(page string) string {
	m := flashRE.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	if m[1] == " flash-error" && m[2] == "alert" {
		return "alert: " + m[3]
	}
	return m[3]
}

var flashRE = regexp.MustCompile(`<p class="flash( flash-error)?" role="(status|alert)">(?:<span class="flash-icon" aria-hidden="true">!</span> )?(.*?)</p>`)

// ?flash= in a link put any text on any page; an action's own message
// comes in a signed cookie and shows once.
func TestFlashOnlyFromActions(t *testing.T) {
	u := newUI(t)
	c := u.browser(t)
	u.login(t, c, "writer", uiPassword)
	for _, p := range []string{"/?flash=Your+account+is+locked%2C+call+555-0100", "/new?flash=Hello", "/login?flash=x"} {
		if _, page := u.get(t, c, p); strings.Contains(page, `class="flash"`) {
			t.Errorf("%s shows a flash: %q", p, flashOf(page))
		}
	}
	r, _ := u.postMultipart(t, c, "/new", map[string]string{"brand": "kestrel", "title": "Tent pegs", "body": "Text.\n"}, "", nil)
	if strings.Contains(r.Header.Get("Location"), "?") {
		t.Errorf("the message is in the URL: %q", r.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, k := range r.Cookies() {
		if k.Name == "cc_flash" {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge <= 0 || ck.MaxAge > 300 {
		t.Fatalf("flash cookie %+v (want HttpOnly, SameSite=Lax, short-lived)", ck)
	}
	if got := u.flashAfter(t, c, r); got != "Submitted version 1; it is rendering now." {
		t.Errorf("flash after submit: %q", got)
	}
	if _, page := u.get(t, c, r.Header.Get("Location")); flashOf(page) != "" {
		t.Error("the flash showed twice")
	}
	// A forged cookie shows nothing.
	c.Jar.SetCookies(mustURL(u.url), []*http.Cookie{{Name: "cc_flash", Value: "SGVsbG8.forged", Path: "/"}})
	if _, page := u.get(t, c, "/"); flashOf(page) != "" {
		t.Errorf("a forged flash cookie shows %q", flashOf(page))
	}
}
