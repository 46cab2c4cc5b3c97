// Package logo draws a brand's logo file as pixels, for channels that
// cannot use SVG: share cards, and email (Gmail shows no SVG).
package logo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/disintegration/imaging"
	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/fonts"
)

// maxSVGTexts and maxSVGTextRunes bound the text an SVG logo has drawn
// into it, so a file of many texts cannot keep a render busy.
const (
	maxSVGTexts     = 16
	maxSVGTextRunes = 100
)

// Rasterizer draws logos and keeps what it drew. It is safe for
// concurrent use.
type Rasterizer struct {
	fonts *fonts.Library
	logos sync.Map // key → *image.RGBA
}

// New makes a rasterizer that sets SVG text in the fonts lib finds for
// its font-family.
func New(lib *fonts.Library) *Rasterizer { return &Rasterizer{fonts: lib} }

// Raster draws the brand's logo file height pixels tall, at most maxW
// wide. PNG, JPEG and GIF logos are scaled; SVG logos are drawn from
// their shapes, and their <text> elements are set in the font their
// font-family names (see fonts.Library.Match: installed, or bundled by
// generic family), since the SVG renderer draws no text; text wider
// than the logo is shrunk to fit. The result is shared:
// callers must not draw on it.
func (r *Rasterizer) Raster(f *content.BrandFile, height, maxW int) (img *image.RGBA, err error) {
	key := fmt.Sprintf("%s/%d/%d", f.SHA256, height, maxW)
	if v, ok := r.logos.Load(key); ok {
		return v.(*image.RGBA), nil
	}
	// The SVG parser is third-party code fed a brand's file: a panic in
	// it becomes an error, and the card goes without a logo.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("drawing %s: %v", f.Name, p)
		}
	}()
	if strings.HasSuffix(strings.ToLower(f.Name), ".svg") {
		img, err = r.svgLogo(f.Data, height, maxW)
	} else {
		img, err = bitmapLogo(f.Data, height, maxW)
	}
	if err != nil {
		return nil, fmt.Errorf("logo %s: %w", f.Name, err)
	}
	r.logos.Store(key, img)
	return img, nil
}

func bitmapLogo(data []byte, height, maxW int) (*image.RGBA, error) {
	src, _, err := content.DecodeChecked(data, content.MaxLogoPixels)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	w, h := fitBox(float64(b.Dx()), float64(b.Dy()), height, maxW)
	if err := checkOutput(w, h); err != nil {
		return nil, err
	}
	scaled := imaging.Resize(src, w, h, imaging.CatmullRom)
	out := image.NewRGBA(scaled.Rect)
	draw.Draw(out, out.Rect, scaled, image.Point{}, draw.Src)
	return out, nil
}

// checkOutput applies the image budget to the logo being drawn: the box
// a caller asks for follows the logo's own shape, so a needle-shaped
// logo would otherwise ask for millions of pixels on one side.
func checkOutput(w, h int) error {
	return content.CheckImage(image.Config{ColorModel: color.RGBAModel, Width: w, Height: h}, content.MaxLogoPixels)
}

// fitBox scales a w×h box to height pixels tall, or less if that would be
// wider than maxW.
func fitBox(w, h float64, height, maxW int) (int, int) {
	s := float64(height) / h
	if w*s > float64(maxW) {
		s = float64(maxW) / w
	}
	return max(1, int(math.Round(w*s))), max(1, int(math.Round(h*s)))
}

func (r *Rasterizer) svgLogo(data []byte, height, maxW int) (*image.RGBA, error) {
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.IgnoreErrorMode)
	if err != nil {
		return nil, err
	}
	vb := icon.ViewBox
	if vb.W <= 0 || vb.H <= 0 {
		return nil, errors.New("the SVG has no viewBox or size")
	}
	w, h := fitBox(vb.W, vb.H, height, maxW)
	if err := checkOutput(w, h); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	icon.SetTarget(0, 0, float64(w), float64(h))
	scanner := rasterx.NewScannerGV(w, h, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(w, h, scanner), 1)
	scale := float64(w) / vb.W
	texts := SVGTexts(data)
	if len(texts) > maxSVGTexts {
		texts = texts[:maxSVGTexts] // a logo names the brand, not a page
	}
	for _, t := range texts {
		if err := r.drawSVGText(img, t, scale, vb.X, vb.Y); err != nil {
			return nil, err
		}
	}
	return img, nil
}

// SVGText is one <text> element of an SVG, in user units.
type SVGText struct {
	X, Y   float64
	Size   float64
	Family string // the CSS font-family stack, "" when none is given
	Bold   bool
	Fill   color.Color
	Anchor string
	Text   string
}

// SVGTexts reads the <text> elements of an SVG: position, size, family,
// weight, fill and anchor, as attributes or in a style attribute, with
// the text of any <tspan> children. Transforms and style sheets are not
// followed; logos rarely put their name under one.
func SVGTexts(data []byte) []SVGText {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []SVGText
	var cur *SVGText
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local != "text" {
				continue
			}
			t := SVGText{Size: 16, Fill: color.Black}
			var style string
			for _, a := range el.Attr {
				if a.Name.Local == "style" {
					style = a.Value
					continue
				}
				t.set(a.Name.Local, a.Value)
			}
			// A style attribute wins over the presentation attributes,
			// as in CSS.
			for _, decl := range strings.Split(style, ";") {
				if k, v, ok := strings.Cut(decl, ":"); ok {
					t.set(strings.TrimSpace(k), strings.TrimSpace(v))
				}
			}
			cur = &t
		case xml.CharData:
			if cur != nil {
				cur.Text += string(el)
			}
		case xml.EndElement:
			if el.Name.Local == "text" && cur != nil {
				cur.Text = strings.Join(strings.Fields(cur.Text), " ")
				if cur.Text != "" {
					out = append(out, *cur)
				}
				cur = nil
			}
		}
	}
}

// set applies one presentation attribute or style property.
func (t *SVGText) set(name, value string) {
	switch name {
	case "x":
		t.X = svgNumber(value)
	case "y":
		t.Y = svgNumber(value)
	case "font-size":
		if v := svgNumber(value); v > 0 {
			t.Size = v
		}
	case "font-family":
		t.Family = value
	case "font-weight":
		t.Bold = value == "bold" || value == "bolder" || svgNumber(value) >= 600
	case "fill":
		if c, err := content.ParseColor(value); err == nil {
			t.Fill = color.RGBA{c.R, c.G, c.B, 255}
		} else if value == "white" {
			t.Fill = color.White
		}
	case "text-anchor":
		t.Anchor = value
	}
}

// svgNumber reads "20", "20px" or "20.5"; anything else is 0.
func svgNumber(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "px"), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e5 {
		return 0
	}
	return v
}

func (r *Rasterizer) drawSVGText(dst *image.RGBA, t SVGText, scale, ox, oy float64) error {
	fnt := r.fonts.Match(t.Family, t.Bold)
	if !hasAll(fnt, t.Text) {
		fnt = r.fonts.Sans(t.Bold)
	}
	x := (t.X - ox) * scale
	// A glyph is rasterised whole before it is clipped to the image, and
	// its mask grows with the square of the size: text taller than the
	// logo shows nothing more, so it is set no larger.
	size := min(t.Size*scale, float64(dst.Bounds().Dy()))
	if size < 1 {
		return nil
	}
	if r := []rune(t.Text); len(r) > maxSVGTextRunes {
		t.Text = string(r[:maxSVGTextRunes])
	}
	face, err := opentype.NewFace(fnt.Font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return err
	}
	// The logo may have been drawn for a font this machine lacks: shrink
	// the stand-in's text to the room the logo has, rather than cut it
	// off.
	room := float64(dst.Bounds().Dx()) - x
	if t.Anchor == "middle" || t.Anchor == "end" {
		room = float64(dst.Bounds().Dx())
	}
	if w := float64(font.MeasureString(face, t.Text)) / 64; w > room && room > 0 {
		face, err = opentype.NewFace(fnt.Font, &opentype.FaceOptions{Size: size * room / w, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return err
		}
	}
	switch t.Anchor {
	case "middle":
		x -= float64(font.MeasureString(face, t.Text)) / 64 / 2
	case "end":
		x -= float64(font.MeasureString(face, t.Text)) / 64
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(t.Fill), Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6((t.Y - oy) * scale * 64)}}
	d.DrawString(t.Text)
	return nil
}

// hasAll reports whether f has a glyph for every letter of s.
func hasAll(f *fonts.Font, s string) bool {
	var buf sfnt.Buffer
	for _, r := range s {
		if r == ' ' {
			continue
		}
		if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
			return false
		}
	}
	return true
}
