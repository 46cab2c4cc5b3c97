package content

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Color is an sRGB brand colour, written in brand.yaml as #rgb or #rrggbb.
type Color struct {
	R, G, B uint8
	Set     bool
}

func (c *Color) decodeScalar(value, _ string) error {
	v, err := ParseColor(value)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ParseColor parses #rgb or #rrggbb.
func ParseColor(s string) (Color, error) {
	h := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if !strings.HasPrefix(strings.TrimSpace(s), "#") || (len(h) != 3 && len(h) != 6) {
		return Color{}, fmt.Errorf("%q is not a colour; write it as #rgb or #rrggbb", s)
	}
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return Color{}, fmt.Errorf("%q is not a colour; write it as #rgb or #rrggbb", s)
	}
	return Color{R: uint8(n >> 16), G: uint8(n >> 8), B: uint8(n), Set: true}, nil
}

// Hex formats the colour as #rrggbb.
func (c Color) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Or returns c if it is set, else def.
func (c Color) Or(def Color) Color {
	if c.Set {
		return c
	}
	return def
}

// luminance is the WCAG 2 relative luminance.
func (c Color) luminance() float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Contrast is the WCAG 2 contrast ratio between two colours, 1 to 21.
func Contrast(a, b Color) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// WCAG AA minimum contrast for normal-size text.
const ContrastAA = 4.5

var (
	white = Color{255, 255, 255, true}
	black = Color{0, 0, 0, true}
)

// OnColor picks white or near-black text for a background, whichever
// contrasts more: button labels on the brand colour, for example.
func OnColor(bg Color) Color {
	ink := Color{17, 17, 17, true}
	if Contrast(white, bg) >= Contrast(ink, bg) {
		return white
	}
	return ink
}

// Readable returns c, blended step by step towards white (on a dark
// background) or black (on a light one) until it reaches AA contrast on bg.
func Readable(c, bg Color) Color {
	toward := black
	if bg.luminance() < 0.5 {
		toward = white
	}
	for w := 0.0; w <= 1; w += 0.05 {
		m := Mix(toward, c, w)
		if Contrast(m, bg) >= ContrastAA {
			return m
		}
	}
	return toward
}

// Mix blends a into b by weight w of a (0 gives b, 1 gives a).
func Mix(a, b Color, w float64) Color {
	ch := func(x, y uint8) uint8 { return uint8(float64(x)*w + float64(y)*(1-w) + 0.5) }
	return Color{R: ch(a.R, b.R), G: ch(a.G, b.G), B: ch(a.B, b.B), Set: true}
}
