package email

import (
	"context"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/renderers"
)

// A brand whose logo cannot be drawn (one stored before brand loading
// checked logos, or built in code) fails the email render with an error
// that names the logo, never with an internal template error.
func TestUndrawableLogoIsAClearError(t *testing.T) {
	ex := examples.Load(t)[0]
	for name, f := range map[string]*content.BrandFile{
		"no size": {Name: "logo.svg", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), SHA256: strings.Repeat("a", 64)},
		"not svg": {Name: "logo.svg", Data: []byte(`hello`), SHA256: strings.Repeat("b", 64), Width: 100, Height: 20},
		"bad png": {Name: "logo.png", Data: []byte("\x89PNG\r\n\x1a\n"), SHA256: strings.Repeat("c", 64), Width: 100, Height: 20},
	} {
		t.Run(name, func(t *testing.T) {
			b := *ex.Brand
			b.Files = map[string]*content.BrandFile{b.Logo.Src: f}
			b.Logo.Dark = ""
			_, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: ex.Item, Brand: &b, Links: content.NewLinkPlan(ex.Item, &b)})
			if err == nil || strings.Contains(err.Error(), "template") || !strings.Contains(err.Error(), "logo "+f.Name) {
				t.Fatalf("got %v, want an error naming the logo", err)
			}
		})
	}
	// No logo at all is not an error: the header shows the brand's name.
	b := *ex.Brand
	b.Files, b.Logo.Src, b.Logo.Dark = map[string]*content.BrandFile{}, "", ""
	out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: ex.Item, Brand: &b, Links: content.NewLinkPlan(ex.Item, &b)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range out.Files {
		if f.Name == "email.html" && !strings.Contains(string(f.Data), b.Name) {
			t.Errorf("the header does not name the brand")
		}
	}
}
