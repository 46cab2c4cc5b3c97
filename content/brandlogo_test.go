package content

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/crosscast/crosscast/internal/imagetest"
)

func loadBrandWithLogo(t *testing.T, name string, data []byte) (*Brand, error) {
	t.Helper()
	yml := strings.Replace(okBrand, "src: logo.svg", "src: "+name, 1)
	return LoadBrand(fstest.MapFS{"brand.yaml": {Data: []byte(yml)}, name: {Data: data}}, "test", "brand.yaml")
}

// A logo the channels cannot draw is refused when the brand is loaded,
// at the logo field, instead of failing every email render later.
func TestBrandLogoMustBeDrawable(t *testing.T) {
	png := pngBytes(t, 40, 10)
	for _, tt := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"svg without size", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>`), "brand.yaml:9:3: logo.src: logo.svg: the SVG has no viewBox or width and height"},
		{"svg of 1e9", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="1e9" viewBox="0 0 1e9 1e9"/>`), "brand.yaml:9:3: logo.src: logo.svg: the SVG has no viewBox or width and height between 1 and 100000"},
		{"svg needle", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 100000"/>`), "brand.yaml:9:3: logo.src: logo.svg: 1×100000 is 100000 times longer"},
		{"not xml", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect`), "brand.yaml:9:3: logo.src: logo.svg: not a well-formed SVG"},
		{"svg of 25,000 paths", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">` + strings.Repeat(`<path d="M0 0L1 1"/>`, 25_000) + `</svg>`), "brand.yaml:9:3: logo.src: logo.svg: the SVG has more than 2000 elements"},
		{"svg of 300 KiB of path data", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0` + strings.Repeat(` L1 1`, 60_000) + `"/></svg>`), "brand.yaml:9:3: logo.src: logo.svg: the SVG has more than 256 KiB of path data"},
		{"truncated png", "logo.png", png[:len(png)-20], "brand.yaml:9:3: logo.src: logo.png: the png image is truncated or corrupt"},
		{"strip png", "logo.png", imagetest.CraftPNG(t, 40_000_000, 1, 0), "brand.yaml:9:3: logo.src: logo.png: 40000000×1 is 40000000 times longer"},
		{"not an image", "logo.png", []byte("hello"), "brand.yaml:9:3: logo.src: logo.png: not an SVG, PNG, JPEG or GIF image"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadBrandWithLogo(t, tt.file, tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %q", err, tt.want)
			}
		})
	}
	if b, err := loadBrandWithLogo(t, "logo.png", png); err != nil || b.LogoFile().Width != 40 {
		t.Errorf("a good PNG logo: %v", err)
	}
}

// An SVG logo is published and served as image/svg+xml: what the kit
// holds after loading has no script, event handler, foreign content or
// external reference left.
func TestBrandSVGLogoSanitized(t *testing.T) {
	evil := `<?xml version="1.0"?>
<?xml-stylesheet href="https://evil.example/x.css"?>
<!DOCTYPE svg>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 200 50" onload="alert(1)">
<script>alert(2)</script>
<style>@import url(https://evil.example/a.css); rect { fill: red }</style>
<rect width="200" height="50" fill="#123456" onclick="alert(3)" style="fill: url(https://evil.example/p)"/>
<a href="javascript:alert(4)"><text x="10" y="30">Kestrel</text></a>
<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml" onclick="alert(5)">x</div></foreignObject>
<image href="https://evil.example/track.png" width="1" height="1"/>
<use xlink:href="https://evil.example/sprite.svg#a"/>
<set attributeName="href" to="javascript:alert(6)"/>
<circle cx="10" cy="10" r="5" fill="url(#g)"/>
<iframe src="https://evil.example/"/>
</svg>`
	b, err := loadBrandWithLogo(t, "logo.svg", []byte(evil))
	if err != nil {
		t.Fatal(err)
	}
	out := string(b.LogoFile().Data)
	for _, bad := range []string{"script", "alert", "onload", "onclick", "evil.example", "javascript", "foreignObject", "<set", "iframe", "@import", "DOCTYPE", "xml-stylesheet"} {
		if strings.Contains(out, bad) {
			t.Errorf("the published logo still has %q:\n%s", bad, out)
		}
	}
	for _, good := range []string{`viewBox="0 0 200 50"`, `<rect`, `fill="#123456"`, `>Kestrel</text>`, `fill="url(#g)"`} {
		if !strings.Contains(out, good) {
			t.Errorf("the sanitized logo lost %q:\n%s", good, out)
		}
	}
	if b.LogoFile().Width != 200 {
		t.Errorf("size %d×%d", b.LogoFile().Width, b.LogoFile().Height)
	}
}
