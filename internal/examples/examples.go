// Package examples loads the bundled example brands and items for tests
// and benchmarks, so every channel is tested on the same inputs.
package examples

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/testenv"
)

// Example is one example item in its brand.
type Example struct {
	Brand *content.Brand
	Item  *content.Item
	Links *content.LinkPlan
	Path  string // relative to the repository root
}

// Name is "<brand>/<slug>", unique across the examples.
func (e Example) Name() string { return e.Brand.ID + "/" + e.Item.Slug }

// Load parses every example, failing the test on any error.
func Load(t testing.TB) []Example {
	t.Helper()
	root := testenv.RepoRoot(t)
	brandDirs, err := filepath.Glob(filepath.Join(root, "examples", "*", "brand.yaml"))
	if err != nil || len(brandDirs) == 0 {
		t.Fatalf("no example brands: %v", err)
	}
	var out []Example
	for _, by := range brandDirs {
		dir := filepath.Dir(by)
		b, err := content.LoadBrand(os.DirFS(dir), filepath.Base(dir), by)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range itemPaths(t, filepath.Join(dir, "items")) {
			rel, _ := filepath.Rel(root, p)
			it, err := content.Parse(os.DirFS(filepath.Dir(p)), filepath.Base(p), content.ParseOptions{Name: filepath.ToSlash(rel), DefaultLang: b.Lang, Compat: b.Compat})
			if err != nil {
				t.Fatal(err)
			}
			links := content.NewLinkPlan(it, b)
			// As the service sets it: the installation's sign-up handler.
			links.SignUp = PublicURL + "/s/" + b.ID
			out = append(out, Example{Brand: b, Item: it, Links: links, Path: filepath.ToSlash(rel)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// PublicURL stands for the installation's public server in the examples'
// link plans.
const PublicURL = "https://crosscast.example"

func itemPaths(t testing.TB, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if _, err := os.Stat(filepath.Join(p, "index.md")); err == nil {
				out = append(out, filepath.Join(p, "index.md"))
			}
		case strings.HasSuffix(e.Name(), ".md"):
			out = append(out, p)
		}
	}
	return out
}
