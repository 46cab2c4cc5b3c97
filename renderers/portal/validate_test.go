package portal

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/examples"
)

// writeExamples renders every example's portal page with its files into
// dir/<brand>/<slug>/ and returns the pages' paths relative to dir.
func writeExamples(t *testing.T, dir string) []string {
	t.Helper()
	r := newRenderer(t)
	var pages []string
	for _, ex := range examples.Load(t) {
		out := render(t, r, ex)
		for _, f := range out.Files {
			p := filepath.Join(dir, ex.Brand.ID, ex.Item.Slug, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		pages = append(pages, ex.Brand.ID+"/"+ex.Item.Slug+"/index.html")
	}
	return pages
}

// TestNuHTMLChecker runs every example page through the Nu HTML Checker
// and fails on any error.
func TestNuHTMLChecker(t *testing.T) {
	dir := t.TempDir()
	checkers.NuHTML(t, dir, writeExamples(t, dir))
}

// TestAxe fails on any serious or critical axe-core violation of an
// example page, in light and dark colour schemes.
func TestAxe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts headless Chromium; run without -short")
	}
	dir := t.TempDir()
	checkers.Axe(t, dir, writeExamples(t, dir))
}
