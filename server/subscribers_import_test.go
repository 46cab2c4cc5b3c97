package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/pipetest"
)

// Import over the API: a dry run with bad rows reports them by line and
// changes nothing; the clean file imports; the export lists it.
func TestSubscribersImportAPI(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	var b strings.Builder
	b.WriteString("address,language,topics,consent\n")
	for i := range 50 {
		switch {
		case i == 10:
			b.WriteString("no address,en,,\n")
		case i%2 == 0:
			fmt.Fprintf(&b, "r%02d@example.net,en,,shop customer\n", i)
		default:
			fmt.Fprintf(&b, "r%02d@example.net,,,\n", i)
		}
	}
	code, out := a.do(t, "POST", "/api/brands/kestrel/subscribers/import?dry_run=1", a.admin, "text/csv", []byte(b.String()))
	res, _ := out["result"].(map[string]any)
	if errs, _ := res["errors"].([]any); code != http.StatusUnprocessableEntity || len(errs) != 1 || errs[0].(map[string]any)["line"] != float64(12) {
		t.Fatalf("dry run: %d %v", code, out)
	}
	if code, _ := a.do(t, "POST", "/api/brands/kestrel/subscribers/import", a.writer, "text/csv", []byte(b.String())); code != http.StatusForbidden {
		t.Errorf("a writer imported: %d", code)
	}
	clean := strings.Replace(b.String(), "no address,en,,\n", "", 1)
	code, out = a.do(t, "POST", "/api/brands/kestrel/subscribers/import?dry_run=1", a.admin, "text/csv", []byte(clean))
	if res, _ := out["result"].(map[string]any); code != 200 || res["created"] != float64(49) || out["imported"] != false {
		t.Fatalf("clean dry run: %d %v", code, out)
	}
	code, out = a.do(t, "POST", "/api/brands/kestrel/subscribers/import", a.admin, "text/csv", []byte(clean))
	if res, _ := out["result"].(map[string]any); code != 200 || res["active"] != float64(24) || res["pending"] != float64(25) || out["imported"] != true {
		t.Fatalf("import: %d %v", code, out)
	}
	req, _ := http.NewRequest("GET", a.url+"/api/brands/kestrel/subscribers.csv", nil)
	req.Header.Set("Authorization", "Bearer "+a.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if resp.StatusCode != 200 || len(lines) != 50 || lines[0] != "address,language,topics,status,paused,created_at,confirmed_at" ||
		!strings.HasPrefix(lines[1], "r00@example.net,en,,active,no,") {
		t.Fatalf("export: %d %d lines\n%s", resp.StatusCode, len(lines), strings.Join(lines[:min(3, len(lines))], "\n"))
	}
}
