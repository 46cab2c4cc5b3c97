package images

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"testing"

	"github.com/crosscast/crosscast/internal/golden"
)

// testPicture is a w×h image with gradients, grain, flat areas and hard
// edges: what photos and share cards are made of.
func testPicture(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 4))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			switch {
			case y > h*3/4: // a flat band, as under a card's title
				img.Pix[i], img.Pix[i+1], img.Pix[i+2] = 20, 90, 60
			case (x/9+y/13)%7 == 0: // hard-edged marks
				img.Pix[i], img.Pix[i+1], img.Pix[i+2] = 250, 250, 245
			default:
				n := uint8(rng.IntN(20))
				img.Pix[i], img.Pix[i+1], img.Pix[i+2] = uint8(x*255/w)+n, uint8(y*200/h)+n, 128+n
			}
			img.Pix[i+3] = 255
		}
	}
	return img
}

// EncodeJPEG's files decode, in any decoder (here image/jpeg's), to what
// image/jpeg's own encoding at the same quality decodes to, within the
// golden-image tolerance, at sizes that are and are not whole blocks.
func TestEncodeJPEGLooksLikeStdlib(t *testing.T) {
	for _, sz := range []image.Point{{1, 1}, {3, 5}, {16, 16}, {17, 33}, {121, 80}, {1200, 630}, {300, 1080}} {
		qs := []int{JPEGQuality, 86, 30, 100}
		if testing.Short() {
			qs = qs[:2]
		}
		for _, q := range qs {
			img := testPicture(sz.X, sz.Y, uint64(sz.X))
			var got, want bytes.Buffer
			if err := EncodeJPEG(&got, img, q); err != nil {
				t.Fatal(err)
			}
			if err := jpeg.Encode(&want, img, &jpeg.Options{Quality: q}); err != nil {
				t.Fatal(err)
			}
			gi, err := jpeg.Decode(bytes.NewReader(got.Bytes()))
			if err != nil {
				t.Fatalf("%v q%d: the file does not decode: %v", sz, q, err)
			}
			wantLen := want.Len()
			wi, _ := jpeg.Decode(&want)
			if gi.Bounds() != wi.Bounds() {
				t.Fatalf("%v: decodes to %v", sz, gi.Bounds())
			}
			// Tiny images of pure grain differ most; judged below only by
			// how close each encoding stays to the original.
			if mean, bad := golden.Diff(gi, wi); sz.X*sz.Y > 10000 && mean > golden.DefaultTolerance.MeanDiff || bad > golden.DefaultTolerance.BadPixels {
				t.Errorf("%v q%d: mean difference %.2f, %.3f%% of pixels off", sz, q, mean, bad*100)
			}
			if sz.X*sz.Y > 10000 && float64(got.Len()) > 1.1*float64(wantLen) {
				t.Errorf("%v q%d: %d bytes, image/jpeg makes %d", sz, q, got.Len(), wantLen)
			}
			orig, _ := golden.Diff(gi, img)
			base, _ := golden.Diff(wi, img)
			if orig > base*1.1+0.1 {
				t.Errorf("%v q%d: %.2f levels off the original, image/jpeg %.2f", sz, q, orig, base)
			}
		}
	}
}

// The tables are the standard's: every symbol a block can need has a
// code, and the code lengths add up.
func TestHuffmanTables(t *testing.T) {
	for i, s := range huffSpecs {
		n := 0
		for _, b := range s.bits {
			n += int(b)
		}
		if n != len(s.vals) {
			t.Errorf("table %d: %d codes for %d symbols", i, n, len(s.vals))
		}
		seen := map[byte]bool{}
		for _, v := range s.vals {
			if seen[v] {
				t.Errorf("table %d: symbol %#x twice", i, v)
			}
			seen[v] = true
		}
		var want []byte
		if i%2 == 0 {
			for s := range 12 {
				want = append(want, byte(s))
			}
		} else {
			want = append(want, 0x00, 0xf0)
			for run := range 16 {
				for size := 1; size <= 10; size++ {
					want = append(want, byte(run<<4|size))
				}
			}
		}
		for _, v := range want {
			if !seen[v] {
				t.Errorf("table %d: no code for %#x", i, v)
			}
		}
	}
}

func BenchmarkEncodeJPEG(b *testing.B) {
	img := testPicture(1200, 630, 1)
	b.Run("image-jpeg", func(b *testing.B) {
		for b.Loop() {
			jpeg.Encode(&bytes.Buffer{}, img, &jpeg.Options{Quality: 86})
		}
	})
	b.Run("EncodeJPEG", func(b *testing.B) {
		for b.Loop() {
			EncodeJPEG(&bytes.Buffer{}, img, 86)
		}
	})
}
