package server_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/store"
)

// clickFixture submits one item and gives it tracked links in several
// channels, then clicks each the given number of times through the real
// /r/ redirect, as readers would.
type clickFixture struct {
	item  string
	links map[string]store.Link // by a short name
}

var fixtureClicks = map[string]int{"email-a": 7, "email-b": 12, "mastodon": 9, "bluesky": 4, "portal-share": 3, "catalog": 5, "print": 2, "formula": 1}

func newClickFixture(t *testing.T, u *ui) clickFixture {
	t.Helper()
	ctx := context.Background()
	tok, _, err := u.DB.CreateToken(ctx, "w", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	if code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": smallPNG(640, 400)})); code != http.StatusAccepted {
		t.Fatalf("submit: %d %s", code, body)
	}
	f := clickFixture{item: "kestrel.en.waxing-a-canvas-pack", links: map[string]store.Link{}}
	portal := "https://kestrel.example/en/waxing-a-canvas-pack/"
	mk := func(name, channel, variant, url, dest string) {
		f.links[name] = store.Link{Code: store.LinkCode(f.item, 1, channel, variant, url), ItemID: f.item, Version: 1, Channel: channel, Variant: variant, URL: url, Dest: dest}
	}
	mk("email-a", "email", "a", portal+"?utm_source=newsletter", store.DestPortal)
	mk("email-b", "email", "b", portal+"?utm_source=newsletter&utm_content=b", store.DestPortal)
	mk("mastodon", "mastodon", "", portal+"?utm_source=mastodon", store.DestPortal)
	mk("bluesky", "bluesky", "", portal+"?utm_source=bluesky", store.DestPortal)
	mk("portal-share", "portal-share", "", "https://mastodon.example/share?text=x", store.DestWeb)
	mk("catalog", "catalog", "", portal+"?utm_source=catalog", store.DestPortal)
	mk("print", "print", "", portal+"?utm_source=print", store.DestPortal)
	mk("formula", "email", "=HYPERLINK(\"x\")", "https://kestrel.example/catalog/", store.DestCatalog)
	var all []store.Link
	for _, l := range f.links {
		all = append(all, l)
	}
	if err := u.DB.PutLinks(ctx, all); err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for name, n := range fixtureClicks {
		for range n {
			resp, err := c.Get(u.url + "/r/" + f.links[name].Code)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != f.links[name].URL {
				t.Fatalf("click on %s: %d to %q, want 302 to %s", name, resp.StatusCode, resp.Header.Get("Location"), f.links[name].URL)
			}
		}
	}
	return f
}

// The Analytics pages show the clicks the redirect counted, by channel,
// variant, link and path, and export each table as CSV with formulas
// defused.
func TestAnalyticsPages(t *testing.T) {
	u := newUI(t)
	f := newClickFixture(t, u)
	c := u.browser(t)
	u.login(t, c, "writer", uiPassword)

	resp, page := u.get(t, c, "/items/"+f.item+"/analytics?days=7")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("item analytics: %d %s", resp.StatusCode, page)
	}
	for _, want := range []string{`<strong class="total">43</strong>`, `role="img"`, `<caption>Clicks per day by channel</caption>`,
		`<th scope="row">Email → portal</th><td>19</td>`, `<th scope="row">Email → catalog</th><td>1</td>`, `<th scope="row">Mastodon → portal</th><td>9</td>`,
		`<th scope="row">Portal share → other site</th><td>3</td>`, `<th scope="row">b</th><td>12</td>`,
		`<option value="7" selected>Last 7 days</option>`, `href="/items/` + f.item + `/analytics.csv?table=links&amp;days=7"`} {
		if !strings.Contains(page, want) {
			t.Errorf("item analytics lacks %s", want)
		}
	}
	_, brand := u.get(t, c, "/analytics/kestrel?days=90")
	if !strings.Contains(brand, `<strong class="total">43</strong>`) || !strings.Contains(brand, `<option value="90" selected>`) {
		t.Error("the brand's analytics do not show its 43 clicks over 90 days")
	}
	if resp, _ := u.get(t, c, "/analytics"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/analytics/kestrel" {
		t.Errorf("/analytics: %d to %q, want the first brand's page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, inbox := u.get(t, c, "/"); !strings.Contains(inbox, `<a href="/analytics">Analytics</a>`) {
		t.Error("the top bar has no Analytics link")
	}

	resp, body := u.get(t, c, "/items/"+f.item+"/analytics.csv?table=links&days=30")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "waxing-a-canvas-pack-links-30d.csv") {
		t.Fatalf("links CSV: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(fixtureClicks) || strings.Join(rows[0], ",") != "channel,variant,item,url,clicks" {
		t.Fatalf("links CSV rows %q", rows)
	}
	if got := rows[1]; got[0] != "Email" || got[1] != "b" || got[4] != "12" {
		t.Errorf("most clicked link %q, want email b with 12", got)
	}
	defused := false
	for _, r := range rows {
		if strings.HasPrefix(r[1], "=") {
			t.Errorf("CSV cell %q starts with =: a spreadsheet would run it", r[1])
		}
		defused = defused || r[1] == `'=HYPERLINK("x")`
	}
	if !defused {
		t.Error("the formula variant is not in the CSV with a leading '")
	}
	_, body = u.get(t, c, "/analytics/kestrel/export.csv?table=channels&days=7")
	rows, err = csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 8 || rows[0][0] != "date" || len(rows[0]) != 7 {
		t.Fatalf("channels CSV: %v %q", err, rows)
	}
	if resp, _ := u.get(t, c, "/analytics/kestrel/export.csv?table=secrets"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown table: %d, want 422", resp.StatusCode)
	}
	if resp, _ := u.get(t, c, "/analytics/nosuchbrand"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown brand: %d, want 404", resp.StatusCode)
	}
	anon := u.browser(t)
	if resp, _ := u.get(t, anon, "/analytics/kestrel"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", resp.StatusCode)
	}
}
