package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
)

const sitesDir = "../../content/testdata/sites"

// TestRenderHugoSite walks the fixture Hugo site: the pages Hugo would
// publish are written, the rest are skipped with a note, the broken page
// and the two pages sharing a URL are listed with their positions, and
// the run exits 1 having written everything else.
func TestRenderHugoSite(t *testing.T) {
	site := filepath.Join(sitesDir, "hugo", "content")
	out := t.TempDir()
	code, stdout, stderr := run(t, "render", "--compat", "hugo", site, "--brand", "../../examples/kestrel", "-o", out, "--channels", "portal")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a page failed); stderr:\n%s", code, stderr)
	}
	wantWritten := []string{"first-light", "headings", "kit-list", "nl", "old-post", "packing", "stone-cairn", "terms"}
	if got := dirNames(t, filepath.Join(out, "kestrel")); !slices.Equal(got, wantWritten) {
		t.Errorf("written %v, want %v", got, wantWritten)
	}
	if !strings.Contains(stdout, "rendered 8 item(s)") {
		t.Errorf("stdout: %s", stdout)
	}
	p := func(f string) string { return filepath.Join(site, filepath.FromSlash(f)) }
	for _, want := range []string{
		p("posts/broken.md") + ":3:10: summary: must be text, not a list",
		p("news/launch.md") + ":1:1: slug: the URL /launch/ is also the URL of events/launch/index.md",
		p("events/launch/index.md") + ":1:1: slug: the URL /launch/ is also the URL of news/launch.md",
		p("posts/draft-notes.md") + ": skipped: a draft",
		p("posts/future.md") + ": skipped: published in the future",
		p("posts/expired.md") + ": skipped: expired",
		p("snippets/index.md") + ": skipped: a headless bundle",
		p("posts/_index.md") + ": skipped: a section page",
		p("posts/first-light/index.md") + `:9:3: warning: link "missing-page" points at no page of the site`,
		p("posts/kit-list.md") + `:3:1: warning: slug: "Kit_List" is not a crosscast slug`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "kestrel", "first-light", "portal", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="/kit-list/"`, `href="/old-post/"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("first-light's page lacks %s", want)
		}
	}
	// The bundle's Dutch translation goes beside it, as on the portal.
	if _, err := os.Stat(filepath.Join(out, "kestrel", "nl", "first-light", "portal", "index.html")); err != nil {
		t.Errorf("the translation is not written under nl/: %v", err)
	}
	// The headless bundle's page is included where the shortcode asks.
	terms, _ := os.ReadFile(filepath.Join(out, "kestrel", "terms", "portal", "index.html"))
	if !strings.Contains(string(terms), "two litres") || !strings.Contains(string(terms), `href="/stone-cairn/"`) {
		t.Errorf("terms page lacks the included note or the resolved link")
	}

	checkNoRawShortcodes(t, out)
	checkHugoIDs(t, out, map[string]string{"docs/headings.md": "headings", "docs/packing.md": "packing", "posts/Old_Post.md": "old-post"})

	// The flags let in what Hugo's -D, -F and -E let in.
	out2 := t.TempDir()
	run(t, "render", "--compat", "hugo", site, "--brand", "../../examples/kestrel", "-o", out2, "--channels", "portal", "--drafts", "--future", "--expired", "-q")
	got := dirNames(t, filepath.Join(out2, "kestrel"))
	for _, want := range []string{"draft-notes", "expired", "future"} {
		if !slices.Contains(got, want) {
			t.Errorf("with --drafts --future --expired, %s is not written (got %v)", want, got)
		}
	}
}

// TestRenderJekyllSite walks the fixture Jekyll site; every page renders,
// so the run exits 0.
func TestRenderJekyllSite(t *testing.T) {
	site := filepath.Join(sitesDir, "jekyll")
	out := t.TempDir()
	code, stdout, stderr := run(t, "render", "--compat", "jekyll", site, "--brand", "../../examples/kestrel", "-o", out, "--channels", "portal")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	want := []string{"about-us", "first-light", "guides", "trail-notes"}
	if got := dirNames(t, filepath.Join(out, "kestrel")); !slices.Equal(got, want) {
		t.Errorf("written %v, want %v; stdout %s", got, want, stdout)
	}
	for _, w := range []string{
		filepath.Join(site, "_drafts", "idea.md") + ": skipped: a draft in _drafts",
		filepath.Join(site, "_posts", "2999-01-01-later.md") + ": skipped: published in the future",
		filepath.Join(site, "_posts", "2024-07-01-hidden.md") + ": skipped: published: false",
		filepath.Join(site, "README.md") + ": skipped: no front matter",
		filepath.Join(site, "about.md") + `:7:1: warning: link "nope.html" points at no page of the site`,
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	notes, _ := os.ReadFile(filepath.Join(out, "kestrel", "trail-notes", "portal", "index.html"))
	if !strings.Contains(string(notes), `href="/about-us/"`) || !strings.Contains(string(notes), `href="/first-light/"`) {
		t.Errorf("trail-notes' links are not resolved")
	}
}

// TestRenderKeepsGoingOverRuns: a page that fails to render stays
// failed on the next run, and the run still writes every other page.
func TestRenderSiteSlugClashAcrossArgs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a/post.md", "b/post.md"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), []byte("---\ntitle: Post\n---\nHi.\n"), 0o644)
	}
	out := t.TempDir()
	code, _, stderr := run(t, "render", "--compat", "hugo", filepath.Join(dir, "a", "post.md"), filepath.Join(dir, "b", "post.md"), "--brand", "../../examples/kestrel", "-o", out, "-q")
	if code != 1 || !strings.Contains(stderr, `slug "post" is already used by `+filepath.Join(dir, "a", "post.md")) ||
		!strings.Contains(stderr, `slug "post" is used by `+filepath.Join(dir, "b", "post.md")+" too") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "kestrel", "post")); !os.IsNotExist(err) {
		t.Errorf("a clashing item was written: %v", err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// The fields submit adds to a page's front matter go above its closing
// ---, and the server's positions come back as the writer's lines.
func TestAddFields(t *testing.T) {
	src := []byte("---\ntitle: T\ndate: 2024-01-01\n---\nBody\n")
	got, n, at := addFields(src, []field{{"slug", "Old_Post"}, {"date", "2024-05-01"}})
	if want := "---\ntitle: T\ndate: 2024-01-01\nslug: Old_Post\n---\nBody\n"; string(got) != want || n != 1 || at != 4 {
		t.Fatalf("got %q (%d lines at %d), want %q", got, n, at, want)
	}
	p := prepared{added: n, addedAt: at}
	ds := []content.Diagnostic{{Line: 3, Col: 2}, {Line: 4, Col: 1}, {Line: 6, Col: 3}}
	p.lines(ds)
	if ds[0].Line != 3 || ds[1].Line != 1 || ds[2].Line != 5 {
		t.Errorf("lines mapped to %+v", ds)
	}
	if got, n, _ := addFields([]byte("no front matter\n"), []field{{"slug", "x"}}); n != 0 || string(got) != "no front matter\n" {
		t.Errorf("added to a file without front matter: %q", got)
	}
}

// A page named on its own is still a page of its site: its includes
// reach the headless bundle and its links the other pages, and a draft
// named so is rendered, since it was asked for.
func TestRenderPageOfSite(t *testing.T) {
	site := filepath.Join(sitesDir, "hugo", "content")
	out := t.TempDir()
	code, _, stderr := run(t, "render", "--compat", "hugo", filepath.Join(site, "docs", "terms.md"), filepath.Join(site, "posts", "draft-notes.md"),
		"--brand", "../../examples/kestrel", "-o", out, "--channels", "portal", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	terms, err := os.ReadFile(filepath.Join(out, "kestrel", "terms", "portal", "index.html"))
	if err != nil || !strings.Contains(string(terms), "two litres") || !strings.Contains(string(terms), `href="/stone-cairn/"`) {
		t.Errorf("terms page lacks the included note or the resolved link (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(out, "kestrel", "draft-notes")); err != nil {
		t.Errorf("the draft named on its own is not rendered: %v", err)
	}
}

// Positions in an included file's text go back to the include's line.
func TestPreparedLines(t *testing.T) {
	p := prepared{inserted: []content.Inserted{{Line: 5, Lines: 3}, {Line: 9, Lines: 2}}, added: 1, addedAt: 3}
	// Server lines: 3 is the added field; 6 is line 5 (the include);
	// 7 and 9 are in its text; 10 is line 6; 14 is in the second text;
	// 16 is line 10.
	ds := []content.Diagnostic{{Line: 2}, {Line: 3}, {Line: 6}, {Line: 7}, {Line: 9}, {Line: 10}, {Line: 14}, {Line: 16}}
	p.lines(ds)
	want := []int{2, 1, 5, 5, 5, 6, 9, 10}
	for i, d := range ds {
		if d.Line != want[i] {
			t.Errorf("diagnostic %d: line %d, want %d", i, d.Line, want[i])
		}
	}
}
