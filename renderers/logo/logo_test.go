package logo

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/content"
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
