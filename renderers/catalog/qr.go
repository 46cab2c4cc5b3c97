package catalog

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"

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

// qrCache keeps the drawn QR codes of recent targets: a re-render (a
// brand change, a new version under the same URL) prints the same code,
// and encoding its PNG was most of a text-only catalog render. It is
// bounded; past maxQRCodes the oldest go first.
type qrCache struct {
	mu    sync.Mutex
	m     map[string]qrFiles
	order []string
}

type qrFiles struct{ png, svg []byte }

const maxQRCodes = 1024

// draw returns the PNG (8 pixels a module) and SVG of target's code,
// copies the caller owns.
func (c *qrCache) draw(target string) (png, svg []byte, err error) {
	c.mu.Lock()
	f, ok := c.m[target]
	c.mu.Unlock()
	if ok {
		return bytes.Clone(f.png), bytes.Clone(f.svg), nil
	}
	code, err := qrCode(target)
	if err != nil {
		return nil, nil, err
	}
	if f.png, err = qrPNG(code, 8); err != nil {
		return nil, nil, err
	}
	f.svg = qrSVG(code)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]qrFiles{}
	}
	if _, ok := c.m[target]; !ok {
		c.m[target] = f
		c.order = append(c.order, target)
		if len(c.order) > maxQRCodes {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	return bytes.Clone(f.png), bytes.Clone(f.svg), nil
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
