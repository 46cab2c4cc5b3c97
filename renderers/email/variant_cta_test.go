package email

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
)

// A variant's call to action replaces the item's in that variant only,
// in both parts, with the variant's utm_content; a path goes to the
// brand's site.
func TestVariantCTA(t *testing.T) {
	for _, ex := range examples.Load(t) {
		if ex.Item.CTA == nil || len(ex.Item.Email.Variants) == 0 {
			continue
		}
		it := *ex.Item
		it.Email.Variants = append([]content.EmailVariant(nil), it.Email.Variants...)
		it.Email.Variants[0].CTA = &content.CTA{Label: "Browse the catalog", URL: "/catalog/"}
		_, files := render(t, &it, ex.Brand)
		v := VariantOf(it.Email.Variants[0].Name)
		site := strings.TrimRight(ex.Brand.Site, "/") + "/catalog/"
		for _, name := range []string{v.HTML(), v.Text()} {
			got := string(files[name])
			if !strings.Contains(got, "Browse the catalog") || !strings.Contains(got, site) || strings.Contains(got, it.CTA.Label) {
				t.Errorf("%s: variant %s does not carry its own call to action", ex.Name(), name)
			}
			if !strings.Contains(got, "utm_content="+v.Name) {
				t.Errorf("%s: %s has no utm_content=%s", ex.Name(), name, v.Name)
			}
		}
		for _, name := range []string{HTMLFile, VariantOf(it.Email.Variants[1].Name).HTML()} {
			if got := string(files[name]); !strings.Contains(got, it.CTA.Label) || strings.Contains(got, "Browse the catalog") {
				t.Errorf("%s: %s lost the item's call to action", ex.Name(), name)
			}
		}
		return
	}
	t.Fatal("no example with a call to action and variants")
}
