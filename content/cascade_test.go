package content

import (
	"errors"
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

// TestHugoLangDirs walks a site whose languages each have a content
// folder (hugo.toml's languages.<lang>.contentDir): each page is in its
// folder's language, at the URL Hugo gives it within that folder, and a
// section's cascade stays in its language (as hugo 0.111.3 builds the
// hugo-multi fixture).
func TestHugoLangDirs(t *testing.T) {
	dirs, err := HugoLangDirs([]byte("[languages.en]\ncontentDir = \"content/en\"\n[languages.nl]\ncontentDir = \"content/nl\"\nweight = 2\n"), ".toml")
	if err != nil || len(dirs) != 2 || dirs["content/nl"] != "nl" {
		t.Fatalf("dirs %v, %v", dirs, err)
	}
	if _, err := HugoLangDirs([]byte("languages: [\n"), ".yaml"); err == nil {
		t.Error("a broken YAML config is not an error")
	}
	fsys := fstest.MapFS{
		"content/en/posts/_index.md":     {Data: []byte("---\ntitle: Posts\ncascade:\n  tags: [trail]\n---\n")},
		"content/en/posts/ridge-walk.md": {Data: []byte("---\ntitle: Ridge walk\n---\nAlong.\n")},
		"content/nl/posts/ridge-walk.md": {Data: []byte("+++\ntitle = \"Kamwandeling\"\n+++\nLangs.\n")},
	}
	site, err := WalkSite(fsys, SiteOptions{Compat: CompatHugo, Now: time.Now(), DefaultLang: "en", LangDirs: dirs})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range site.Render() {
		it, err := Parse(fsys, p.File, ParseOptions{Compat: CompatHugo, DefaultLang: cmpLang(p.Lang), Slug: p.Slug, Cascade: p.Cascade})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.File+" "+p.SiteURL+" "+p.Portal+" "+it.Lang+" "+strings.Join(it.Tags, ","))
	}
	want := []string{
		"content/en/posts/ridge-walk.md /posts/ridge-walk/ /ridge-walk/ en trail",
		"content/nl/posts/ridge-walk.md /posts/ridge-walk/ /nl/ridge-walk/ nl ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func cmpLang(l string) string {
	if l == "" {
		return "en"
	}
	return l
}

// FuzzHugoLangDirs feeds Hugo configs to HugoLangDirs: no panic, and
// every folder it returns is clean and has a language.
func FuzzHugoLangDirs(f *testing.F) {
	f.Add([]byte("[languages.en]\ncontentDir = \"content/en\"\n"), true)
	f.Add([]byte("languages:\n  nl:\n    contentDir: content/nl\n"), false)
	f.Add([]byte("languages: &a\n  x: *a\n"), false)
	f.Fuzz(func(t *testing.T, src []byte, isTOML bool) {
		ext := ".yaml"
		if isTOML {
			ext = ".toml"
		}
		dirs, err := HugoLangDirs(src, ext)
		if err != nil {
			return
		}
		for d, l := range dirs {
			if d == "" || l == "" {
				t.Fatalf("folder %q language %q", d, l)
			}
		}
	})
}

// FuzzCascade walks a site whose section front matter is the input: no
// panic, and every page either renders or says why not.
func FuzzCascade(f *testing.F) {
	f.Add([]byte("---\ntitle: S\ncascade:\n  - tags: [a]\n  - _target:\n      path: /s/**\n      kind: page\n    draft: true\n---\n"))
	f.Add([]byte("+++\ntitle = \"S\"\n[[cascade]]\ndescription = \"d\"\n[cascade._target]\npath = \"/s/[a-\"\n+++\n"))
	f.Add([]byte("---\ncascade: [1, {build: {render: never}}]\n---\n"))
	f.Fuzz(func(t *testing.T, index []byte) {
		fsys := fstest.MapFS{
			"s/_index.md": {Data: index},
			"s/p.md":      {Data: []byte("---\ntitle: P\n---\nBody.\n")},
			"s/q/r.md":    {Data: []byte("+++\ntitle = \"R\"\n+++\nBody.\n")},
		}
		site, err := WalkSite(fsys, SiteOptions{Compat: CompatHugo, Now: time.Now(), DefaultLang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range site.Render() {
			if _, err := Parse(fsys, p.File, ParseOptions{Compat: CompatHugo, DefaultLang: "en", Slug: p.Slug, Cascade: p.Cascade}); err != nil {
				var errs Errors
				if !errors.As(err, &errs) {
					t.Fatalf("%s: %v (%T)", p.File, err, err)
				}
			}
		}
	})
}
