package catalog

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	"rsc.io/qr"
)

// quiet is the blank margin around a QR code, in modules, that scanners
// need (ISO/IEC 18004 asks for four).
const quiet = 4

// qrCode encodes text at error correction level M: it survives about 15 %
// damage (a fold, a smudge on a printed page) and stays small.
func qrCode(text string) (*qr.Code, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return c, nil
}

// qrPNG draws the code as a two-colour PNG with scale pixels per module.
func qrPNG(c *qr.Code, scale int) ([]byte, error) {
	n := (c.Size + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{color.White, color.Black})
	for y := range c.Size {
		for x := range c.Size {
			if !c.Black(x, y) {
				continue
			}
			for dy := range scale {
				row := img.Pix[((y+quiet)*scale+dy)*img.Stride:]
				for dx := range scale {
					row[(x+quiet)*scale+dx] = 1
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// qrSVG draws the code as one path, a horizontal run of dark modules per
// segment, in module units so it scales to any print size.
func qrSVG(c *qr.Code) []byte {
	n := c.Size + 2*quiet
	var d strings.Builder
	for y := range c.Size {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			start := x
			for x < c.Size && c.Black(x, y) {
				x++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", start+quiet, y+quiet, x-start, x-start)
		}
	}
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><path fill="#fff" d="M0 0h%dv%dH0z"/><path fill="#000" d="%s"/></svg>`+"\n",
		n, n, n, n, d.String())
}
