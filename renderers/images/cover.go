package images

import (
	"encoding/binary"
	"image"
)

// Cover returns src cropped to the aspect of w×h around the focal point
// (fx, fy as fractions) and scaled to exactly w×h, as an opaque RGBA
// image ready to draw on and encode. It scales from the smallest halving
// of the photo still larger than the card (Source.Scaled): a 2400 px
// photo for a 1200 px card needs no filtered step at all.
func Cover(src *Source, w, h int, fx, fy float64) *image.RGBA {
	// A card is a preview shown at a fraction of its size, and a JPEG
	// at that: the faster triangle filter leaves it within the golden
	// tolerance of the Catmull-Rom it was drawn with before
	// (TestCoverLooksLikeCatmullRom).
	return src.scaled(AspectCrop(src.Bounds(), w, h, fx, fy), w, h, true)
}

// CoverInto is Cover drawn straight into dst (a card's photo area, say),
// which saves the copy.
func CoverInto(dst *image.RGBA, src *Source, fx, fy float64) {
	CoverTopInto(dst, dst.Rect.Dy(), src, fx, fy)
}

// CoverTopInto draws into dst the top dst.Rect.Dy() rows of
// Cover(src, dst.Rect.Dx(), h, fx, fy), h at least that: a card's photo
// is cut for the height it runs to under the band, but the rows the band
// paints over are not scaled.
func CoverTopInto(dst *image.RGBA, h int, src *Source, fx, fy float64) {
	src.scaleInto(dst, AspectCrop(src.Bounds(), dst.Rect.Dx(), h, fx, fy), max(h, dst.Rect.Dy()), true)
}

// halve averages each 2×2 block of src (an odd last row or column is
// dropped), rounding half up. The four channels of a pixel are summed
// two at a time in 16-bit lanes of one word, which cannot overflow: four
// bytes and the rounding add up to 1022 at most.
func halve(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dw, dh := b.Dx()/2, b.Dy()/2
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	const m = 0x00ff00ff
	for y := range dh {
		r0 := src.Pix[(2*y)*src.Stride:]
		r0 = r0[:8*dw]
		r1 := src.Pix[(2*y+1)*src.Stride:]
		r1 = r1[:8*dw]
		d := dst.Pix[y*dst.Stride:]
		d = d[:4*dw]
		for x := range dw {
			p, q := r0[8*x:8*x+8], r1[8*x:8*x+8]
			a, b := binary.LittleEndian.Uint32(p), binary.LittleEndian.Uint32(p[4:])
			c, e := binary.LittleEndian.Uint32(q), binary.LittleEndian.Uint32(q[4:])
			lo := a&m + b&m + c&m + e&m + 0x00020002
			hi := a>>8&m + b>>8&m + c>>8&m + e>>8&m + 0x00020002
			binary.LittleEndian.PutUint32(d[4*x:], lo>>2&m|hi>>2&m<<8)
		}
	}
	return dst
}
