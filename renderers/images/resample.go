package images

import (
	"image"
	"math"
)

// resampleOpaque scales the part sr of the opaque src to all of dst
// with a Catmull-Rom filter, widened by the scale factor when shrinking
// so every source pixel counts. It is what imaging.Resize with
// imaging.CatmullRom does for opaque images, in 14-bit fixed point on
// one goroutine: the worker pool already keeps every core busy, and
// imaging's per-call goroutines and float conversions cost more than the
// arithmetic.
func resampleOpaque(dst, src *image.RGBA, sr image.Rectangle) {
	resampleWith(dst, src, sr, catmullRom, 2)
}

// resampleWith is resampleOpaque with the filter k of the given support.
func resampleWith(dst, src *image.RGBA, sr image.Rectangle, k func(float64) float64, support float64) {
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	if dw <= 0 || dh <= 0 || src.Rect.Empty() {
		return
	}
	// A crop that rounded to nothing (a photo of a few pixels under a
	// wide card) is the nearest pixel of the photo.
	sr = atLeastOnePixel(sr, src.Rect)
	sw, sh := sr.Dx(), sr.Dy()
	xt := filterTaps(dw, sw, k, support)
	yt := filterTaps(dh, sh, k, support)

	// Horizontal pass: each source row of sr to dw pixels. The taps'
	// byte offsets are precomputed; mid keeps 3 bytes a pixel.
	off := make([]int, len(xt.idx))
	for i, j := range xt.idx {
		off[i] = 4 * int(j)
	}
	mid := make([]uint8, 3*dw*sh)
	for y := range sh {
		row := src.Pix[(sr.Min.Y+y-src.Rect.Min.Y)*src.Stride+(sr.Min.X-src.Rect.Min.X)*4:]
		row = row[:4*sw]
		out := mid[3*dw*y : 3*dw*(y+1)]
		for x := range dw {
			var r, g, b int32
			ws := xt.w[x*xt.n : (x+1)*xt.n]
			os := off[x*xt.n : (x+1)*xt.n]
			os = os[:len(ws)]
			for t, w := range ws {
				p := row[os[t]:]
				p = p[:3]
				r += w * int32(p[0])
				g += w * int32(p[1])
				b += w * int32(p[2])
			}
			o := out[3*x : 3*x+3]
			o[0], o[1], o[2] = clamp14(r), clamp14(g), clamp14(b)
		}
	}
	// Vertical pass: rows of mid weighted into each output row.
	acc := make([]int32, 3*dw)
	for y := range dh {
		clear(acc)
		ws := yt.w[y*yt.n : (y+1)*yt.n]
		is := yt.idx[y*yt.n : (y+1)*yt.n]
		for t, w := range ws {
			if w == 0 {
				continue
			}
			row := mid[3*dw*int(is[t]) : 3*dw*(int(is[t])+1)]
			row = row[:len(acc)]
			for i, v := range row {
				acc[i] += w * int32(v)
			}
		}
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := range dw {
			a, o := acc[3*x:3*x+3], out[4*x:4*x+4]
			o[0], o[1], o[2], o[3] = clamp14(a[0]), clamp14(a[1]), clamp14(a[2]), 255
		}
	}
}

func clamp14(v int32) uint8 {
	v = (v + 1<<13) >> 14
	return uint8(min(max(v, 0), 255))
}

// taps are, for each output pixel, n source indices and their weights
// (summing to 1<<14).
type taps struct {
	n   int
	idx []int32
	w   []int32
}

func filterTaps(dn, sn int, kernel func(float64) float64, support float64) taps {
	scale := float64(sn) / float64(dn)
	fscale := max(scale, 1)
	support *= fscale
	n := int(math.Ceil(2*support)) + 1
	t := taps{n: n, idx: make([]int32, n*dn), w: make([]int32, n*dn)}
	fw := make([]float64, n)
	for i := range dn {
		c := (float64(i)+0.5)*scale - 0.5
		start := int(math.Ceil(c - support))
		var sum float64
		for k := range n {
			fw[k] = 0
			if j := start + k; j >= 0 && j < sn { // past the edges: nothing
				fw[k] = kernel((float64(j) - c) / fscale)
			}
			sum += fw[k]
		}
		// Integer weights that add up to exactly 1<<14, so flat areas
		// stay exactly flat.
		var isum int32
		big := 0
		for k := range n {
			j := min(max(start+k, 0), sn-1)
			w := int32(math.Round(fw[k] / sum * (1 << 14)))
			t.idx[i*n+k], t.w[i*n+k] = int32(j), w
			isum += w
			if w > t.w[i*n+big] {
				big = k
			}
		}
		t.w[i*n+big] += 1<<14 - isum
	}
	return t
}

func catmullRom(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (1.5*x-2.5)*x*x + 1
	case x < 2:
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}

func triangle(x float64) float64 { return max(0, 1-math.Abs(x)) }

// atLeastOnePixel returns r inside bounds (not empty), at least one pixel
// wide and tall.
func atLeastOnePixel(r, bounds image.Rectangle) image.Rectangle {
	fix := func(lo, hi, lo0, hi0 int) (int, int) {
		lo = min(max(lo, lo0), hi0-1)
		hi = min(max(hi, lo+1), hi0)
		return lo, hi
	}
	r.Min.X, r.Max.X = fix(r.Min.X, r.Max.X, bounds.Min.X, bounds.Max.X)
	r.Min.Y, r.Max.Y = fix(r.Min.Y, r.Max.Y, bounds.Min.Y, bounds.Max.Y)
	return r
}
