package social

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/renderers"
)

// TestArticles renders the articles in testdata/articles (one each in
// nl, de, fr and pl, with label lines, abbreviations, sections and
// lists) and compares their posts and warnings with the goldens there.
func TestArticles(t *testing.T) {
	dir := filepath.Join("testdata", "articles")
	b, err := content.LoadBrand(os.DirFS(dir), "veldwerk", "brand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"nl", "de", "fr", "pl"} {
		t.Run(lang, func(t *testing.T) {
			it, err := content.Parse(os.DirFS(dir), lang+".md", content.ParseOptions{DefaultLang: b.Lang})
			if err != nil {
				t.Fatal(err)
			}
			out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
			if err != nil {
				t.Fatal(err)
			}
			var txt []byte
			for _, f := range out.Files {
				if f.Name == TextFile {
					txt = f.Data
				}
			}
			var w strings.Builder
			fmt.Fprintf(&w, "summary: %s\n", it.Summary)
			for _, d := range append(it.Warnings, out.Warnings...) {
				fmt.Fprintf(&w, "warning: %s\n", d)
			}
			golden.Check(t, "articles/"+lang+".social.txt.golden", append([]byte(w.String()+"\n"), txt...))
		})
	}
}
