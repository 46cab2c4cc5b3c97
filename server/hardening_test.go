package server_test

import (
	"net/http"
	"net/url"
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
