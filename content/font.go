package content

import (
	"fmt"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// MaxFontBytes bounds a font file of a brand kit, checked before it is
// read whole or parsed. Large CJK fonts fit.
const MaxFontBytes = 4 << 20

// maxGlyphEms bounds how far a glyph may reach from its origin, in ems.
// A glyph is rasterised whole before it is clipped, into a mask the size
// of its bounds: a font whose glyphs reach thousands of ems (or whose
// units per em is 1, making every outline huge) would allocate
// gigabytes for one letter of a share card's title.
const maxGlyphEms = 8

// CheckFont reports whether a TrueType or OpenType file can be used to
// draw text into images without unbounded cost: it parses, its units per
// em are in the range the OpenType spec allows, and no glyph's outline
// reaches more than maxGlyphEms from its origin.
func CheckFont(data []byte) error {
	if len(data) > MaxFontBytes {
		return &limitError{fmt.Sprintf("the font is %d MB; the limit is %d MB", len(data)>>20, MaxFontBytes>>20)}
	}
	f, err := sfnt.Parse(data)
	if err != nil {
		return fmt.Errorf("not a TrueType or OpenType font (%v)", err)
	}
	if u := f.UnitsPerEm(); u < 16 || u > 16384 {
		return fmt.Errorf("the font has %d units per em; OpenType allows 16 to 16384", u)
	}
	// Outlines are loaded at 64 px per em, so an em is 64 px.
	const ppem = 64
	limit := fixed.I(maxGlyphEms * ppem)
	var buf sfnt.Buffer
	for i := range f.NumGlyphs() {
		segs, err := f.LoadGlyph(&buf, sfnt.GlyphIndex(i), fixed.I(ppem), nil)
		if err != nil {
			return fmt.Errorf("the font's glyph %d does not load (%v)", i, err)
		}
		b := segs.Bounds()
		if b.Min.X < -limit || b.Min.Y < -limit || b.Max.X > limit || b.Max.Y > limit {
			return fmt.Errorf("the font's glyph %d reaches more than %d ems from its origin", i, maxGlyphEms)
		}
	}
	return nil
}
