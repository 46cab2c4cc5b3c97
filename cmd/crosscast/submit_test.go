package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// submit against a running API: a bundle and a lone file go in, --wait
// follows them to rendered, and a bad item comes back as file:line errors
// under its local path.
func TestSubmitCommand(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	e.ImportBrand(t, "kestrel")
	e.Start(t)
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service}))
	defer srv.Close()
	secret, _, err := e.DB.CreateToken(context.Background(), "cli", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envToken, secret)
	items := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items")

	code, out, errs := run(t, "submit", filepath.Join(items, "ridgeline-2-launch"), filepath.Join(items, "holiday-hours.md"), "--server", srv.URL, "--wait")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"kestrel.en.ridgeline-2 1 (new version)", "/api/items/kestrel.en.holiday-opening-hours", "portal   rendered"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Again: nothing changed, nothing new.
	if _, out, _ := run(t, "submit", filepath.Join(items, "holiday-hours.md"), "--server", srv.URL); !strings.Contains(out, "(unchanged)") {
		t.Errorf("resubmit: %s", out)
	}

	bad := filepath.Join("testdata", "bad", "unknown-field.md")
	code, _, errs = run(t, "submit", bad, "--server", srv.URL, "--brand", "kestrel")
	if code != exitError || !diagLine.MatchString(errs) || !strings.HasPrefix(errs, bad+":") {
		t.Fatalf("bad item: exit %d\n%s", code, errs)
	}

	t.Setenv(envToken, "")
	if code, _, errs := run(t, "submit", bad, "--server", srv.URL); code != exitUsage || !strings.Contains(errs, envToken) {
		t.Fatalf("no token: exit %d %s", code, errs)
	}
}

// A token the server does not know is reported as refused, not as
// missing.
func TestSubmitWrongToken(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service}))
	defer srv.Close()
	t.Setenv(envToken, "cc_not-a-token-this-server-made")
	item := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "holiday-hours.md")
	code, _, stderr := run(t, "submit", item, "--server", srv.URL)
	if code != exitError || !strings.Contains(stderr, "refused the API token in "+envToken) || strings.Contains(stderr, "send an API token") {
		t.Errorf("exit %d, stderr %q; want %d and the token refused", code, stderr, exitError)
	}
}

// submit walks a Hugo site as render does: the same pages go, each with
// the slug its site gives it and its links pointing at portal URLs, the
// failures are listed under their local paths, and the run exits 1.
func TestSubmitHugoSite(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	e.ImportBrand(t, "kestrel")
	e.Start(t)
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service}))
	defer srv.Close()
	secret, _, err := e.DB.CreateToken(context.Background(), "cli", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envToken, secret)
	site := filepath.Join(sitesDir, "hugo", "content")
	code, out, errs := run(t, "submit", "--compat", "hugo", site, "--server", srv.URL, "--brand", "kestrel")
	if code != exitError {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"kestrel.en.first-light 1", "kestrel.en.kit-list 1", "kestrel.en.old-post 1", "kestrel.en.terms 1", "kestrel.en.stone-cairn 1", "kestrel.nl.first-light 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		filepath.Join(site, "posts", "broken.md") + ":3:10: summary: must be text, not a list",
		filepath.Join(site, "news", "launch.md") + ":1:1: slug: the URL /launch/",
		filepath.Join(site, "posts", "draft-notes.md") + ": skipped: a draft",
		filepath.Join(site, "posts", "first-light", "index.md") + `:9:3: warning: link "missing-page" points at no page`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	// The include reached the headless bundle here; the server, which
	// has no site, gets the included text in its place.
	if strings.Contains(errs, "was not found") {
		t.Errorf("an include was not inlined:\n%s", errs)
	}
	terms, err := e.DB.Version(context.Background(), "kestrel.en.terms", 1)
	if err != nil || !strings.Contains(string(terms.Source), "Carry **two litres** per person.") {
		t.Errorf("stored terms lacks the included text (%v)", err)
	}
	v, err := e.DB.Version(context.Background(), "kestrel.en.first-light", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"](/kit-list/)", "](/old-post/)", "\nslug: first-light\n", "\ntags:\n    - trail\n---\n"} {
		if !strings.Contains(string(v.Source), want) {
			t.Errorf("stored source lacks %q:\n%s", want, v.Source)
		}
	}
	// A TOML header goes as YAML, on the same lines, with the slug added;
	// the posts section's cascade gives first-light (above) its tag.
	packing, err := e.DB.Version(context.Background(), "kestrel.en.packing", 1)
	if err != nil || !strings.HasPrefix(string(packing.Source), "---\ntitle:  \"Packing, in TOML\"\n") || !strings.Contains(string(packing.Source), "\nslug: packing\n---\nA page whose header is TOML.") {
		t.Errorf("stored packing (%v):\n%s", err, packing.Source)
	}
}
