package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/examples"
)

// writePages writes what a browser shows of the catalog: each brand's
// index and tag pages, each item's print page, and each card inside a
// minimal host page (a card is a fragment meant for other pages). Image
// URLs point at the written files.
func writePages(t *testing.T, dir string) []string {
	t.Helper()
	r := newRenderer(t)
	var pages []string
	write := func(name string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ex := range examples.Load(t) {
		_, files := render(t, r, ex)
		base := filepath.ToSlash(filepath.Join(ex.Brand.ID, "items", ex.Item.Lang, ex.Item.Slug))
		for name, data := range files {
			write(base+"/"+name, data)
		}
		card := strings.ReplaceAll(string(files["card.html"]), AssetBase(ex.Item, ex.Brand), "./")
		write(base+"/card-host.html", []byte(`<!doctype html><html lang="`+ex.Brand.Lang+`"><head><meta charset="utf-8"><title>Card</title></head><body><main>`+card+`</main></body></html>`))
		pages = append(pages, base+"/card-host.html", base+"/print.html")
	}
	brands, entries := brandEntries(t, r)
	for id, b := range brands {
		for name, data := range renderIndex(t, r, b, entries[id]) {
			if strings.HasSuffix(name, ".html") {
				write(id+"/site/"+name, data)
				pages = append(pages, id+"/site/"+name)
			}
		}
	}
	return pages
}

func TestNuHTMLChecker(t *testing.T) {
	dir := t.TempDir()
	checkers.NuHTML(t, dir, writePages(t, dir))
}

func TestAxe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts headless Chromium; run without -short")
	}
	dir := t.TempDir()
	checkers.Axe(t, dir, writePages(t, dir))
}
