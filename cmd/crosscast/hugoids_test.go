package main

import (
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// checkNoRawShortcodes fails when any file written under out still holds
// a Hugo shortcode's or a Liquid tag's delimiters.
func checkNoRawShortcodes(t *testing.T, out string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".html", ".txt", ".md", ".json", ".xml":
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, d := range []string{"{{<", "{{%", ">}}", "%}}", "{%"} {
			if strings.Contains(string(b), d) {
				t.Errorf("%s holds a raw shortcode (%s)", p, d)
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walking %s: %v, %d files", out, err, n)
	}
}

var headingIDRE = regexp.MustCompile(`<h[1-6][^>]* id="([^"]*)"`)

// checkHugoIDs compares the heading ids of the portal pages written for
// the fixture's files (file → portal folder) with the ids Hugo gives them
// (content/testdata/sites/hugo-ids.txt, written from the hugo binary).
func checkHugoIDs(t *testing.T, out string, pages map[string]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sitesDir, "hugo-ids.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if file, id, ok := strings.Cut(l, " "); ok && !strings.HasPrefix(l, "#") {
			want[file] = append(want[file], id)
		}
	}
	for file, dir := range pages {
		page, err := os.ReadFile(filepath.Join(out, "kestrel", dir, "portal", "index.html"))
		if err != nil {
			t.Error(err)
			continue
		}
		var got []string
		for _, m := range headingIDRE.FindAllStringSubmatch(string(page), -1) {
			got = append(got, html.UnescapeString(m[1]))
		}
		// The portal's own headings (its title, its table of contents)
		// have ids of their own; the body's must all be there, in order.
		if !isSubsequence(want[file], got) || len(want[file]) == 0 {
			t.Errorf("%s: portal heading ids %q, Hugo gives %q", file, got, want[file])
		}
	}
}

func isSubsequence(sub, of []string) bool {
	i := 0
	for _, s := range of {
		if i < len(sub) && s == sub[i] {
			i++
		}
	}
	return i == len(sub) && !slices.Contains(sub, "")
}

// TestRenderHugoLangDirs renders a site whose languages have their own
// content folders (hugo.toml's contentDir), named by its content folder:
// the Dutch page goes under nl/, in Dutch, and the heading ids are Hugo's.
func TestRenderHugoLangDirs(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := run(t, "render", "--compat", "hugo", filepath.Join(sitesDir, "hugo-multi", "content"), "--brand", "../../examples/kestrel", "-o", out, "--channels", "portal", "-q")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	checkNoRawShortcodes(t, out)
	for dir, want := range map[string]string{"ridge-walk": `id="water-on-the-way"`, "nl/ridge-walk": `id="water-onderweg"`} {
		page, err := os.ReadFile(filepath.Join(out, "kestrel", filepath.FromSlash(dir), "portal", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(page), want) {
			t.Errorf("%s lacks %s", dir, want)
		}
		if dir == "nl/ridge-walk" && !strings.Contains(string(page), `lang="nl"`) {
			t.Errorf("%s is not in Dutch", dir)
		}
	}
}
