package images

import (
	"image"
	"testing"

	"github.com/crosscast/crosscast/internal/golden"
)

// The packed triangle shrink draws what the 14-bit resampler with the
// same filter draws, a level off at most (its weights have 13 bits),
// from a part of the image, for crops a card's photo gets.
func TestShrinkTriangleLikeResample(t *testing.T) {
	src := testPicture(1700, 1200, 7)
	for _, c := range []struct {
		sr   image.Rectangle
		w, h int
	}{
		{image.Rect(50, 40, 1650, 1090), 1080, 709},
		{image.Rect(0, 0, 1700, 1200), 1200, 630},
		{image.Rect(3, 7, 210, 140), 100, 69},
		{image.Rect(10, 10, 13, 14), 2, 3},
		{image.Rect(0, 0, 1700, 1200), 1699, 1199},
	} {
		want := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		resampleWith(want, src, c.sr, triangle, 1)
		got := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		shrinkTriangle(got, src, c.sr, c.h)
		worst := 0
		for i := range got.Pix {
			worst = max(worst, int(got.Pix[i])-int(want.Pix[i]), int(want.Pix[i])-int(got.Pix[i]))
		}
		if worst > 1 {
			t.Errorf("%v to %dx%d: a channel %d levels off the resampler's", c.sr, c.w, c.h, worst)
		}
	}
}

// BenchmarkShrinkSquare is a square card's photo: a 2037×1600 crop of a
// 2400×1600 photo to the top 837 rows of 1080×848.
func BenchmarkShrinkSquare(b *testing.B) {
	src := testPicture(2400, 1600, 2)
	sr := image.Rect(363, 0, 2400, 1600)
	b.Run("packed", func(b *testing.B) {
		dst := image.NewRGBA(image.Rect(0, 0, 1080, 837))
		for b.Loop() {
			shrinkTriangle(dst, src, sr, 848)
		}
	})
	b.Run("resampleWith", func(b *testing.B) {
		dst := image.NewRGBA(image.Rect(0, 0, 1080, 848))
		for b.Loop() {
			resampleWith(dst, src, sr, triangle, 1)
		}
	})
}

// halve is the exact rounded mean of each 2×2 block, every channel
// alpha included, an odd last row or column dropped.
func TestHalveExact(t *testing.T) {
	for _, sz := range []image.Point{{2, 2}, {7, 5}, {64, 33}} {
		src := testPicture(sz.X, sz.Y, 11)
		for i := 3; i < len(src.Pix); i += 4 {
			src.Pix[i] = uint8(i * 7) // alpha too, as a PNG's
		}
		got := halve(src)
		if got.Rect.Dx() != sz.X/2 || got.Rect.Dy() != sz.Y/2 {
			t.Fatalf("%v: halved to %v", sz, got.Rect)
		}
		for y := range sz.Y / 2 {
			for x := range sz.X / 2 {
				for c := range 4 {
					sum := 2
					for _, p := range []image.Point{{2 * x, 2 * y}, {2*x + 1, 2 * y}, {2 * x, 2*y + 1}, {2*x + 1, 2*y + 1}} {
						sum += int(src.Pix[src.PixOffset(p.X, p.Y)+c])
					}
					if g := int(got.Pix[got.PixOffset(x, y)+c]); g != sum/4 {
						t.Fatalf("%v: pixel %d,%d channel %d is %d, want %d", sz, x, y, c, g, sum/4)
					}
				}
			}
		}
	}
}

// CoverTopInto draws the top rows of what Cover draws at the full
// height, and nothing below them: shrinking, at exactly a halving, and
// enlarging a small photo.
func TestCoverTopIntoIsCoversTop(t *testing.T) {
	for _, c := range []struct {
		photo   image.Point
		w, h, n int
	}{
		{image.Pt(900, 600), 400, 250, 230}, // shrink (the packed filter)
		{image.Pt(800, 400), 400, 200, 150}, // a halving, copied
		{image.Pt(90, 60), 300, 150, 120},   // enlarged
	} {
		src := NewSource(testPicture(c.photo.X, c.photo.Y, 5))
		want := Cover(src, c.w, c.h, 0.3, 0.7)
		canvas := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		CoverTopInto(canvas.SubImage(image.Rect(0, 0, c.w, c.n)).(*image.RGBA), c.h, src, 0.3, 0.7)
		top := image.Rect(0, 0, c.w, c.n)
		if mean, bad := golden.Diff(canvas.SubImage(top), want.SubImage(top)); mean != 0 || bad != 0 {
			t.Errorf("%v to %dx%d: the top %d rows differ from Cover's: mean %.2f", c.photo, c.w, c.h, c.n, mean)
		}
		for _, p := range canvas.Pix[4*c.w*c.n:] {
			if p != 0 {
				t.Fatalf("%v to %dx%d: drawn below row %d", c.photo, c.w, c.h, c.n)
			}
		}
	}
}
