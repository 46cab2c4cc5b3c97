package server_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/store"
)

// uploadCSV posts the Subscribers page's import form.
func (u *ui) uploadCSV(t *testing.T, c *http.Client, csv string, dry bool) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("action", "import")
	if dry {
		mw.WriteField("dry_run", "1")
	}
	fw, _ := mw.CreateFormFile("csv", "list.csv")
	fw.Write([]byte(csv))
	mw.Close()
	req, _ := http.NewRequest("POST", u.url+"/subscribers/kestrel", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp, b.String()
}

// The Subscribers page: editors see counts, search and history; only
// admins import, add, export and erase.
func TestSubscribersPage(t *testing.T) {
	u := newUI(t)
	admin, editor := u.browser(t), u.browser(t)
	u.login(t, admin, "admin", uiPassword)
	u.login(t, editor, "editor", uiPassword)
	csv := "address,language,topics,consent\nann@example.net,en,,met at the fair\nbob@example.net,en,,\nnot-an-address,en,,\n"
	resp, body := u.uploadCSV(t, admin, csv, true)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Import refused") || !strings.Contains(body, "<td>4</td>") {
		t.Fatalf("dry run with a bad row: %d\n%s", resp.StatusCode, body)
	}
	csv = strings.Replace(csv, "not-an-address,en,,\n", "", 1)
	if resp, body := u.uploadCSV(t, admin, csv, true); resp.StatusCode != 200 || !strings.Contains(body, "Dry run: nothing was changed") {
		t.Fatalf("clean dry run: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := u.uploadCSV(t, admin, csv, false); resp.StatusCode != 200 || !strings.Contains(body, "2 new") {
		t.Fatalf("import: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := u.uploadCSV(t, editor, csv, false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an editor imported: %d", resp.StatusCode)
	}
	resp, body = u.get(t, editor, "/subscribers/kestrel?q=ann")
	if resp.StatusCode != 200 || !strings.Contains(body, "ann@example.net") || strings.Contains(body, "bob@example.net") || strings.Contains(body, "Import a CSV") {
		t.Fatalf("an editor's search: %d\n%s", resp.StatusCode, body)
	}
	resp, body = u.get(t, editor, "/subscribers/kestrel?address=ann@example.net")
	if resp.StatusCode != 200 || !strings.Contains(body, "met at the fair (stated by user:admin in an import)") {
		t.Fatalf("history: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := u.get(t, admin, "/subscribers/kestrel/export.csv"); resp.StatusCode != 200 || strings.Count(body, "\n") != 3 {
		t.Errorf("export: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := u.get(t, editor, "/subscribers/kestrel/export.csv"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an editor exported: %d", resp.StatusCode)
	}
	if resp := u.post(t, admin, "/subscribers/kestrel", url.Values{"action": {"erase"}, "address": {"ann@example.net"}, "confirm": {"yes"}}, "same-origin"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", resp.StatusCode)
	}
	if _, err := u.DB.Subscriber(context.Background(), "kestrel", "ann@example.net"); err == nil {
		t.Error("erased subscriber still there")
	}
	if resp := u.post(t, admin, "/subscribers/kestrel", url.Values{"action": {"add"}, "address": {"cy@example.net"}, "basis": {"asked at the desk"}}, "same-origin"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	if sb, err := u.DB.Subscriber(context.Background(), "kestrel", "cy@example.net"); err != nil || sb.Status != store.SubActive {
		t.Errorf("added: %+v, %v", sb, err)
	}
}
