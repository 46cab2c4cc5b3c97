package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// RFC 8058: the POST unsubscribes at once and answers 200; GET shows a
// confirmation button and unsubscribes nobody.
func TestOneClickUnsubscribe(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	ctx := context.Background()
	code, out := a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json", []byte(`{"address":"Ann@Example.net"}`))
	if code != http.StatusCreated {
		t.Fatalf("add subscriber: %d %v", code, out)
	}
	path := out["unsubscribe"].(string)
	if code, _ := a.do(t, "POST", "/api/brands/kestrel/subscribers", a.writer, "application/json", []byte(`{"address":"x@example.net"}`)); code != http.StatusForbidden {
		t.Errorf("a writer added a subscriber: %d", code)
	}

	resp, err := http.Get(a.url + path)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<form method="post"`) || !strings.Contains(string(page), "ann@example.net") {
		t.Errorf("GET %s: %d\n%s", path, resp.StatusCode, page)
	}
	if sup, _ := a.DB.Suppressed(ctx, "kestrel", "ann@example.net"); sup {
		t.Fatal("GET unsubscribed")
	}
	resp, err = http.Post(a.url+path, "application/x-www-form-urlencoded", strings.NewReader(url.Values{"List-Unsubscribe": {"One-Click"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("one-click POST: %d", resp.StatusCode)
	}
	if sup, _ := a.DB.Suppressed(ctx, "kestrel", "ann@example.net"); !sup {
		t.Error("one-click POST did not suppress the address")
	}
	resp, _ = http.Post(a.url+"/u/not-a-token", "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown token: %d", resp.StatusCode)
	}
}

// /r/{code} redirects with 302 and counts the click by channel; the
// clicks API reports it.
func TestClickRedirect(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	ctx := context.Background()
	code, out := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON("---\ntitle: Clicks\n---\nBody.\n", nil))
	if code != http.StatusAccepted && code != http.StatusCreated {
		t.Fatalf("submit: %d %v", code, out)
	}
	id := out["id"].(string)
	target := "https://kestrel.example/clicks/?utm_source=newsletter"
	c := store.LinkCode(id, 1, "email", "", target)
	if err := a.DB.PutLinks(ctx, []store.Link{{Code: c, ItemID: id, Version: 1, Channel: "email", URL: target}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		resp, err := noRedirect.Get(a.url + "/r/" + c)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != target {
			t.Fatalf("redirect: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ := noRedirect.Get(a.url + "/r/nope")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown code: %d", resp.StatusCode)
	}
	code, out = a.do(t, "GET", "/api/items/"+id+"/clicks", a.writer, "", nil)
	if code != 200 || out["total"].(float64) != 2 || out["by_channel"].(map[string]any)["email"].(float64) != 2 {
		t.Errorf("clicks: %d %v", code, out)
	}
}

// Only editors publish; publishing an unrendered version is a conflict.
func TestPublishNeedsAnEditor(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	code, out := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON("---\ntitle: Roles\n---\nBody.\n", nil))
	if code != http.StatusAccepted && code != http.StatusCreated {
		t.Fatalf("submit: %d %v", code, out)
	}
	id := out["id"].(string)
	if code, _ := a.do(t, "POST", "/api/items/"+id+"/publish", a.writer, "application/json", []byte(`{}`)); code != http.StatusForbidden {
		t.Errorf("a writer published: %d", code)
	}
	// No worker runs here, so the version is still queued.
	code, out = a.do(t, "POST", "/api/items/"+id+"/publish", a.admin, "application/json", []byte(`{}`))
	if code != http.StatusConflict {
		t.Errorf("publishing an unrendered version: %d %v", code, out)
	}
	if code, _ := a.do(t, "GET", "/api/items/"+id+"/deliveries", a.writer, "", nil); code != 200 {
		t.Errorf("deliveries: %d", code)
	}
}
