package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// The subscriber API: add with a basis, list, read with the consent
// log, change, unsubscribe, erase; only admins.
func TestSubscribersAPI(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	ctx := context.Background()
	code, out := a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json",
		[]byte(`{"address":"Ann@Example.net","lang":"nl","basis":"signed up at the shop 2025-04"}`))
	if code != http.StatusCreated || out["subscriber"].(map[string]any)["status"] != "active" {
		t.Fatalf("add: %d %v", code, out)
	}
	if code, out := a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json", []byte(`{"address":"Ann <ann@example.net>"}`)); code != http.StatusUnprocessableEntity {
		t.Errorf("a display name: %d %v", code, out)
	}
	a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json", []byte(`{"address":"bob@example.net"}`))
	code, out = a.do(t, "GET", "/api/brands/kestrel/subscribers?status=pending", a.admin, "", nil)
	if list, _ := out["subscribers"].([]any); code != 200 || len(list) != 1 || list[0].(map[string]any)["address"] != "bob@example.net" {
		t.Errorf("list pending: %d %v", code, out)
	}
	code, out = a.do(t, "GET", "/api/brands/kestrel/subscribers?limit=1", a.admin, "", nil)
	if code != 200 || out["next"] != "ann@example.net" {
		t.Errorf("first page: %d %v", code, out)
	}
	if code, _ := a.do(t, "GET", "/api/brands/kestrel/subscribers", a.writer, "", nil); code != http.StatusForbidden {
		t.Errorf("a writer listed subscribers: %d", code)
	}
	code, out = a.do(t, "PATCH", "/api/brands/kestrel/subscribers/ann@example.net", a.admin, "application/json", []byte(`{"lang":"de","paused":true}`))
	if sb := out["subscriber"].(map[string]any); code != 200 || sb["lang"] != "de" || sb["paused"] != true {
		t.Errorf("patch: %d %v", code, out)
	}
	if code, _ := a.do(t, "PATCH", "/api/brands/kestrel/subscribers/ann@example.net", a.admin, "application/json", []byte(`{"status":"active"}`)); code != http.StatusBadRequest {
		t.Errorf("patch to active: %d", code)
	}
	if code, _ := a.do(t, "PATCH", "/api/brands/kestrel/subscribers/ann@example.net", a.admin, "application/json", []byte(`{"status":"unsubscribed"}`)); code != 200 {
		t.Errorf("unsubscribe: %d", code)
	}
	code, out = a.do(t, "GET", "/api/brands/kestrel/subscribers/ann@example.net", a.admin, "", nil)
	if cs, _ := out["consents"].([]any); code != 200 || len(cs) != 3 {
		t.Errorf("get: %d %v", code, out)
	}
	if code, _ := a.do(t, "DELETE", "/api/brands/kestrel/subscribers/ann@example.net", a.admin, "", nil); code != http.StatusNoContent {
		t.Errorf("erase: %d", code)
	}
	if code, _ := a.do(t, "GET", "/api/brands/kestrel/subscribers/ann@example.net", a.admin, "", nil); code != http.StatusNotFound {
		t.Errorf("after erasure: %d", code)
	}
	code, out = a.do(t, "POST", "/api/brands/kestrel/subscribers", a.admin, "application/json", []byte(`{"address":"ann@example.net","basis":"again"}`))
	if code != http.StatusConflict {
		t.Errorf("re-add after erasure with a basis: %d %v", code, out)
	}
	if sb, _ := a.DB.Subscriber(ctx, "kestrel", "ann@example.net"); sb.Status != store.SubUnsubscribed {
		t.Errorf("re-added after erasure: %+v", sb)
	}
	if code, _ := a.do(t, "GET", "/api/brands/nobrand/subscribers", a.admin, "", nil); code != http.StatusNotFound {
		t.Errorf("unknown brand: %d", code)
	}
}
