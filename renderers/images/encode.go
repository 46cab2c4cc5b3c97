package images

import (
	"errors"
	"image"
	"io"
	"math/bits"
)

// EncodeJPEG writes img, opaque, as a baseline 4:2:0 JPEG with the
// standard quantisation tables scaled to quality (1–100, as image/jpeg
// and libjpeg scale them) and the standard Huffman tables. It does what
// image/jpeg does, faster, for the RGBA images this package and the
// share cards make:
//   - the colour conversion is done over a whole 16×16 block, two
//     rows of 8 pixels a call, instead of a function call per pixel;
//   - the DCT is the AAN factorisation (5 multiplications per row),
//     in registers, with its scale folded into the quantisation
//     divisors;
//   - the run-length coding visits only the non-zero coefficients (a
//     bit mask) instead of testing all 63, and code and value bits go
//     out together, 32 bits at a time, into one buffer;
//   - a block of one colour, most of a share card, is written as its
//     DC value alone with no DCT at all.
//
// The decoded pixels match image/jpeg's encoding within a level or two
// (TestEncodeJPEGLooksLikeStdlib).
func EncodeJPEG(w io.Writer, img *image.RGBA, quality int) error {
	b := img.Rect
	if b.Dx() <= 0 || b.Dy() <= 0 || b.Dx() > 1<<16-1 || b.Dy() > 1<<16-1 {
		return errors.New("jpeg: image size out of range")
	}
	e := newJPEGEncoder(quality)
	e.w = w
	e.buf = make([]byte, 0, 64<<10)
	e.header(b.Dx(), b.Dy())
	e.scan(img)
	e.flushBits()
	e.write([]byte{0xff, 0xd9})
	e.flush()
	return e.err
}

type jpegEncoder struct {
	w     io.Writer
	buf   []byte // output not yet written to w
	err   error
	quant [2][64]uint8   // zig-zag order, as written in DQT
	div   [2][64]float32 // zig-zag order: 1/(q·aan(u)·aan(v)·8)
	acc   uint64         // bits not yet written, low nbits of them
	nbits uint
}

func newJPEGEncoder(quality int) *jpegEncoder {
	quality = min(max(quality, 1), 100)
	scale := 200 - 2*quality
	if quality < 50 {
		scale = 5000 / quality
	}
	e := &jpegEncoder{}
	aan := [8]float64{1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.541196100, 0.275899379}
	for t, base := range [2]*[64]uint8{&lumaQuant, &chromaQuant} {
		for i := range 64 { // natural order
			q := (int(base[i])*scale + 50) / 100
			q = min(max(q, 1), 255)
			e.quant[t][naturalToZigzag[i]] = uint8(q)
			u, v := i/8, i%8
			e.div[t][naturalToZigzag[i]] = float32(1 / (float64(q) * aan[u] * aan[v] * 8))
		}
	}
	return e
}

func (e *jpegEncoder) write(p []byte) { e.buf = append(e.buf, p...) }

// flush hands the buffered output to w.
func (e *jpegEncoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
}

func (e *jpegEncoder) header(w, h int) {
	e.write([]byte{0xff, 0xd8})
	// DQT: both tables in one segment.
	e.write([]byte{0xff, 0xdb, 0, 2 + 2*65, 0})
	e.write(e.quant[0][:])
	e.write([]byte{1})
	e.write(e.quant[1][:])
	// SOF0: 8-bit, three components; Y sampled 2×2, Cb and Cr 1×1.
	e.write([]byte{0xff, 0xc0, 0, 17, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1})
	// DHT: the four standard tables.
	n := 2
	for _, s := range huffSpecs {
		n += 1 + 16 + len(s.vals)
	}
	e.write([]byte{0xff, 0xc4, byte(n >> 8), byte(n)})
	for i, s := range huffSpecs {
		e.write([]byte{[4]byte{0x00, 0x10, 0x01, 0x11}[i]})
		e.write(s.bits[:])
		e.write(s.vals)
	}
	// SOS: the three components, DC/AC tables 0/0, 1/1, 1/1.
	e.write([]byte{0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0})
}

// emit writes the low n bits (n ≤ 32) of code, stuffing a zero after
// every 0xff. Whole 32-bit words go out at once; a word holding a 0xff
// byte, rare in entropy-coded data, goes byte by byte.
func (e *jpegEncoder) emit(code uint32, n uint) {
	e.acc = e.acc<<n | uint64(code)&(1<<n-1)
	e.nbits += n
	if e.nbits < 32 {
		return
	}
	e.nbits -= 32
	v := uint32(e.acc >> e.nbits)
	if x := ^v; (x-0x01010101)&^x&0x80808080 == 0 { // no byte of v is 0xff
		e.buf = append(e.buf, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	} else {
		for sh := 24; sh >= 0; sh -= 8 {
			c := byte(v >> sh)
			e.buf = append(e.buf, c)
			if c == 0xff {
				e.buf = append(e.buf, 0)
			}
		}
	}
	if len(e.buf) >= 60<<10 {
		e.flush()
	}
}

// flushBits pads the last byte with ones and writes the bits left.
func (e *jpegEncoder) flushBits() {
	if pad := (8 - e.nbits%8) % 8; pad > 0 {
		e.acc = e.acc<<pad | 1<<pad - 1
		e.nbits += pad
	}
	for e.nbits > 0 {
		e.nbits -= 8
		c := byte(e.acc >> e.nbits)
		e.buf = append(e.buf, c)
		if c == 0xff {
			e.buf = append(e.buf, 0)
		}
	}
}

// emitValue writes symbol sym's code from table t, then v's magnitude
// bits (size of them), in one go: at most 16 + 11 bits.
func (e *jpegEncoder) emitValue(t *huffLUT, sym byte, v int32, size uint) {
	c := t[sym]
	if v < 0 {
		v--
	}
	e.emit(c>>8<<size|uint32(v)&(1<<size-1), uint(c&0xff)+size)
}

func bitSize(v int32) uint {
	if v < 0 {
		v = -v
	}
	return uint(bits.Len32(uint32(v)))
}

// block writes one 8×8 block of level-shifted samples (natural order)
// quantised with table t, returning the new DC predictor.
func (e *jpegEncoder) block(s *[64]float32, t int, prevDC int32, uniform bool) int32 {
	dcT, acT := &luts[0], &luts[1]
	if t == 1 {
		dcT, acT = &luts[2], &luts[3]
	}
	if uniform {
		dc := round(s[0] * 64 * e.div[t][0])
		d := dc - prevDC
		sz := bitSize(d)
		e.emitValue(dcT, byte(sz), d, sz)
		e.emitValue(acT, 0x00, 0, 0) // end of block
		return dc
	}
	var q [64]int32 // zig-zag order
	fdct(s)
	// nz has bit k set for each non-zero coefficient k (zig-zag), so
	// the run-length loop visits those alone instead of branching on
	// each of the 63, which a photo's blocks make unpredictable.
	var nz uint64
	div := &e.div[t]
	for k := range 64 {
		v := round(s[zigzagToNatural[k]&63] * div[k])
		q[k] = v
		nz = nz>>1 | uint64(uint32(v|-v)>>31)<<63
	}
	d := q[0] - prevDC
	sz := bitSize(d)
	e.emitValue(dcT, byte(sz), d, sz)
	last := 0
	for nz &^= 1; nz != 0; nz &= nz - 1 {
		k := bits.TrailingZeros64(nz)
		run := k - last - 1
		for run > 15 {
			e.emitValue(acT, 0xf0, 0, 0)
			run -= 16
		}
		v := q[k&63]
		sz := bitSize(v)
		e.emitValue(acT, byte(run<<4)|byte(sz), v, sz)
		last = k
	}
	if last < 63 {
		e.emitValue(acT, 0x00, 0, 0)
	}
	return q[0]
}

// round rounds half away from zero, as libjpeg's float path does
// (near enough: half up).
func round(v float32) int32 {
	return int32(v+16384.5) - 16384
}

// scan writes every 16×16 block: four luma blocks, then the chroma of
// each 2×2 pixels. Pixels past the right and bottom edges repeat the
// edge.
func (e *jpegEncoder) scan(img *image.RGBA) {
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	var (
		yb     [4][64]float32
		cb, cr [64]float32
		dc     [3]int32
		xs     [16]int // byte offsets of the block's columns in a row
		rows   [16]*[64]byte
		edge   [16][64]byte
	)
	for y0 := 0; y0 < h; y0 += 16 {
		for x0 := 0; x0 < w; x0 += 16 {
			for i := range 16 {
				xs[i] = 4 * min(x0+i, w-1)
			}
			if p, ok := flat(img, xs[0], xs[15], y0, min(y0+15, h-1)); ok {
				// One colour: every block is its DC alone.
				r, g, bl := int32(p[0]), int32(p[1]), int32(p[2])
				yv := float32((19595*r+38470*g+7471*bl+1<<15)>>16 - 128)
				cbv := float32(chroma(-11056*r-21712*g+32768*bl+257<<15) - 128)
				crv := float32(chroma(32768*r-27440*g-5328*bl+257<<15) - 128)
				for n := range 4 {
					yb[n][0] = yv
					dc[0] = e.block(&yb[n], 0, dc[0], true)
				}
				cb[0], cr[0] = cbv, crv
				dc[1] = e.block(&cb, 1, dc[1], true)
				dc[2] = e.block(&cr, 1, dc[2], true)
				continue
			}
			// The block's 16 rows of 16 pixels: in the image, or, at
			// the right edge, copied with the edge repeated.
			for j := range 16 {
				o := min(y0+j, h-1) * img.Stride
				if x0+16 <= w {
					rows[j] = (*[64]byte)(img.Pix[o+4*x0 : o+4*x0+64])
					continue
				}
				for i, x := range xs {
					copy(edge[j][4*i:4*i+4], img.Pix[o+x:o+x+4])
				}
				rows[j] = &edge[j]
			}
			for j := 0; j < 16; j += 2 {
				for half := range 2 {
					yblk := &yb[(j>>3)*2+half]
					toYCbCr((*[32]byte)(rows[j][32*half:]), (*[32]byte)(rows[j+1][32*half:]),
						(*[8]float32)(yblk[8*(j&7):]), (*[8]float32)(yblk[8*(j&7)+8:]),
						(*[4]float32)(cb[4*j+4*half:]), (*[4]float32)(cr[4*j+4*half:]))
				}
			}
			for n := range 4 {
				dc[0] = e.block(&yb[n], 0, dc[0], uniform(&yb[n]))
			}
			dc[1] = e.block(&cb, 1, dc[1], uniform(&cb))
			dc[2] = e.block(&cr, 1, dc[2], uniform(&cr))
		}
	}
}

// toYCbCr converts two rows of 8 pixels to two rows of luma samples and
// one of 4 chroma samples each, all level-shifted.
func toYCbCr(row0, row1 *[32]byte, y0, y1 *[8]float32, cb, cr *[4]float32) {
	for i := range 4 {
		a := 8 * i
		r0, g0, b0 := int32(row0[a]), int32(row0[a+1]), int32(row0[a+2])
		r1, g1, b1 := int32(row0[a+4]), int32(row0[a+5]), int32(row0[a+6])
		r2, g2, b2 := int32(row1[a]), int32(row1[a+1]), int32(row1[a+2])
		r3, g3, b3 := int32(row1[a+4]), int32(row1[a+5]), int32(row1[a+6])
		y0[2*i] = float32((19595*r0+38470*g0+7471*b0+1<<15)>>16 - 128)
		y0[2*i+1] = float32((19595*r1+38470*g1+7471*b1+1<<15)>>16 - 128)
		y1[2*i] = float32((19595*r2+38470*g2+7471*b2+1<<15)>>16 - 128)
		y1[2*i+1] = float32((19595*r3+38470*g3+7471*b3+1<<15)>>16 - 128)
		// Chroma of the 2×2 average (image/jpeg averages the four
		// pixels' chroma: the same but where a colour clamps).
		sr, sg, sb := r0+r1+r2+r3, g0+g1+g2+g3, b0+b1+b2+b3
		cb[i] = float32(chroma((-11056*sr-21712*sg+32768*sb+2)>>2+257<<15) - 128)
		cr[i] = float32(chroma((32768*sr-27440*sg-5328*sb+2)>>2+257<<15) - 128)
	}
}

// flat reports whether the pixels in columns x0–x1 (byte offsets) of
// rows y0–y1 all have one colour, and returns it.
func flat(img *image.RGBA, x0, x1, y0, y1 int) ([]uint8, bool) {
	first := img.Pix[y0*img.Stride+x0 : y0*img.Stride+x0+4]
	want := uint32(first[0]) | uint32(first[1])<<8 | uint32(first[2])<<16
	for y := y0; y <= y1; y++ {
		row := img.Pix[y*img.Stride+x0 : y*img.Stride+x1+4]
		for i := 0; i+3 < len(row); i += 4 {
			if uint32(row[i])|uint32(row[i+1])<<8|uint32(row[i+2])<<16 != want {
				return nil, false
			}
		}
	}
	return first, true
}

func uniform(b *[64]float32) bool {
	for _, v := range b[1:] {
		if v != b[0] {
			return false
		}
	}
	return true
}

// chroma clamps a 16.16 fixed-point chroma value to 0–255 the way
// color.RGBToYCbCr does.
func chroma(v int32) int32 {
	if uint32(v)&0xff000000 == 0 {
		return v >> 16
	}
	return ^(v >> 31) & 0xff
}

// fdct is the AAN forward DCT in place, rows then columns; outputs are
// scaled by aan(u)·aan(v)·8, which the quantisation divisors undo.
func fdct(d *[64]float32) {
	for p := 0; p < 64; p += 8 {
		r := (*[8]float32)(d[p : p+8])
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = fdct8(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	}
	for c := range 8 {
		d[c], d[c+8], d[c+16], d[c+24], d[c+32], d[c+40], d[c+48], d[c+56] =
			fdct8(d[c], d[c+8], d[c+16], d[c+24], d[c+32], d[c+40], d[c+48], d[c+56])
	}
}

// fdct8 is the AAN DCT of eight samples, in registers.
func fdct8(x0, x1, x2, x3, x4, x5, x6, x7 float32) (y0, y1, y2, y3, y4, y5, y6, y7 float32) {
	tmp0, tmp7 := x0+x7, x0-x7
	tmp1, tmp6 := x1+x6, x1-x6
	tmp2, tmp5 := x2+x5, x2-x5
	tmp3, tmp4 := x3+x4, x3-x4

	tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
	tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
	y0 = tmp10 + tmp11
	y4 = tmp10 - tmp11
	z1 := (tmp12 + tmp13) * 0.707106781
	y2 = tmp13 + z1
	y6 = tmp13 - z1

	tmp10 = tmp4 + tmp5
	tmp11 = tmp5 + tmp6
	tmp12 = tmp6 + tmp7
	z5 := (tmp10 - tmp12) * 0.382683433
	z2 := 0.541196100*tmp10 + z5
	z4 := 1.306562965*tmp12 + z5
	z3 := tmp11 * 0.707106781
	z11, z13 := tmp7+z3, tmp7-z3
	y5 = z13 + z2
	y3 = z13 - z2
	y1 = z11 + z4
	y7 = z11 - z4
	return
}

// huffLUT maps a symbol to its code (high 24 bits) and length (low 8).
type huffLUT [256]uint32

type huffSpec struct {
	bits [16]byte // codes of each length 1–16
	vals []byte   // symbols in code order
}

// build derives the canonical codes of a table (JPEG Annex C).
func (s huffSpec) build() huffLUT {
	var t huffLUT
	code, k := uint32(0), 0
	for n := range 16 {
		for range s.bits[n] {
			t[s.vals[k]] = code<<8 | uint32(n+1)
			code++
			k++
		}
		code <<= 1
	}
	return t
}
