package content

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/srwiley/oksvg"
)

// MaxLogoPixels bounds a raster logo's declared size before it is
// decoded (see CheckImage for the memory budget on top).
const MaxLogoPixels = 16_000_000

// maxSVGSide is the largest viewBox or width/height side accepted, in
// user units; beyond it an SVG's size is not a drawing's.
const maxSVGSide = 100_000

// prepareLogo checks that every channel can draw a logo file (an email
// without its logo fails to render) and returns the bytes to publish (an
// SVG sanitized, see SanitizeSVG) with the logo's intrinsic size.
func prepareLogo(name string, data []byte) (out []byte, w, h int, err error) {
	if strings.EqualFold(path.Ext(name), ".svg") {
		return prepareSVGLogo(data)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("not an SVG, PNG, JPEG or GIF image (%v)", err)
	}
	if err := checkConfig(data, cfg, MaxLogoPixels); err != nil {
		return nil, 0, 0, err
	}
	if _, err := decodeAll(data, format, cfg); err != nil {
		return nil, 0, 0, err
	}
	return data, cfg.Width, cfg.Height, nil
}

func prepareSVGLogo(data []byte) (out []byte, w, h int, err error) {
	clean, err := SanitizeSVG(data)
	if err != nil {
		return nil, 0, 0, err
	}
	w, h = svgSize(clean)
	if w <= 0 || h <= 0 {
		return nil, 0, 0, fmt.Errorf("the SVG has no viewBox or width and height between 1 and %d, so its shape is unknown", maxSVGSide)
	}
	if err := CheckAspect(w, h); err != nil {
		return nil, 0, 0, err
	}
	if err := svgDrawable(clean); err != nil {
		return nil, 0, 0, err
	}
	return clean, w, h, nil
}

// svgDrawable reads the SVG with the parser the channels draw it with,
// which is third-party code: a panic in it is an error here, at load,
// rather than at every render.
func svgDrawable(data []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the SVG cannot be drawn (%v)", p)
		}
	}()
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.IgnoreErrorMode)
	if err != nil {
		return fmt.Errorf("the SVG cannot be drawn (%v)", err)
	}
	if icon.ViewBox.W <= 0 || icon.ViewBox.H <= 0 {
		return errors.New("the SVG cannot be drawn: give its root element a viewBox")
	}
	return nil
}

// svgSize reads an SVG's intrinsic size from its root element's viewBox,
// or its width and height, so pages can reserve the logo's space.
func svgSize(data []byte) (w, h int) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var vb, ws, hs string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "viewBox":
				vb = a.Value
			case "width":
				ws = a.Value
			case "height":
				hs = a.Value
			}
		}
		var fw, fh float64
		if f := strings.Fields(strings.ReplaceAll(vb, ",", " ")); len(f) == 4 {
			fw, _ = strconv.ParseFloat(f[2], 64)
			fh, _ = strconv.ParseFloat(f[3], 64)
		} else {
			fw, _ = strconv.ParseFloat(strings.TrimSuffix(ws, "px"), 64)
			fh, _ = strconv.ParseFloat(strings.TrimSuffix(hs, "px"), 64)
		}
		if fw <= 0 || fh <= 0 || fw > maxSVGSide || fh > maxSVGSide {
			return 0, 0
		}
		return int(math.Round(fw)), int(math.Round(fh))
	}
}
