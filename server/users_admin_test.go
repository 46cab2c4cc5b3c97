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

// An admin disables a signed-in editor on the admin page: the editor's
// next request is sent to the login page, and signing in fails; the
// last admin cannot be deleted.
func TestAdminDisablesUser(t *testing.T) {
	u := newUI(t)
	admin, editor := u.browser(t), u.browser(t)
	u.login(t, admin, "admin", uiPassword)
	u.login(t, editor, "editor", uiPassword)
	if resp, _ := u.get(t, editor, "/"); resp.StatusCode != 200 {
		t.Fatalf("editor signed in: %d", resp.StatusCode)
	}
	if resp, body := u.get(t, admin, "/admin"); resp.StatusCode != 200 || !strings.Contains(body, `aria-label="Disable editor"`) {
		t.Fatalf("admin page: %d", resp.StatusCode)
	}
	if resp := u.post(t, admin, "/admin", url.Values{"action": {"disable"}, "name": {"editor"}}, "same-origin"); resp.StatusCode != 200 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := u.get(t, editor, "/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("a disabled editor's session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := u.login(t, u.browser(t), "editor", uiPassword); resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/" {
		t.Error("a disabled editor signed in")
	}
	if resp := u.post(t, admin, "/admin", url.Values{"action": {"delete"}, "name": {"admin"}, "confirm": {"yes"}}, "same-origin"); resp.StatusCode != http.StatusConflict {
		t.Errorf("deleting the last admin: %d", resp.StatusCode)
	}
	// The row's Delete button asks first, and deletes nothing.
	req, _ := http.NewRequest("POST", u.url+"/admin", strings.NewReader(url.Values{"action": {"delete"}, "name": {"editor"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := admin.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Delete the user editor?") || !strings.Contains(string(page), `name="confirm" value="yes"`) {
		t.Errorf("delete asks first: %d\n%s", resp.StatusCode, page)
	}
	if _, err := u.DB.UserByName(context.Background(), "editor"); err != nil {
		t.Errorf("the first Delete deleted: %v", err)
	}
	if resp := u.post(t, admin, "/admin", url.Values{"action": {"delete"}, "name": {"editor"}, "confirm": {"yes"}}, "same-origin"); resp.StatusCode != 200 {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if _, err := u.DB.UserByName(context.Background(), "editor"); err == nil {
		t.Error("deleted user still there")
	}
}

// Over the API: a revoked token is refused on its next request; the
// last admin cannot be disabled.
func TestRevokeTokenAPI(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	ctx := context.Background()
	secret, tok, err := a.DB.CreateToken(ctx, "ci", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := a.do(t, "GET", "/api/items", secret, "", nil); code != 200 {
		t.Fatalf("before revoking: %d", code)
	}
	if code, out := a.do(t, "DELETE", "/api/tokens/"+tok.ID, a.admin, "", nil); code != http.StatusNoContent {
		t.Fatalf("revoke: %d %v", code, out)
	}
	if code, _ := a.do(t, "GET", "/api/items", secret, "", nil); code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", code)
	}
	if code, _ := a.do(t, "DELETE", "/api/tokens/"+tok.ID, a.writer, "", nil); code != http.StatusForbidden {
		t.Errorf("a writer revoking: %d", code)
	}
	if _, _, err := a.DB.CreateUser(ctx, "boss", store.RoleAdmin, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if code, out := a.do(t, "PATCH", "/api/users/boss", a.admin, "application/json", []byte(`{"disabled":true}`)); code != http.StatusConflict {
		t.Errorf("disabling the last admin: %d %v", code, out)
	}
	if code, out := a.do(t, "GET", "/api/users", a.admin, "", nil); code != 200 || len(out["users"].([]any)) != 1 {
		t.Errorf("users: %d %v", code, out)
	}
}

// An admin sets an editor's email address on the admin page; the
// editor's "Send a test to me" then answers on the item page, and too
// many in a row are refused.
func TestSetEmailAndTestSendLimit(t *testing.T) {
	u := newUI(t)
	admin, editor := u.browser(t), u.browser(t)
	u.login(t, admin, "admin", uiPassword)
	u.login(t, editor, "editor", uiPassword)
	if resp := u.post(t, admin, "/admin", url.Values{"action": {"email"}, "name": {"editor"}, "email": {"Ed@Example.net"}}, "same-origin"); resp.StatusCode != 200 {
		t.Fatalf("set email: %d", resp.StatusCode)
	}
	if us, _ := u.DB.UserByName(context.Background(), "editor"); us.Email != "ed@example.net" {
		t.Fatalf("email %q", us.Email)
	}
	if resp := u.post(t, admin, "/admin", url.Values{"action": {"email"}, "name": {"editor"}, "email": {"not an address"}}, "same-origin"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad address: %d", resp.StatusCode)
	}
	limited := false
	for range 5 {
		resp := u.post(t, editor, "/items/nosuch/test-send", url.Values{"version": {"1"}}, "same-origin")
		if resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") != "" {
			_, body := u.get(t, editor, resp.Header.Get("Location"))
			limited = limited || strings.Contains(body, "too many test sends")
		}
	}
	if !limited {
		t.Error("five test sends in a row were not limited")
	}
	if resp := u.post(t, u.browser(t), "/items/nosuch/test-send", url.Values{"version": {"1"}}, "same-origin"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
}
