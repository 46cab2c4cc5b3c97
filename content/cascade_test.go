package content

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestCascade: a section's cascade reaches the pages below it as Hugo
// hands it down: the page's own value wins, then the nearest section's;
// _target limits it by path glob, kind and language.
func TestCascade(t *testing.T) {
	fsys := fstest.MapFS{
		"_index.md":            {Data: []byte("---\ntitle: Home\ncascade:\n  description: From the top.\n  tags: [top]\n---\n")},
		"guides/_index.md":     {Data: []byte("---\ntitle: Guides\ncascade:\n  - tags: [guide]\n  - _target:\n      path: /guides/old/**\n    draft: true\n  - _target:\n      kind: section\n    description: Only sections.\n  - _target:\n      lang: nl\n    description: Alleen Nederlands.\n---\n")},
		"guides/new.md":        {Data: []byte("---\ntitle: New\n---\nBody.\n")},
		"guides/own.md":        {Data: []byte("---\ntitle: Own\ntags: [mine]\n---\nBody.\n")},
		"guides/new.nl.md":     {Data: []byte("---\ntitle: Nieuw\n---\nTekst.\n")},
		"guides/old/a/walk.md": {Data: []byte("---\ntitle: Walk\n---\nBody.\n")},
		"nl/_index.nl.md":      {Data: []byte("---\ntitle: NL\ncascade:\n  tags: [nl]\n---\n")},
		"nl/x.nl.md":           {Data: []byte("---\ntitle: X\n---\nTekst.\n")},
		"nl/y.md":              {Data: []byte("---\ntitle: Y\n---\nBody.\n")},
		"about.md":             {Data: []byte("+++\ntitle = \"About\"\n+++\nBody.\n")},
	}
	site, err := WalkSite(fsys, SiteOptions{Compat: CompatHugo, Now: time.Now(), DefaultLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range site.Pages {
		if p.Skip != "" {
			got[p.File] = "skipped: " + strings.SplitN(p.Skip, " (", 2)[0]
			continue
		}
		it, err := Parse(fsys, p.File, ParseOptions{Compat: CompatHugo, DefaultLang: "en", Root: fsys, Slug: p.Slug, Cascade: p.Cascade})
		if err != nil {
			t.Fatalf("%s: %v", p.File, err)
		}
		got[p.File] = strings.Join(it.Tags, ",") + " | " + it.Summary
	}
	want := map[string]string{
		"_index.md":            "skipped: a section page",
		"guides/_index.md":     "skipped: a section page",
		"guides/new.md":        "guide | From the top.",
		"guides/own.md":        "mine | From the top.",
		"guides/new.nl.md":     " | Tekst.", // no nl section: nothing cascades, _target lang nl or not
		"guides/old/a/walk.md": "skipped: a draft",
		"about.md":             "top | From the top.",
		"nl/_index.nl.md":      "skipped: a section page",
		"nl/x.nl.md":           "nl | Tekst.",
		"nl/y.md":              "top | From the top.",
	}
	for f, w := range want {
		if got[f] != w {
			t.Errorf("%s: %q, want %q", f, got[f], w)
		}
	}
}
