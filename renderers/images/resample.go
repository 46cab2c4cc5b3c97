package images

import (
	"encoding/binary"
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
	xt := filterTaps(dw, sw, k, support, 14)
	yt := filterTaps(dh, sh, k, support, 14)

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
// (summing to 1<<bits).
type taps struct {
	n   int
	idx []int32
	w   []int32
}

func filterTaps(dn, sn int, kernel func(float64) float64, support float64, bits uint) taps {
	one := float64(int(1) << bits)
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
		// Integer weights that add up to exactly 1<<bits, so flat areas
		// stay exactly flat.
		var isum int32
		big := 0
		for k := range n {
			j := min(max(start+k, 0), sn-1)
			w := int32(math.Round(fw[k] / sum * one))
			t.idx[i*n+k], t.w[i*n+k] = int32(j), w
			isum += w
			if w > t.w[i*n+big] {
				big = k
			}
		}
		t.w[i*n+big] += int32(one) - isum
	}
	return t
}

// A packed pixel holds R, G and B 21 bits apart in a uint64, so one
// multiplication weights all three: with non-negative weights of 13 bits
// summing to 1<<13, a channel's weighted sum (at most 255<<13, plus the
// rounding half) stays inside its 21 bits and never carries into the
// next.
const (
	packBits = 13
	packMask = 0xff | 0xff<<21 | 0xff<<42                // the three 8-bit channels
	packHalf = 1 << (packBits - 1) * (1 | 1<<21 | 1<<42) // rounds each channel
)

// pack spreads an RGBA pixel (little-endian, as in image.RGBA.Pix) into
// packed form; alpha is dropped.
func pack(p uint32) uint64 {
	return uint64(p&0xff) | uint64(p&0xff00)<<13 | uint64(p&0xff0000)<<26
}

// shrinkTriangle scales the part sr of the opaque src with a triangle
// filter, as resampleWith(…, triangle, 1) does, to the top dst.Rect.Dy()
// rows of a dst.Rect.Dx()×dh image: a card's photo is cut for its full
// height but the rows its band covers are not drawn. sr must be larger
// than the output both ways (the filter's weights are then never
// negative, which packing needs). It works on packed pixels, a third of
// the multiplications, with only the taps of non-zero weight, and keeps
// just the few filtered source rows the current output row reads, so the
// intermediate image stays in cache.
func shrinkTriangle(dst, src *image.RGBA, sr image.Rectangle, dh int) {
	dw, rows := dst.Rect.Dx(), min(dst.Rect.Dy(), dh)
	if dw <= 0 || rows <= 0 {
		return
	}
	sw := sr.Dx()
	xt := newPackedTaps(dw, sw)
	yt := newPackedTaps(dh, sr.Dy())
	// ring holds the horizontally filtered source rows, row j in slot
	// j%n: an output row reads n consecutive rows, which never share a
	// slot.
	n := yt.n
	ring := make([]uint64, n*dw)
	tag := make([]int, n)
	for i := range tag {
		tag[i] = -1
	}
	// A source row packed, with room for the last output's zero-weight
	// taps past its end.
	line := make([]uint64, sw+max(xt.n, 4))
	x0 := (sr.Min.X - src.Rect.Min.X) * 4
	win := make([][]uint64, n)
	for y := range rows {
		first := int(yt.first[y])
		for t := range n {
			j := min(first+t, sr.Dy()-1) // past the end: a zero weight
			slot := j % n
			mid := ring[slot*dw : (slot+1)*dw]
			if tag[slot] != j {
				tag[slot] = j
				srow := src.Pix[(sr.Min.Y+j-src.Rect.Min.Y)*src.Stride+x0:]
				if need := 4 * (sw + 3); xt.four != nil && len(srow) >= need {
					xt.applyRGBA(mid, srow[:need])
				} else {
					packRow(line[:sw], srow[:4*sw])
					xt.apply(mid, line)
				}
			}
			win[t] = mid
		}
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		ws := yt.w[y*n : (y+1)*n]
		switch n {
		case 2:
			r0, r1, w0, w1 := win[0][:dw], win[1][:dw], ws[0], ws[1]
			for x := range dw {
				putPacked(out[4*x:], r0[x]*w0+r1[x]*w1)
			}
		case 3:
			r0, r1, r2, w0, w1, w2 := win[0][:dw], win[1][:dw], win[2][:dw], ws[0], ws[1], ws[2]
			for x := range dw {
				putPacked(out[4*x:], r0[x]*w0+r1[x]*w1+r2[x]*w2)
			}
		case 4:
			r0, r1, r2, r3 := win[0][:dw], win[1][:dw], win[2][:dw], win[3][:dw]
			w0, w1, w2, w3 := ws[0], ws[1], ws[2], ws[3]
			for x := range dw {
				putPacked(out[4*x:], r0[x]*w0+r1[x]*w1+r2[x]*w2+r3[x]*w3)
			}
		default:
			for x := range dw {
				var a uint64
				for t, w := range ws {
					a += win[t][x] * w
				}
				putPacked(out[4*x:], a)
			}
		}
	}
}

// packRow packs the RGBA pixels of row into line, two pixels a load.
func packRow(line []uint64, row []uint8) {
	row = row[:4*len(line)]
	for i := 0; i+1 < len(line); i += 2 {
		v := binary.LittleEndian.Uint64(row[4*i:])
		line[i] = v&0xff | v&0xff00<<13 | v&0xff0000<<26
		line[i+1] = v>>32&0xff | v>>32&0xff00<<13 | v>>32&0xff0000<<26
	}
	if n := len(line); n%2 == 1 {
		v := uint64(binary.LittleEndian.Uint32(row[4*n-4:]))
		line[n-1] = v&0xff | v&0xff00<<13 | v&0xff0000<<26
	}
}

// putPacked writes a packed weighted sum as an opaque RGBA pixel.
func putPacked(o []uint8, a uint64) {
	a = (a + packHalf) >> packBits
	binary.LittleEndian.PutUint32(o, uint32(a&0xff|a>>13&0xff00|a>>26&0xff0000|0xff000000))
}

// packedTaps are a triangle filter's taps for packed pixels: for each
// output pixel, n weights (13 bits, summing to 1<<13) of the consecutive
// source pixels from first on; only the taps of non-zero weight, so a
// shrink by 1.5 reads 3 source pixels, not 4.
type packedTaps struct {
	n     int
	first []int32
	w     []uint64
	four  []tap4 // the same taps when n <= 4, padded with zero weights
}

type tap4 struct {
	first int
	w     [4]uint64
}

func newPackedTaps(dn, sn int) packedTaps {
	t := filterTaps(dn, sn, triangle, 1, packBits)
	lo, hi := make([]int, dn), make([]int, dn)
	n := 1
	for i := range dn {
		ws := t.w[i*t.n : (i+1)*t.n]
		lo[i], hi[i] = 0, len(ws)-1
		for lo[i] < hi[i] && ws[lo[i]] == 0 {
			lo[i]++
		}
		for hi[i] > lo[i] && ws[hi[i]] == 0 {
			hi[i]--
		}
		n = max(n, hi[i]-lo[i]+1)
	}
	p := packedTaps{n: n, first: make([]int32, dn), w: make([]uint64, n*dn)}
	for i := range dn {
		p.first[i] = t.idx[i*t.n+lo[i]]
		for k := lo[i]; k <= hi[i]; k++ {
			p.w[i*n+k-lo[i]] = uint64(t.w[i*t.n+k])
		}
	}
	if n <= 4 {
		p.four = make([]tap4, dn)
		for i := range dn {
			p.four[i].first = int(p.first[i])
			copy(p.four[i].w[:], p.w[i*n:(i+1)*n])
		}
	}
	return p
}

// applyRGBA is apply straight from a row of RGBA pixels, each packed as
// it is read, with 3 pixels past the source row's end for the last
// taps, whose weights are zero (the next row's first pixels, say).
func (t *packedTaps) applyRGBA(dst []uint64, row []uint8) {
	four := t.four[:len(dst)]
	for x := range four {
		tp := &four[x]
		p := (*[16]byte)(row[4*tp.first:])
		a := pack(binary.LittleEndian.Uint32(p[0:]))*tp.w[0] +
			pack(binary.LittleEndian.Uint32(p[4:]))*tp.w[1] +
			pack(binary.LittleEndian.Uint32(p[8:]))*tp.w[2] +
			pack(binary.LittleEndian.Uint32(p[12:]))*tp.w[3]
		dst[x] = (a + packHalf) >> packBits & packMask
	}
}

// apply filters the packed row line (with at least n-1 entries of
// padding past the source row) to dst, each pixel rounded to 8 bits a
// channel and packed again.
func (t *packedTaps) apply(dst, line []uint64) {
	if t.n <= 4 {
		// The common case (shrinking by up to 1.5 needs 3 taps, by up
		// to 2 4) with the taps as one array of 4: a bounds check per
		// pixel instead of one per tap.
		four := t.four[:len(dst)]
		for x := range four {
			tp := &four[x]
			p := (*[4]uint64)(line[tp.first:])
			dst[x] = (p[0]*tp.w[0] + p[1]*tp.w[1] + p[2]*tp.w[2] + p[3]*tp.w[3] + packHalf) >> packBits & packMask
		}
		return
	}
	n, first, ws := t.n, t.first[:len(dst)], t.w[:t.n*len(dst)]
	for x, f := range first {
		p, w := line[f:int(f)+n], ws[n*x:n*x+n]
		p = p[:len(w)]
		a := uint64(packHalf)
		for k, w := range w {
			a += p[k] * w
		}
		dst[x] = a >> packBits & packMask
	}
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
