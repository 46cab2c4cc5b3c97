package logo

import (
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/imagetest"
	"github.com/crosscast/crosscast/renderers/fonts"
)

func newRasterizer(t *testing.T) *Rasterizer {
	t.Helper()
	lib, err := fonts.New()
	if err != nil {
		t.Fatal(err)
	}
	return New(lib)
}

func file(name string, data []byte) *content.BrandFile {
	sum := sha256.Sum256(data)
	return &content.BrandFile{Name: name, Data: data, SHA256: hex.EncodeToString(sum[:])}
}

func TestRasterSVG(t *testing.T) {
	r := newRasterizer(t)
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50"><rect width="200" height="50" fill="#123456"/><text x="10" y="35" font-size="30">Kestrel</text></svg>`
	img, err := r.Raster(file("logo.svg", []byte(svg)), 46, 360)
	if err != nil || img.Rect.Dx() != 184 || img.Rect.Dy() != 46 {
		t.Fatalf("got %v, %v", img, err)
	}
}

// Hostile logos: whatever sizes a file declares, drawing it allocates
// only for the box the caller asked for, and an absurd shape is an error.
func TestRasterHostileLogos(t *testing.T) {
	r := newRasterizer(t)
	for _, tt := range []struct {
		name         string
		f            *content.BrandFile
		height, maxW int
		wantErr      string // "" draws
	}{
		{"huge svg", file("a.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="1e9" viewBox="0 0 1e9 1e9"><rect width="1e9" height="1e9"/></svg>`)), 46, 360, ""},
		// An email asks for 2×logo.width wide and as tall as the shape
		// makes it: a 1:100000 viewBox would be 320×32,000,000 pixels.
		{"needle svg", file("b.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 100000"><rect width="1" height="100000"/></svg>`)), 32_000_000, 320, "times longer"},
		{"giant text", file("c.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text x="5" y="1" font-size="99999">W</text></svg>`)), 46, 360, ""},
		{"dash bomb", file("e.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000000 100000"><path d="M0 5 L1000000 5" stroke="black" stroke-width="10" stroke-dasharray="0.0001"/></svg>`)), 46, 360, ""},
		{"many texts", file("f.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 20">`+strings.Repeat(`<text x="1" y="15" font-size="15">`+strings.Repeat("W", 5000)+`</text>`, 500)+`</svg>`)), 46, 360, ""},
		{"strip png", file("d.png", imagetest.CraftPNG(t, 40_000_000, 1, 0)), 46, 360, "times longer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			var n uint64
			cpu := imagetest.CPUTime(func() {
				n = imagetest.Allocated(func() { _, err = r.Raster(tt.f, tt.height, tt.maxW) })
			})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %v, want %q", err, tt.wantErr)
			}
			if n > 64<<20 {
				t.Errorf("drawing allocated %d MiB", n>>20)
			}
			if cpu > 2*time.Second {
				t.Errorf("drawing took %v of CPU", cpu)
			}
		})
	}
}

// The wordmark is set in the face its font-family names (here the
// bundled serif, for a stack of Georgia and serif, given as an attribute
// or in a style): the logo's text pixels match the text drawn directly
// in that face and differ from Go's sans; the shapes keep their fills.
func TestSVGWordmarkFace(t *testing.T) {
	lib, err := fonts.New()
	if err != nil {
		t.Fatal(err)
	}
	r := New(lib)
	const shapes = `<rect x="0" y="8" width="32" height="32" fill="#1f5f4a"/>`
	svg := func(text string) *content.BrandFile {
		return file("logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 48">`+shapes+text+`</svg>`))
	}
	raster := func(f *content.BrandFile) *image.RGBA {
		img, err := r.Raster(f, 96, 480)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	serif := raster(svg(`<text x="44" y="31" font-family="Georgia, serif" font-size="20" fill="#ffffff">Kestrel</text>`))
	styled := raster(svg(`<text x="44" y="31" style="font-family: 'Georgia', serif; font-size: 20px; fill: #ffffff">Kestrel</text>`))
	sans := raster(svg(`<text x="44" y="31" font-family="Helvetica, sans-serif" font-size="20" fill="#ffffff">Kestrel</text>`))

	// The same text drawn by hand in the bundled serif at the logo's
	// scale (96 px tall for 48 units: 2×).
	want := raster(svg(``))
	want = clone(want)
	face, err := opentype.NewFace(lib.Match("serif", false).Font, &opentype.FaceOptions{Size: 40, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	d := font.Drawer{Dst: want, Src: image.NewUniform(color.White), Face: face, Dot: fixed.P(88, 62)}
	d.DrawString("Kestrel")

	// (White text, as Diff compares colour, not alpha.)
	if _, bad := golden.Diff(serif, want); bad > 0 {
		t.Errorf("the serif wordmark differs from text set in the serif face in %.2f%% of pixels", bad*100)
	}
	if _, bad := golden.Diff(styled, serif); bad > 0 {
		t.Errorf("font-family in a style attribute is not followed (%.2f%% of pixels differ)", bad*100)
	}
	if _, bad := golden.Diff(sans, serif); bad < 0.01 {
		t.Errorf("a sans-serif wordmark looks like the serif one (%.2f%% of pixels differ)", bad*100)
	}
	// The square keeps its fill.
	if c := serif.RGBAAt(30, 48); c.R != 0x1f || c.G != 0x5f || c.B != 0x4a {
		t.Errorf("the shape's fill is %v", c)
	}
}

func clone(img *image.RGBA) *image.RGBA {
	out := image.NewRGBA(img.Rect)
	copy(out.Pix, img.Pix)
	return out
}

// FuzzSVGTexts: any SVG's text elements, with attributes or a style,
// read without panicking, and a logo made of them draws (or fails) in
// bounded time.
func FuzzSVGTexts(f *testing.F) {
	f.Add(`<text x="10" y="30" font-family="Georgia, serif" font-size="20">Kestrel</text>`)
	f.Add(`<text style="font-family:'Noto Serif';font-weight:700;fill:#123;font-size:1e9">W<tspan>x</tspan></text>`)
	f.Add(`<text style=";;:;font-size:-3px;text-anchor:middle">a</text>`)
	lib, err := fonts.New()
	if err != nil {
		f.Fatal(err)
	}
	r := New(lib)
	f.Fuzz(func(t *testing.T, body string) {
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50">` + body + `</svg>`)
		for _, tx := range SVGTexts(svg) {
			if tx.Size <= 0 {
				t.Errorf("size %v", tx.Size)
			}
		}
		_, _ = r.Raster(file("logo.svg", svg), 46, 360)
	})
}
