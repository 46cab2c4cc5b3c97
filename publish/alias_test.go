package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
)

func TestAliasPages(t *testing.T) {
	b := &content.Brand{Lang: "en"}
	it := &content.Item{FrontMatter: content.FrontMatter{Slug: "new", Lang: "en",
		Aliases: []string{"/old/", "/2019/01/older", "/", "/feed.xml", "relative/", "/new/", "/a/../b/"}}}
	pages := aliasPages(it, b, "https://kestrel.example/new/")
	var names []string
	for _, p := range pages {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "/old/index.html /2019/01/older/index.html /b/index.html" {
		t.Fatalf("pages %s", got)
	}
	if !strings.Contains(string(pages[1].Data), `content="0; url=../../../new/"`) || !strings.Contains(string(pages[0].Data), `href="https://kestrel.example/new/"`) {
		t.Errorf("redirects:\n%s\n%s", pages[0].Data, pages[1].Data)
	}

	// Another item's page at an alias stays; a former page of the item
	// and a free path get the redirect; removing takes only redirects.
	s := &Site{Root: t.TempDir()}
	other := filepath.Join(s.Dir("k"), "b", "index.html")
	if err := s.Write("k", []File{{Name: "/b/index.html", Data: []byte("<!doctype html>another item")}, {Name: "/old/index.html", Data: []byte("the old page")}, {Name: "/old/email/images/a.jpg", Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.writeAliases("k", pages, []string{"/old/"}); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string { b, _ := os.ReadFile(filepath.Join(s.Dir("k"), p)); return string(b) }
	if !strings.HasPrefix(read("old/index.html"), aliasMark) || read("old/email/images/a.jpg") != "" || !strings.HasPrefix(read("2019/01/older/index.html"), aliasMark) {
		t.Error("redirects not written where they belong")
	}
	if got, _ := os.ReadFile(other); string(got) != "<!doctype html>another item" {
		t.Errorf("another item's page overwritten: %q", got)
	}
	if err := s.removeAliases("k", pages); err != nil {
		t.Fatal(err)
	}
	if read("old/index.html") != "" || read("b/index.html") == "" {
		t.Error("remove took the wrong pages")
	}
}

// FuzzAliasPages: any alias a writer writes gives a page inside the
// site, or none.
func FuzzAliasPages(f *testing.F) {
	for _, a := range []string{"/old/", "/../../etc/", "//x", "/a?b", "/ü/", ""} {
		f.Add(a)
	}
	s := &Site{Root: f.TempDir()}
	f.Fuzz(func(t *testing.T, alias string) {
		it := &content.Item{FrontMatter: content.FrontMatter{Slug: "new", Lang: "en", Aliases: []string{alias}}}
		for _, p := range aliasPages(it, &content.Brand{Lang: "en"}, "https://x.example/new/") {
			name, err := s.path("k", p.Name)
			if err != nil {
				continue // refused by the site, as it should be
			}
			if rel, err := filepath.Rel(s.Dir("k"), name); err != nil || rel == ".." || strings.HasPrefix(rel, "../") || rel == "index.html" {
				t.Fatalf("alias %q writes %s", alias, name)
			}
		}
	})
}
