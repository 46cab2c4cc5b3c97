package social

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
)

// newRenderer returns one renderer for the whole test binary, so its
// caches draw each card once. It has only the bundled fonts, so the
// cards are the same on every machine, whatever fonts it has installed.
func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	return testRenderer.Get(t, func() (*Renderer, error) {
		lib, err := fonts.New()
		if err != nil {
			return nil, err
		}
		return NewWithFonts(&images.Cache{}, lib), nil
	})
}

var testRenderer testenv.Shared[*Renderer]

func render(t testing.TB, ex examples.Example) (*renderers.Output, map[string][]byte) {
	t.Helper()
	out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: ex.Links})
	if err != nil {
		t.Fatalf("%s: %v", ex.Name(), err)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Name] = f.Data
	}
	return out, files
}

// TestGolden compares every example's social.json, social.txt and share
// cards with testdata/<brand>/<slug>.* (-update rewrites them). The cards
// are compared with a small tolerance.
func TestGolden(t *testing.T) {
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			out, files := render(t, ex)
			var list strings.Builder
			for _, f := range out.Files {
				fmt.Fprintf(&list, "%s\t%s\n", f.Name, f.MediaType)
			}
			for _, w := range out.Warnings {
				fmt.Fprintf(&list, "warning: %s\n", w)
			}
			golden.Check(t, ex.Name()+".files.golden", []byte(list.String()))
			golden.Check(t, ex.Name()+".social.json.golden", files[JSONFile])
			golden.Check(t, ex.Name()+".social.txt.golden", files[TextFile])
			for _, f := range out.Files {
				if f.MediaType == "image/jpeg" {
					kind := strings.TrimSuffix(f.Name[strings.LastIndex(f.Name, "-")+1:], ".jpg")
					golden.CheckImage(t, ex.Name()+".card-"+kind+".golden.jpg", f.Data, golden.DefaultTolerance)
				}
			}
		})
	}
}
