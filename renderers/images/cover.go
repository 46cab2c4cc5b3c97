package images

import (
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
	src.scaleInto(dst, AspectCrop(src.Bounds(), dst.Rect.Dx(), dst.Rect.Dy(), fx, fy), true)
}

// halve averages each 2×2 block of src (an odd last row or column is
// dropped).
func halve(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dw, dh := b.Dx()/2, b.Dy()/2
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		r0 := src.Pix[(2*y)*src.Stride:]
		r1 := src.Pix[(2*y+1)*src.Stride:]
		d := dst.Pix[y*dst.Stride:]
		for x := range dw {
			i, j := 8*x, 4*x
			for c := range 4 {
				sum := uint16(r0[i+c]) + uint16(r0[i+4+c]) + uint16(r1[i+c]) + uint16(r1[i+4+c])
				d[j+c] = uint8((sum + 2) / 4)
			}
		}
	}
	return dst
}
