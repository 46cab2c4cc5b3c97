package email

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
)

// Links to other sites leave the email without campaign tags, in both
// parts; the brand's own links keep them; utm.third_party tags them all.
func TestThirdPartyLinksUntagged(t *testing.T) {
	src := "---\ntitle: Routes\n---\nSee [the map](https://maps.example/route?id=4), " +
		"[our shop](https://shop.fjellbu.example/tents/) and [a page](/about/).\n"
	it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		brand      string
		thirdParty bool
	}{
		{goodBrand, false},
		{goodBrand + "utm:\n  third_party: true\n", true},
	} {
		b, err := content.LoadBrand(memfs.FS{"brand.yaml": []byte(tt.brand), "logo.svg": []byte(testLogo)}, "fjellbu", "brand.yaml")
		if err != nil {
			t.Fatal(err)
		}
		_, files := render(t, it, b)
		html, text := string(files["email.html"]), string(files["email.txt"])
		for _, own := range []string{
			`https://shop.fjellbu.example/tents/?utm_campaign=routes&amp;utm_medium=email&amp;utm_source=newsletter`,
			`https://fjellbu.example/about/?utm_campaign=routes&amp;utm_medium=email&amp;utm_source=newsletter`,
		} {
			if !strings.Contains(html, own) {
				t.Errorf("third_party=%v: the HTML lacks %s", tt.thirdParty, own)
			}
		}
		third := `https://maps.example/route?id=4`
		if tt.thirdParty {
			third += `&amp;utm_campaign=routes&amp;utm_medium=email&amp;utm_source=newsletter`
		}
		if !strings.Contains(html, `href="`+third+`"`) {
			t.Errorf("third_party=%v: the HTML lacks href=%q", tt.thirdParty, third)
		}
		if want := strings.ReplaceAll(third, "&amp;", "&") + "\n"; !strings.Contains(text, want) {
			t.Errorf("third_party=%v: the text part lacks %q:\n%s", tt.thirdParty, want, text)
		}
	}
}
