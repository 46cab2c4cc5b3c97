package images

import (
	"bufio"
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
//   - the colour conversion is done inline over a whole 16×16 block
//     instead of a function call per pixel;
//   - the DCT is the AAN factorisation (5 multiplications per row)
//     with its scale folded into the quantisation divisors;
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
	bw := bufio.NewWriterSize(w, 64<<10)
	e.w = bw
	e.header(b.Dx(), b.Dy())
	e.scan(img)
	e.flushBits()
	e.write([]byte{0xff, 0xd9})
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

type jpegEncoder struct {
	w     *bufio.Writer
	err   error
	quant [2][64]uint8   // zig-zag order, as written in DQT
	div   [2][64]float32 // natural order: 1/(q·aan(u)·aan(v)·8)
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
			e.div[t][i] = float32(1 / (float64(q) * aan[u] * aan[v] * 8))
		}
	}
	return e
}

func (e *jpegEncoder) write(p []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(p)
	}
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

// emit writes the low n bits of code, stuffing a zero after every 0xff.
func (e *jpegEncoder) emit(code uint32, n uint) {
	e.acc = e.acc<<n | uint64(code)&(1<<n-1)
	e.nbits += n
	for e.nbits >= 8 {
		e.nbits -= 8
		c := byte(e.acc >> e.nbits)
		if e.err == nil {
			e.err = e.w.WriteByte(c)
			if c == 0xff && e.err == nil {
				e.err = e.w.WriteByte(0)
			}
		}
	}
}

// flushBits pads the last byte with ones.
func (e *jpegEncoder) flushBits() {
	if e.nbits > 0 {
		e.emit(0x7f, 8-e.nbits)
	}
}

// emitValue writes symbol sym's code from table t, then v's magnitude
// bits (size of them).
func (e *jpegEncoder) emitValue(t *huffLUT, sym byte, v int32, size uint) {
	c := t[sym]
	e.emit(c>>8, uint(c&0xff))
	if size > 0 {
		if v < 0 {
			v--
		}
		e.emit(uint32(v), size)
	}
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
	for i := range 64 {
		q[naturalToZigzag[i]] = round(s[i] * e.div[t][i])
	}
	d := q[0] - prevDC
	sz := bitSize(d)
	e.emitValue(dcT, byte(sz), d, sz)
	run := 0
	for k := 1; k < 64; k++ {
		v := q[k]
		if v == 0 {
			run++
			continue
		}
		for run > 15 {
			e.emitValue(acT, 0xf0, 0, 0)
			run -= 16
		}
		sz := bitSize(v)
		e.emitValue(acT, byte(run<<4)|byte(sz), v, sz)
		run = 0
	}
	if run > 0 {
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
			for j := 0; j < 16; j += 2 {
				row0 := img.Pix[min(y0+j, h-1)*img.Stride:]
				row1 := img.Pix[min(y0+j+1, h-1)*img.Stride:]
				yr0 := yb[(j>>3)*2][8*(j&7):]
				yr1 := yb[(j>>3)*2][8*(j&7)+8:]
				c := 8 * (j >> 1)
				for i := 0; i < 16; i += 2 {
					if i == 8 {
						yr0 = yb[(j>>3)*2+1][8*(j&7):]
						yr1 = yb[(j>>3)*2+1][8*(j&7)+8:]
					}
					k := i & 7
					a, bb := xs[i], xs[i+1]
					p0, p1 := row0[a:a+3:a+3], row0[bb:bb+3:bb+3]
					p2, p3 := row1[a:a+3:a+3], row1[bb:bb+3:bb+3]
					r0, g0, b0 := int32(p0[0]), int32(p0[1]), int32(p0[2])
					r1, g1, b1 := int32(p1[0]), int32(p1[1]), int32(p1[2])
					r2, g2, b2 := int32(p2[0]), int32(p2[1]), int32(p2[2])
					r3, g3, b3 := int32(p3[0]), int32(p3[1]), int32(p3[2])
					yr0[k] = float32((19595*r0+38470*g0+7471*b0+1<<15)>>16 - 128)
					yr0[k+1] = float32((19595*r1+38470*g1+7471*b1+1<<15)>>16 - 128)
					yr1[k] = float32((19595*r2+38470*g2+7471*b2+1<<15)>>16 - 128)
					yr1[k+1] = float32((19595*r3+38470*g3+7471*b3+1<<15)>>16 - 128)
					// Chroma of the 2×2 average (image/jpeg averages the
					// four pixels' chroma: the same but where a colour
					// clamps).
					sr, sg, sb := r0+r1+r2+r3, g0+g1+g2+g3, b0+b1+b2+b3
					cb[c+i>>1] = float32(chroma((-11056*sr-21712*sg+32768*sb+2)>>2+257<<15) - 128)
					cr[c+i>>1] = float32(chroma((32768*sr-27440*sg-5328*sb+2)>>2+257<<15) - 128)
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
		fdct8(d, p, 1)
	}
	for p := range 8 {
		fdct8(d, p, 8)
	}
}

func fdct8(d *[64]float32, p, s int) {
	i0, i1, i2, i3, i4, i5, i6, i7 := p, p+s, p+2*s, p+3*s, p+4*s, p+5*s, p+6*s, p+7*s
	tmp0, tmp7 := d[i0]+d[i7], d[i0]-d[i7]
	tmp1, tmp6 := d[i1]+d[i6], d[i1]-d[i6]
	tmp2, tmp5 := d[i2]+d[i5], d[i2]-d[i5]
	tmp3, tmp4 := d[i3]+d[i4], d[i3]-d[i4]

	tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
	tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
	d[i0] = tmp10 + tmp11
	d[i4] = tmp10 - tmp11
	z1 := (tmp12 + tmp13) * 0.707106781
	d[i2] = tmp13 + z1
	d[i6] = tmp13 - z1

	tmp10 = tmp4 + tmp5
	tmp11 = tmp5 + tmp6
	tmp12 = tmp6 + tmp7
	z5 := (tmp10 - tmp12) * 0.382683433
	z2 := 0.541196100*tmp10 + z5
	z4 := 1.306562965*tmp12 + z5
	z3 := tmp11 * 0.707106781
	z11, z13 := tmp7+z3, tmp7-z3
	d[i5] = z13 + z2
	d[i3] = z13 - z2
	d[i1] = z11 + z4
	d[i7] = z11 - z4
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
