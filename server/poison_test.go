package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/store"
)

// A rendering given up because its runs kept killing the worker shows as
// failed, with the reason, in the inbox, on the item page and in the API.
func TestGivenUpRenderingShownToTheEditor(t *testing.T) {
	u := newUI(t) // no worker: the test records the renderings itself
	c := u.browser(t)
	u.login(t, c, "editor", uiPassword)
	ctx := context.Background()
	tok, _, err := u.DB.CreateToken(ctx, "w", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	if code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": smallPNG(640, 400)})); code != http.StatusAccepted {
		t.Fatalf("submit: %d %s", code, body)
	}
	id := "kestrel.en.waxing-a-canvas-pack"
	rs, _ := u.DB.Renderings(ctx, id, 1)
	for _, r := range rs {
		res := store.RenderResult{}
		if r.Channel == "email" {
			res = store.RenderResult{Err: store.DiedError, GivenUp: true}
		}
		if _, err := u.DB.FinishRendering(ctx, r.RenderKey, r.BrandHash, res, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, inbox := u.get(t, c, "/"); !strings.Contains(inbox, "badge st-failed") {
		t.Error("the inbox does not show the item failed")
	}
	if _, page := u.get(t, c, "/items/"+id); !strings.Contains(page, store.DiedError) {
		t.Errorf("the item page does not say why: %q missing", store.DiedError)
	}
	code, body := a.do(t, "GET", "/api/items/"+id, a.writer, "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /api/items/%s: %d", id, code)
	}
	found := false
	for _, x := range body["renderings"].([]any) {
		r := x.(map[string]any)
		found = found || (r["channel"] == "email" && r["status"] == store.StatusFailed && r["error"] == store.DiedError)
	}
	if !found {
		t.Errorf("the API does not show the email rendering failed with the reason: %v", body["renderings"])
	}
}
