package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

func postForm(t *testing.T, u string, v url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// As a browser posting from the brand's own site would.
	req.Header.Set("Origin", "https://kestrel.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The sign-up answers the same for a new, a pending, an active and an
// unsubscribed address, so nobody learns who is on the list; a filled
// honeypot is answered the same and does nothing.
func TestSignUpSameAnswer(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	ctx := context.Background()
	if code, out := a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json", []byte(`{"address":"active@example.net","basis":"signed up at the shop"}`)); code != http.StatusCreated {
		t.Fatalf("add: %d %v", code, out)
	}
	code, out := a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json", []byte(`{"address":"gone@example.net","basis":"signed up at the shop"}`))
	if code != http.StatusCreated {
		t.Fatalf("add: %d %v", code, out)
	}
	postForm(t, a.url+out["unsubscribe"].(string), url.Values{"List-Unsubscribe": {"One-Click"}})
	// The API says a basis does not bring an unsubscribed address back.
	if code, out := a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json", []byte(`{"address":"gone@example.net","basis":"again"}`)); code != http.StatusConflict {
		t.Errorf("re-add with a basis: %d %v", code, out)
	}
	var answers []string
	for _, addr := range []string{"new@example.net", "new@example.net", "active@example.net", "gone@example.net"} {
		code, page := postForm(t, a.url+"/s/kestrel", url.Values{"address": {addr}, "lang": {"en"}})
		if code != http.StatusAccepted {
			t.Fatalf("%s: %d\n%s", addr, code, page)
		}
		answers = append(answers, strings.ReplaceAll(page, addr, "ADDR"))
	}
	for i, p := range answers[1:] {
		if p != answers[0] {
			t.Errorf("answer %d differs from the first:\n%s\n---\n%s", i+1, p, answers[0])
		}
	}
	if sb, err := a.DB.Subscriber(ctx, "kestrel", "new@example.net"); err != nil || sb.Status != store.SubPending {
		t.Errorf("new: %+v, %v", sb, err)
	}
	if sb, _ := a.DB.Subscriber(ctx, "kestrel", "gone@example.net"); sb.Status != store.SubUnsubscribed {
		t.Errorf("a sign-up resubscribed an unsubscribed address: %+v", sb)
	}
	code, page := postForm(t, a.url+"/s/kestrel", url.Values{"address": {"bot@example.net"}, "website": {"http://spam.example"}})
	if code != http.StatusAccepted || strings.ReplaceAll(page, "bot@example.net", "ADDR") != answers[0] {
		t.Errorf("honeypot: %d\n%s", code, page)
	}
	if _, err := a.DB.Subscriber(ctx, "kestrel", "bot@example.net"); err == nil {
		t.Error("a filled honeypot signed up")
	}
}

func TestSignUpRefusals(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	// JSON, for a site's own script.
	code, out := a.do(t, "POST", "/s/kestrel", "", "application/json", []byte(`{"address":"Json@Example.net","topics":[]}`))
	if code != http.StatusAccepted || out["title"] == "" {
		t.Errorf("JSON: %d %v", code, out)
	}
	for _, v := range []url.Values{
		{"address": {"Ann <ann@example.net>"}},
		{"address": {"ann@example.net, bob@example.net"}},
		{"address": {""}},
	} {
		if code, page := postForm(t, a.url+"/s/kestrel", v); code != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d\n%s", v, code, page)
		}
	}
	if code, _ := postForm(t, a.url+"/s/kestrel", url.Values{"address": {"ann@example.net"}, "topics": {"nonsense"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("unknown topic: %d", code)
	}
	if code, _ := postForm(t, a.url+"/s/nobrand", url.Values{"address": {"ann@example.net"}}); code != http.StatusNotFound {
		t.Errorf("unknown brand: %d", code)
	}
}

// Past a few sign-ups a client is told to wait.
func TestSignUpRateLimit(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	limited := 0
	for i := range 8 {
		code, _ := postForm(t, a.url+"/s/kestrel", url.Values{"address": {strings.Repeat("x", i+1) + "@example.net"}})
		if code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 3 {
		t.Errorf("%d of 8 quick sign-ups were refused, want 3", limited)
	}
}

// Only a link that is signed, unexpired and from the latest email
// confirms, and only by POST.
func TestConfirmLink(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	ctx := context.Background()
	if code, page := postForm(t, a.url+"/s/kestrel", url.Values{"address": {"cat@example.net"}, "lang": {"nl"}}); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, page)
	}
	sb, err := a.DB.Subscriber(ctx, "kestrel", "cat@example.net")
	if err != nil {
		t.Fatal(err)
	}
	link, err := a.Service.ConfirmLink(ctx, "kestrel", sb.Token, sb.ConfirmSentAt)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := a.Service.ConfirmLink(ctx, "kestrel", sb.Token, sb.ConfirmSentAt.Add(-8*24*time.Hour))
	last := len(link) - 1
	flip := "A"
	if link[last] == 'A' {
		flip = "B"
	}
	for name, l := range map[string]string{"tampered": link[:last] + flip, "expired": expired, "other brand": strings.Replace(link, "/s/kestrel/", "/s/other/", 1),
		"truncated": link[:len(link)-10]} {
		for _, m := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(m, a.url+l, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s link, %s: %d", name, m, resp.StatusCode)
			}
		}
	}
	resp, err := http.Get(a.url + link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<form method="post"`) || !strings.Contains(string(page), `lang="nl"`) {
		t.Errorf("GET: %d\n%s", resp.StatusCode, page)
	}
	if sb, _ := a.DB.Subscriber(ctx, "kestrel", "cat@example.net"); sb.Status != store.SubPending {
		t.Fatalf("GET confirmed: %+v", sb)
	}
	resp, err = http.Post(a.url+link, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if sb, _ := a.DB.Subscriber(ctx, "kestrel", "cat@example.net"); resp.StatusCode != 200 || sb.Status != store.SubActive {
		t.Fatalf("POST: %d %+v", resp.StatusCode, sb)
	}
	cs, _ := a.DB.Consents(ctx, "kestrel", "cat@example.net")
	if len(cs) != 2 || cs[1].Action != "confirm" || cs[1].ClientHash == "" || cs[0].Wording == "" {
		t.Errorf("consent log: %+v", cs)
	}
}

// The form's version goes into the consent record when it is a short
// line of text, and the default takes the place of anything else; an
// unknown logo name is 404.
func TestSignUpFormVersion(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	ctx := context.Background()
	for addr, form := range map[string]string{"one@example.net": "crosscast portal form v1", "two@example.net": "line\nbreak", "three@example.net": strings.Repeat("x", 65)} {
		if code, page := postForm(t, a.url+"/s/kestrel", url.Values{"address": {addr}, "lang": {"en"}, "form": {form}}); code != http.StatusAccepted {
			t.Fatalf("%s: %d\n%s", addr, code, page)
		}
		cs, err := a.DB.Consents(ctx, "kestrel", addr)
		if err != nil || len(cs) != 1 {
			t.Fatalf("%s: %+v, %v", addr, cs, err)
		}
		want := form
		if addr != "one@example.net" {
			want = app.FormVersion
		}
		if cs[0].Wording != want {
			t.Errorf("%s: recorded %q, want %q", addr, cs[0].Wording, want)
		}
	}
	resp, err := http.Get(a.url + app.NoticeLogoPath("kestrel") + "nope.png")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown logo: %d", resp.StatusCode)
	}
}
