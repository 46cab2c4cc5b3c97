package content

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/safefs"
	"github.com/yuin/goldmark/ast"
)

// TestWalkSite walks the fixture Hugo and Jekyll sites and parses every
// page they render with the site's slug and link resolver. The golden
// lists each page found (its slug, its URL in the generator and on the
// portal, or why it is skipped or fails), then each rendered page's
// warnings and the links of its body as they come out.
func TestWalkSite(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, compat := range []string{CompatHugo, CompatJekyll} {
		t.Run(compat, func(t *testing.T) {
			dir, err := safefs.OpenDir(siteFixture(compat))
			if err != nil {
				t.Fatal(err)
			}
			defer dir.Close()
			site, err := WalkSite(dir, SiteOptions{Compat: compat, Now: now, DefaultLang: "en"})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString("# pages\n")
			for _, p := range site.Pages {
				fmt.Fprintf(&b, "%s slug=%s site=%s portal=%s\n", p.File, p.Slug, p.SiteURL, p.Portal)
				switch {
				case p.Err != nil:
					fmt.Fprintf(&b, "  error: %s\n", p.Err)
				case p.Skip != "":
					fmt.Fprintf(&b, "  skipped: %s\n", p.Skip)
				}
			}
			for _, p := range site.Render() {
				fmt.Fprintf(&b, "\n# %s\n", p.File)
				lang := "en"
				if p.Lang != "" {
					lang = p.Lang
				}
				it, err := Parse(dir, p.File, ParseOptions{Compat: compat, DefaultLang: lang, Root: dir, Slug: p.Slug, Date: p.Date, ResolveLink: site.Resolver(p), Cascade: p.Cascade})
				if err != nil {
					fmt.Fprintf(&b, "error:\n%v\n", err)
					continue
				}
				fmt.Fprintf(&b, "slug %s lang %s\n", it.Slug, it.Lang)
				if !it.Date.IsZero() {
					fmt.Fprintf(&b, "date %s\n", it.Date.Format("2006-01-02"))
				}
				if len(it.Tags) > 0 {
					fmt.Fprintf(&b, "tags %s\n", strings.Join(it.Tags, ", "))
				}
				for _, w := range it.Warnings {
					fmt.Fprintf(&b, "warning %s\n", w)
				}
				_ = ast.Walk(it.Doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
					if l, ok := n.(*ast.Link); ok && entering {
						fmt.Fprintf(&b, "link %s\n", l.Destination)
					}
					return ast.WalkContinue, nil
				})
			}
			golden.Check(t, "sites/"+compat+".golden", []byte(b.String()))
		})
	}
}

// TestWalkSiteFlags renders what the default walk leaves out.
func TestWalkSiteFlags(t *testing.T) {
	dir, err := safefs.OpenDir(siteFixture(CompatHugo))
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	site, err := WalkSite(dir, SiteOptions{Compat: CompatHugo, Now: now, Drafts: true, Future: true, Expired: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range site.Render() {
		got[p.File] = true
	}
	for _, f := range []string{"posts/draft-notes.md", "posts/future.md", "posts/expired.md"} {
		if !got[f] {
			t.Errorf("%s is not rendered with --drafts --future --expired", f)
		}
	}
	for _, f := range []string{"posts/no-render.md", "snippets/index.md", "snippets/water.md", "posts/_index.md"} {
		if got[f] {
			t.Errorf("%s is rendered", f)
		}
	}
}

// FuzzPeekFrontMatter: reading a page's header for the walk never
// panics, whatever the file holds.
func FuzzPeekFrontMatter(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: x\ndraft: true\nbuild:\n  render: never\n---\n",
		"---\npublishDate: 2999-01-01\nexpirydate: 2001-01-01T10:00:00Z\n---\n",
		"---\na: &x [1]\nb: *x\n---\n",
		"---\n- 1\n---\n",
		"no header",
		"---\nheadless: true\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fm, _ := peekFrontMatter(src)
		_, _ = fmTime(fm, "date")
		_ = fmBool(fm, "draft")
		_ = fmString(fm, "slug")
		_ = fmLookup(fmMap(fm, "build"), "render")
	})
}

// siteFixture is the folder a site walk starts from: Hugo's content
// folder, Jekyll's site.
func siteFixture(compat string) string {
	if compat == CompatHugo {
		return "testdata/sites/hugo/content"
	}
	return "testdata/sites/jekyll"
}

// TestInlineIncludes: what submit sends in place of includes is the
// included file's text, on blocks of its own, and where it went.
func TestInlineIncludes(t *testing.T) {
	cases := []struct {
		compat, file, want string
		ins                []Inserted
	}{
		{CompatHugo, "docs/terms.md", "Why water matters:\n\n\n\nCarry **two litres** per person.\n\n\n", []Inserted{{Line: 9, Lines: 4}}},
		{CompatJekyll, "guides/index.md", "How to camp. \n\nCarry water.\n\n\n", []Inserted{{Line: 4, Lines: 4}}},
	}
	for _, tc := range cases {
		dir, err := safefs.OpenDir(siteFixture(tc.compat))
		if err != nil {
			t.Fatal(err)
		}
		src, err := fs.ReadFile(dir, tc.file)
		if err != nil {
			t.Fatal(err)
		}
		got, ins := InlineIncludes(src, dir, tc.file, ParseOptions{Compat: tc.compat, Root: dir})
		dir.Close()
		if !strings.HasSuffix(string(got), tc.want) || !slices.Equal(ins, tc.ins) {
			t.Errorf("%s: got %q, %v; want it to end %q, %v", tc.file, got, ins, tc.want, tc.ins)
		}
	}
}

// FuzzInlineIncludes: inlining never panics, keeps valid UTF-8 valid
// and reports insertions inside the result.
func FuzzInlineIncludes(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: x\n---\n{{< include \"a.md\" >}}\n",
		"---\ntitle: x\n---\n{% include a.md x=\"1\" %}{% include_relative a.md %}\n",
		"---\ntitle: x\n---\n{{< readfile file=\"../a.md\" >}}{{</* include \"a.md\" */>}}\n",
	} {
		f.Add([]byte(s), CompatHugo)
		f.Add([]byte(s), CompatJekyll)
	}
	files := fstest.MapFS{"a.md": {Data: []byte("---\ntitle: a\n---\nA {{ include.x }}\n\nB\n")}, "_includes/a.md": {Data: []byte("I\n")}}
	f.Fuzz(func(t *testing.T, src []byte, compat string) {
		out, ins := InlineIncludes(src, files, "f.md", ParseOptions{Compat: compat, Root: files})
		if utf8.Valid(src) && !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of valid: %q", out)
		}
		lines := bytes.Count(out, []byte("\n")) + 1
		for _, in := range ins {
			if in.Line < 1 || in.Lines < 1 || in.Line+in.Lines > lines {
				t.Fatalf("insertion %+v outside the %d lines of %q", in, lines, out)
			}
		}
	})
}
