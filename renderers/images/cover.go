package images

import (
	"image"
	"image/draw"

	"github.com/disintegration/imaging"
)

// Cover returns src cropped to the aspect of w×h around the focal point
// (fx, fy as fractions) and scaled to exactly w×h, as an opaque RGBA
// image ready to draw on and encode. A large photo is halved with a box
// filter while it is at least twice the target, which is exact and cheap,
// and only the last step uses a slower filter; a 2400 px photo for a
// 1200 px card needs no filtered step at all.
func Cover(src image.Image, w, h int, fx, fy float64) *image.RGBA {
	r := AspectCrop(src.Bounds(), w, h, fx, fy)
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(img, img.Bounds(), src, r.Min, draw.Src)
	for img.Bounds().Dx() >= 2*w && img.Bounds().Dy() >= 2*h {
		img = halve(img)
	}
	if img.Bounds().Dx() == w && img.Bounds().Dy() == h {
		return img
	}
	opaque := img.Opaque()
	scaled := imaging.Resize(img, w, h, imaging.CatmullRom)
	if opaque {
		// An opaque NRGBA has the same bytes as an RGBA.
		return &image.RGBA{Pix: scaled.Pix, Stride: scaled.Stride, Rect: scaled.Rect}
	}
	out := image.NewRGBA(scaled.Rect)
	draw.Draw(out, out.Rect, scaled, image.Point{}, draw.Src)
	return out
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
