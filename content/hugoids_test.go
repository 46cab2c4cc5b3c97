package content

import (
	"flag"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/safefs"
	"github.com/yuin/goldmark/ast"
)

// hugoIDs, when set, rewrites testdata/sites/hugo-ids.txt from what the
// hugo binary on PATH gives for the fixture site: the file is Hugo's
// word, so -update (which writes crosscast's) does not touch it.
var hugoIDsFlag = flag.Bool("hugo-ids", false, "rewrite testdata/sites/hugo-ids.txt from the hugo binary on PATH")

const hugoIDsFile = "testdata/sites/hugo-ids.txt"

// TestHugoHeadingIDs checks that every heading of the Hugo fixture gets
// the id Hugo itself gave it, one line per heading: "file id".
func TestHugoHeadingIDs(t *testing.T) {
	dir, err := safefs.OpenDir(siteFixture(CompatHugo))
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	site, err := WalkSite(dir, SiteOptions{Compat: CompatHugo, Now: time.Now(), DefaultLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if *hugoIDsFlag {
		writeHugoIDs(t, site)
	}
	want, err := os.ReadFile(hugoIDsFile)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := map[string][]string{}
	for _, l := range strings.Split(string(want), "\n") {
		if file, id, ok := strings.Cut(l, " "); ok && !strings.HasPrefix(l, "#") {
			wantIDs[file] = append(wantIDs[file], id)
		}
	}
	checked := 0
	for _, p := range site.Render() {
		w, ok := wantIDs[p.File]
		if !ok {
			continue
		}
		it, err := Parse(dir, p.File, ParseOptions{Compat: CompatHugo, DefaultLang: "en", Root: dir, Slug: p.Slug, ResolveLink: site.Resolver(p)})
		if err != nil {
			t.Errorf("%s: %v", p.File, err)
			continue
		}
		got := docHeadingIDs(it.Doc)
		for i := range max(len(got), len(w)) {
			g, wi := atOr(got, i), atOr(w, i)
			if g != wi {
				t.Errorf("%s heading %d: id %q, Hugo gives %q", p.File, i+1, g, wi)
			}
		}
		checked += len(w)
	}
	if checked == 0 {
		t.Fatalf("no heading of %s checked", hugoIDsFile)
	}
}

func atOr(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

func docHeadingIDs(doc ast.Node) []string {
	var ids []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			id, _ := h.AttributeString("id")
			b, _ := id.([]byte)
			ids = append(ids, string(b))
		}
		return ast.WalkContinue, nil
	})
	return ids
}

var hugoHeadingID = regexp.MustCompile(`<h[1-6] id="([^"]*)"`)

// writeHugoIDs builds the fixture with hugo and writes the ids of every
// heading of each page crosscast renders, in page order.
func writeHugoIDs(t *testing.T, site *Site) {
	t.Helper()
	ver, err := exec.Command("hugo", "version").Output()
	if err != nil {
		t.Fatalf("hugo version: %v", err)
	}
	out := t.TempDir()
	// The fixture has a deliberately broken ref, which fails the build
	// after the pages are written; the pages are what count here.
	cmd := exec.Command("hugo", "--quiet", "-s", filepath.Dir(siteFixture(CompatHugo)), "-d", out)
	msg, err := cmd.CombinedOutput()
	t.Logf("hugo: %v\n%s", err, msg)
	var b strings.Builder
	fmt.Fprintf(&b, "# Heading ids %s gives the fixture site (go test -run TestHugoHeadingIDs -hugo-ids rewrites this).\n", strings.TrimSpace(string(ver)))
	for _, p := range site.Render() {
		page, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p.SiteURL), "index.html"))
		if err != nil {
			fmt.Fprintf(&b, "# %s: hugo wrote no page at %s\n", p.File, p.SiteURL)
			continue
		}
		for _, m := range hugoHeadingID.FindAllSubmatch(page, -1) {
			fmt.Fprintf(&b, "%s %s\n", p.File, html.UnescapeString(string(m[1])))
		}
	}
	if err := os.WriteFile(hugoIDsFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
