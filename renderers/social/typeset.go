package social

import (
	"fmt"
	"image"
	"image/draw"
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/bidi"

	"github.com/crosscast/crosscast/renderers/fonts"
)

// fontChain is the fonts text is set in, in order of preference: the
// brand's font, then Go's. Each character is drawn in the first font
// that has a glyph for it.
type fontChain []*fonts.Font

// id names the chain's fonts, for cache keys.
func (c fontChain) id() string {
	ids := make([]string, len(c))
	for i, f := range c {
		ids[i] = f.Source + ":" + f.Name + ":" + f.Path
	}
	return strings.Join(ids, ",")
}

// stand-ins are what a character no font of the chain has is set as,
// where a plainer character means the same: Go's fonts have no U+2010
// HYPHEN or U+2011 NON-BREAKING HYPHEN, which would otherwise leave a
// title with "Ridgeline‑2" off the card.
var standIns = map[rune]string{
	'\u2010': "-", '\u2011': "-", '\u2012': "–", '\u2212': "-", '\u2015': "—",
	'\u00a0': " ", '\u202f': " ", '\u2007': " ", '\u2009': " ", '\u200a': " ",
}

// substitute replaces the characters of s that no font of the chain
// has with their stand-ins, and drops soft hyphens: fonts that have one
// draw it as a visible hyphen, and a soft hyphen shows only where a line
// breaks at it.
func (c fontChain) substitute(s string) string {
	var buf sfnt.Buffer
	var b strings.Builder
	for _, r := range s {
		if r == '\u00ad' {
			continue
		}
		if to, ok := standIns[r]; ok && !c.has(&buf, r) {
			b.WriteString(to)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// has reports whether a font of the chain has a glyph for r.
func (c fontChain) has(buf *sfnt.Buffer, r rune) bool {
	for _, fn := range c {
		if g, err := fn.GlyphIndex(buf, r); err == nil && g != 0 {
			return true
		}
	}
	return false
}

// faces is a font chain at one size. Faces are not safe for concurrent
// use; each rendering makes its own.
type faces struct {
	fonts fontChain
	faces []font.Face
	buf   sfnt.Buffer
}

func (c fontChain) at(size float64) (*faces, error) {
	f := &faces{fonts: c}
	for _, fn := range c {
		face, err := opentype.NewFace(fn.Font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, fmt.Errorf("font face: %w", err)
		}
		f.faces = append(f.faces, face)
	}
	return f, nil
}

// pick returns the index of the first face with a glyph for r, or -1.
func (f *faces) pick(r rune) int {
	for i, fn := range f.fonts {
		if g, err := fn.GlyphIndex(&f.buf, r); err == nil && g != 0 {
			return i
		}
	}
	return -1
}

// runs splits s into pieces set in one face each. Characters no face has
// go to the last face (which draws its "missing" box); callers check
// drawable first.
func (f *faces) runs(s string, fn func(face font.Face, run string)) {
	start, cur := 0, -1
	for i, r := range s {
		k := f.pick(r)
		switch {
		case cur >= 0 && (unicode.IsSpace(r) || k < 0 && joins(r)):
			k = cur // spaces and marks stay with the run they are in
		case k < 0:
			k = len(f.faces) - 1
		}
		if k != cur && i > start {
			fn(f.faces[cur], s[start:i])
			start = i
		}
		cur = k
	}
	if start < len(s) {
		fn(f.faces[max(cur, 0)], s[start:])
	}
}

// joins reports whether r belongs to the character before it: combining
// marks, joiners and variation selectors have no glyph of their own.
func joins(r rune) bool {
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

func (f *faces) width(s string) fixed.Int26_6 {
	var w fixed.Int26_6
	f.runs(s, func(face font.Face, run string) { w += font.MeasureString(face, run) })
	return w
}

func (f *faces) draw(dst draw.Image, ink image.Image, x, y fixed.Int26_6, s string) {
	d := font.Drawer{Dst: dst, Src: ink, Dot: fixed.Point26_6{X: x, Y: y}}
	f.runs(s, func(face font.Face, run string) {
		d.Face = face
		d.DrawString(run)
	})
}

// metrics are the first face's, so lines stay evenly spaced whatever
// fallback a line needs.
func (f *faces) metrics() font.Metrics { return f.faces[0].Metrics() }

// undrawable lists the characters of s that the chain cannot set: those
// no font has, and right-to-left letters, which need bidi reordering and
// shaping that font.Drawer does not do. The card then leaves its title
// out rather than print boxes or letters in the wrong order.
func (c fontChain) undrawable(s string) []rune {
	var buf sfnt.Buffer
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || seen[r] {
			continue
		}
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
			seen[r] = true
			out = append(out, r)
			continue
		}
		if !c.has(&buf, r) && !joins(r) {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// wrap breaks s into lines no wider than maxW at the line-break
// opportunities of Unicode's line breaking rules (spaces, but also
// between CJK characters); a word wider than a line breaks between
// graphemes.
func (f *faces) wrap(s string, maxW fixed.Int26_6) []string {
	var lines []string
	line := ""
	flush := func() {
		if t := strings.TrimRight(line, " "); t != "" {
			lines = append(lines, t)
		}
		line = ""
	}
	rest, state := s, -1
	for len(rest) > 0 {
		var seg string
		var must bool
		seg, rest, must, state = uniseg.FirstLineSegmentInString(rest, state)
		cand := line + seg
		switch {
		case f.width(strings.TrimRight(cand, " \n")) <= maxW:
			line = cand
		case line != "":
			flush()
			line = strings.TrimLeft(seg, " ")
			if f.width(strings.TrimRight(line, " \n")) > maxW {
				lines, line = f.breakLong(lines, line, maxW)
			}
		default:
			lines, line = f.breakLong(lines, seg, maxW)
		}
		if must {
			line = strings.TrimRight(line, "\n")
			flush()
		}
	}
	flush()
	return lines
}

// breakLong splits a segment wider than a line between graphemes; it
// returns the full lines and what is left for the next.
func (f *faces) breakLong(lines []string, seg string, maxW fixed.Int26_6) ([]string, string) {
	cur := ""
	g := uniseg.NewGraphemes(seg)
	for g.Next() {
		c := g.Str()
		if cur != "" && f.width(cur+c) > maxW {
			lines = append(lines, cur)
			cur = ""
		}
		cur += c
	}
	return lines, cur
}

// ellipsize shortens line, at a word if it can and else at a grapheme,
// until it fits maxW with "…" after it.
func (f *faces) ellipsize(line string, maxW fixed.Int26_6) string {
	if s := strings.TrimRight(line, " ,;:–—-") + Ellipsis; f.width(s) <= maxW {
		return s
	}
	cuts := cutPoints(line)
	for _, set := range [][]int{cuts.words, cuts.graphemes} {
		for i := len(set) - 1; i >= 0; i-- {
			s := strings.TrimRight(line[:set[i]], " ,;:–—-") + Ellipsis
			if f.width(s) <= maxW {
				return s
			}
		}
	}
	return Ellipsis
}

// balance evens out the lines of a wrapped title, the way CSS's
// text-wrap: balance does: the narrowest width that still needs no more
// lines, so the last line is not a lone word.
func (f *faces) balance(s string, lines []string, maxW fixed.Int26_6) []string {
	if len(lines) < 2 {
		return lines
	}
	lo, hi := maxW/2, maxW
	best := lines
	for hi-lo > 64 {
		mid := (lo + hi) / 2
		if l := f.wrap(s, mid); len(l) <= len(lines) {
			best, hi = l, mid
		} else {
			lo = mid
		}
	}
	return best
}

// setting is a title set in lines at one size.
type setting struct {
	faces *faces
	size  float64
	lines []string
}

// fitTitle sets s in at most maxLines lines of maxW, at the largest size
// from sizes (largest first) that fits; at the smallest size the last
// line ends in "…".
func (c fontChain) fitTitle(s string, maxW fixed.Int26_6, maxLines int, sizes []float64) (setting, error) {
	var st setting
	for _, size := range sizes {
		f, err := c.at(size)
		if err != nil {
			return st, err
		}
		st = setting{faces: f, size: size, lines: f.wrap(s, maxW)}
		if len(st.lines) <= maxLines {
			st.lines = f.balance(s, st.lines, maxW)
			return st, nil
		}
	}
	st.lines = st.lines[:maxLines]
	st.lines[maxLines-1] = st.faces.ellipsize(st.lines[maxLines-1], maxW)
	return st, nil
}
