package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// A writer cannot make a new version of another writer's item by naming
// its id in the editor's extra front matter, nor of their own once it was
// published; their own unpublished item they change as before.
func TestEditorOwnership(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	ctx := context.Background()
	if _, _, err := u.DB.CreateUser(ctx, "other", store.RoleWriter, uiPassword); err != nil {
		t.Fatal(err)
	}
	writer, other, editor := u.browser(t), u.browser(t), u.browser(t)
	u.login(t, writer, "writer", uiPassword)
	u.login(t, other, "other", uiPassword)
	u.login(t, editor, "editor", uiPassword)
	const id = "kestrel.en.rain-shell"
	fields := map[string]string{"brand": "kestrel", "title": "Rain shell", "body": "Wash it first.\n"}
	if r, _ := u.postMultipart(t, writer, "/new", fields, "", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("writer's new item: %d", r.StatusCode)
	}
	versions := func() int {
		vs, err := u.DB.Versions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(vs)
	}

	// The id: trick on /new, and the other writer's edit page.
	takeover := map[string]string{"brand": "kestrel", "title": "Mine now", "extra": "id: rain-shell", "body": "Overwritten.\n"}
	if r, page := u.postMultipart(t, other, "/new", takeover, "", nil); r.StatusCode != http.StatusForbidden || !strings.Contains(page, "started by someone else") {
		t.Errorf("another writer's id: in extra front matter: %d", r.StatusCode)
	}
	if r, _ := u.postMultipart(t, other, "/items/"+id+"/edit", takeover, "", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("another writer posts the edit form: %d", r.StatusCode)
	}
	if n := versions(); n != 1 {
		t.Fatalf("another writer made versions: %d", n)
	}

	// The author resubmits through either form while unpublished.
	fields["body"] = "Wash it twice.\n"
	if r, _ := u.postMultipart(t, writer, "/items/"+id+"/edit", fields, "", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("author's edit: %d", r.StatusCode)
	}
	fields["extra"], fields["body"] = "id: rain-shell", "Wash it three times.\n"
	if r, _ := u.postMultipart(t, writer, "/new", fields, "", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("author's resubmission through /new: %d", r.StatusCode)
	}
	if n := versions(); n != 3 {
		t.Fatalf("the author's versions: %d, want 3", n)
	}

	// Published: the author is refused too, the editor is not.
	pipetest.WaitFor(t, 30*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })
	if r := u.post(t, editor, "/items/"+id+"/publish", url.Values{"when": {"now"}, "version": {"3"}}, "same-origin"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.StatusCode)
	}
	pipetest.WaitFor(t, 30*time.Second, "publishing", func() (bool, string) {
		p, err := u.DB.Publication(ctx, id, 3)
		if err != nil {
			return false, err.Error()
		}
		return p.Status != store.PubScheduled, p.Status
	})
	fields["body"] = "After publishing.\n"
	if r, page := u.postMultipart(t, writer, "/new", fields, "", nil); r.StatusCode != http.StatusForbidden || !strings.Contains(page, "has been published") {
		t.Errorf("author after publishing, /new: %d", r.StatusCode)
	}
	if r, _ := u.get(t, writer, "/items/"+id+"/edit"); r.StatusCode != http.StatusForbidden {
		t.Errorf("author's edit page after publishing: %d", r.StatusCode)
	}
	if n := versions(); n != 3 {
		t.Fatalf("versions after a refused edit: %d", n)
	}
	if r, _ := u.postMultipart(t, editor, "/items/"+id+"/edit", fields, "", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("editor after publishing: %d", r.StatusCode)
	}
}

// The JSON API (and so `crosscast submit`) applies the same rule: a
// writer token owns the items it starts.
func TestAPIOwnership(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	other, _, err := a.DB.CreateToken(context.Background(), "other-writer", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	item := func(body string) []byte {
		return submitJSON("---\ntitle: Tent care\nid: tent-care\n---\n"+body+"\n", nil)
	}
	if code, out := a.do(t, "POST", "/api/items", a.writer, "application/json", item("One.")); code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, out)
	}
	code, out := a.do(t, "POST", "/api/items", other, "application/json", item("Taken over."))
	if code != http.StatusForbidden || errCode(out) != "forbidden" {
		t.Errorf("another writer token: %d %v", code, out)
	}
	if code, out := a.do(t, "POST", "/api/items", a.writer, "application/json", item("Two.")); code != http.StatusAccepted || out["version"] != 2.0 {
		t.Errorf("the owner's second version: %d %v", code, out)
	}
	if code, out := a.do(t, "POST", "/api/items", a.admin, "application/json", item("Three.")); code != http.StatusAccepted || out["version"] != 3.0 {
		t.Errorf("an admin's version: %d %v", code, out)
	}
}
