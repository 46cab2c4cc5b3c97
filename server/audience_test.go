package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// The item page and the API say how many readers the email reaches
// before it is published.
func TestItemAudience(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	c := u.browser(t)
	u.login(t, c, "editor", uiPassword)
	ctx := context.Background()
	tok, _, err := u.DB.CreateToken(ctx, "w", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"ann@example.net", "bob@example.net"} {
		if _, err := u.DB.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: addr, Lang: "en", Confirmed: true,
			Consent: store.Consent{Source: store.ConsentAPI, Wording: "test basis"}}); err != nil {
			t.Fatal(err)
		}
	}
	paused := true
	if _, err := u.DB.UpdateSubscriber(ctx, "kestrel", "bob@example.net", store.Preferences{Paused: &paused}, store.Consent{Source: store.ConsentAPI}); err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": smallPNG(640, 400)}))
	if code != http.StatusAccepted {
		t.Fatalf("submit: %d %s", code, body)
	}
	id := "kestrel.en.waxing-a-canvas-pack"
	pipetest.WaitFor(t, 20*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })

	code, body = a.do(t, "GET", "/api/items/"+id+"/audience", a.writer, "", nil)
	if code != http.StatusOK || body["lang"] != "en" || body["reached"] != 1.0 || body["paused"] != 1.0 {
		t.Errorf("GET audience: %d %v", code, body)
	}
	if code, _ := a.do(t, "GET", "/api/items/"+id+"/audience?version=9", a.writer, "", nil); code != http.StatusBadRequest {
		t.Errorf("GET audience of a version that does not exist: %d", code)
	}
	_, page := u.get(t, c, "/items/"+id)
	if !strings.Contains(page, "Email audience") {
		t.Error("the item page has no audience block")
	}
}
