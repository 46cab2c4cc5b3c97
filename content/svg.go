package content

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// SanitizeSVG rewrites an SVG keeping only an allow-list of drawing
// elements and attributes. A brand's SVG logo is published as it is and
// served as image/svg+xml, where a script in it would run on the origin
// serving it: scripts, event handlers, foreign content, animation (which
// can set an href to javascript:), external references (href, xlink:href
// and url() that are not local #fragments), javascript: anywhere,
// processing instructions, DTDs and comments are all dropped.
//
// bluemonday cannot do this: it parses with an HTML parser, which folds
// SVG's case-sensitive names (viewBox, linearGradient) to lower case and
// so breaks the drawing, and its policies know nothing of url() in
// presentation attributes. The XML is re-read here token by token with
// encoding/xml instead.
func SanitizeSVG(data []byte) ([]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	s := &svgWriter{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a well-formed SVG (%v)", err)
		}
		if err := s.token(tok); err != nil {
			return nil, err
		}
	}
	if !s.rooted || s.depth != 0 {
		return nil, errors.New("not an SVG: it has no <svg> root element")
	}
	if !s.changed {
		// Every element and attribute passed: publish the author's
		// bytes, so a clean logo keeps its published name and caches.
		return data, nil
	}
	return s.out.Bytes(), nil
}

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
	xmlNS   = "http://www.w3.org/XML/1998/namespace"
	// maxSVGDepth bounds nesting: logos are shallow.
	maxSVGDepth = 64
	// maxSVGElements and maxSVGPathBytes bound the drawing's complexity:
	// the logo is rasterised for several channels, and 25,000 paths took
	// over 3 s of CPU. Real logos have tens to hundreds of shapes and a
	// few to tens of KiB of path data.
	maxSVGElements  = 2_000
	maxSVGPathBytes = 256 << 10
)

// svgElements are kept with their allowed attributes; svgUnwrap are
// dropped but their children kept (a link around a logo's shapes).
// Anything else is dropped with everything inside it.
var (
	svgElements = set("svg g defs symbol use path rect circle ellipse line polyline polygon text tspan title desc " +
		"linearGradient radialGradient stop clipPath mask pattern marker style image " +
		"filter feGaussianBlur feOffset feColorMatrix feBlend feFlood feComposite feMerge feMergeNode feDropShadow")
	svgUnwrap = set("a switch")

	svgAttrs = set("id class style role aria-label aria-labelledby aria-describedby aria-hidden lang transform viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx ry d points pathLength " +
		"fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray " +
		"stroke-dashoffset stroke-opacity opacity color clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits " +
		"filter filterUnits primitiveUnits gradientUnits gradientTransform spreadMethod fx fy fr offset stop-color stop-opacity " +
		"patternUnits patternContentUnits patternTransform font-family font-size font-weight font-style font-variant font-stretch " +
		"text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing text-decoration " +
		"dx dy rotate textLength lengthAdjust visibility display overflow version marker-start marker-mid marker-end " +
		"markerWidth markerHeight markerUnits refX refY orient stdDeviation in in2 result mode operator k1 k2 k3 k4 values type " +
		"flood-color flood-opacity paint-order vector-effect shape-rendering text-rendering image-rendering " +
		"color-interpolation color-interpolation-filters isolation mix-blend-mode enable-background")

	// svgURLRE finds url( references; each must be a local #fragment.
	svgURLRE     = regexp.MustCompile(`(?i)url\s*\(\s*['"]?\s*(.)`)
	svgURLOpenRE = regexp.MustCompile(`(?i)url\s*\(`)
	// svgDataImageRE is the one non-local reference kept: an embedded
	// raster image, which cannot run script.
	svgDataImageRE = regexp.MustCompile(`^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$`)
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

type svgWriter struct {
	out    bytes.Buffer
	depth  int  // open elements written
	skip   int  // >0 inside a dropped element: its depth below it
	rooted bool // the root <svg> was written
	// open records, per open input element, whether it was
	// written, so its end tag is written or not to match.
	open    []bool
	inStyle bool
	changed bool // something was dropped
	// elements and pathBytes count what the input holds, kept or not.
	elements, pathBytes int

	style strings.Builder // a <style> element's text, checked whole at its end
}

func (s *svgWriter) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		if len(s.open) >= maxSVGDepth {
			return fmt.Errorf("the SVG nests elements more than %d deep", maxSVGDepth)
		}
		if s.elements++; s.elements > maxSVGElements {
			return fmt.Errorf("the SVG has more than %d elements; the limit is %d (simplify the logo, or use a PNG)", maxSVGElements, maxSVGElements)
		}
		for _, a := range t.Attr {
			if a.Name.Local == "d" || a.Name.Local == "points" {
				s.pathBytes += len(a.Value)
			}
		}
		if s.pathBytes > maxSVGPathBytes {
			return fmt.Errorf("the SVG has more than %d KiB of path data; the limit is %d KiB (simplify the logo, or use a PNG)", maxSVGPathBytes>>10, maxSVGPathBytes>>10)
		}
		if s.skip > 0 {
			s.skip++
			s.open = append(s.open, false)
			return nil
		}
		return s.start(t)
	case xml.ProcInst:
		// The XML declaration is harmless; xml-stylesheet is not.
		s.changed = s.changed || t.Target != "xml"
	case xml.Directive:
		s.changed = true // DOCTYPE, entity declarations
	case xml.EndElement:
		if len(s.open) == 0 {
			return nil
		}
		written := s.open[len(s.open)-1]
		s.open = s.open[:len(s.open)-1]
		if s.skip > 0 {
			s.skip--
			return nil
		}
		if written {
			if s.inStyle {
				if safeCSS(s.style.String()) {
					svgEscape(&s.out, s.style.String(), false)
				} else {
					s.changed = true
				}
			}
			s.out.WriteString("</" + t.Name.Local + ">")
			s.depth--
			s.inStyle = false
			s.style.Reset()
		}
	case xml.CharData:
		if s.skip > 0 || s.depth == 0 {
			s.changed = s.changed || s.depth == 0 && len(bytes.TrimSpace(t)) > 0
			return nil
		}
		if s.inStyle {
			s.style.Write(t)
			return nil
		}
		svgEscape(&s.out, string(t), false)
	}
	// Comments are left out of a rewrite, but are no reason for one.
	return nil
}

func (s *svgWriter) start(t xml.StartElement) error {
	name := t.Name.Local
	if s.depth == 0 {
		if s.rooted || name != "svg" || (t.Name.Space != "" && t.Name.Space != svgNS) {
			return errors.New("not an SVG: its root element is not <svg>")
		}
	}
	ns := t.Name.Space == "" || t.Name.Space == svgNS
	switch {
	case ns && svgUnwrap[name] && s.depth > 0:
		s.open = append(s.open, false)
		s.changed = true
		return nil
	case !ns || !svgElements[name] || s.inStyle:
		s.skip = 1
		s.open = append(s.open, false)
		s.changed = true
		return nil
	}
	s.out.WriteString("<" + name)
	if s.depth == 0 {
		s.out.WriteString(` xmlns="` + svgNS + `" xmlns:xlink="` + xlinkNS + `"`)
		s.rooted = true
	}
	for _, a := range t.Attr {
		qn, ok := svgAttr(name, a)
		if !ok {
			// Namespace declarations are rewritten on the root, not dropped.
			s.changed = s.changed || !(a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns")
			continue
		}
		s.out.WriteString(" " + qn + `="`)
		svgEscape(&s.out, a.Value, true)
		s.out.WriteString(`"`)
	}
	s.out.WriteString(">")
	s.depth++
	s.open = append(s.open, true)
	s.inStyle = name == "style"
	return nil
}

// svgAttr returns the name an attribute is written under, or false when
// it is dropped.
func svgAttr(elem string, a xml.Attr) (string, bool) {
	v := a.Value
	switch {
	case a.Name.Local == "href" && (a.Name.Space == "" || a.Name.Space == xlinkNS):
		qn := "href"
		if a.Name.Space == xlinkNS {
			qn = "xlink:href"
		}
		local := strings.HasPrefix(v, "#") && !strings.ContainsAny(v, "()<>\"'")
		embedded := elem == "image" && svgDataImageRE.MatchString(v)
		return qn, local || embedded
	case a.Name.Space == xmlNS && a.Name.Local == "space":
		return "xml:space", v == "default" || v == "preserve"
	case a.Name.Space != "":
		return "", false // namespace declarations (written on the root), editor metadata
	case !svgAttrs[a.Name.Local]:
		return "", false // includes every on* event handler
	case a.Name.Local == "style":
		return "style", safeCSS(v)
	}
	return a.Name.Local, safeValue(v)
}

// safeValue refuses script URLs and non-local url() references.
func safeValue(v string) bool {
	squashed := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToLower(v))
	for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.Contains(squashed, bad) {
			return false
		}
	}
	if strings.Contains(v, `\`) {
		return false // a CSS escape could spell url( or an at-rule
	}
	local := 0
	for _, m := range svgURLRE.FindAllStringSubmatch(v, -1) {
		if m[1] == "#" {
			local++
		}
	}
	return local == len(svgURLOpenRE.FindAllStringIndex(v, -1))
}

// safeCSS accepts a style sheet or style attribute that can only paint:
// no at-rules (@import, @font-face fetch), no escapes that could spell
// one, no legacy script hooks, and url() only to local fragments.
func safeCSS(css string) bool {
	l := strings.ToLower(css)
	for _, bad := range []string{"@", `\`, "expression", "behavior", "binding", "<", "image-set", "src("} {
		if strings.Contains(l, bad) {
			return false
		}
	}
	return safeValue(css)
}

// svgEscape writes text escaped for XML character data, or for a
// double-quoted attribute value (where line breaks and tabs are written
// as references so they survive attribute normalisation).
func svgEscape(b *bytes.Buffer, text string, attr bool) {
	for _, r := range text {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case attr && r == '"':
			b.WriteString("&quot;")
		case attr && (r == '\n' || r == '\r' || r == '\t'):
			fmt.Fprintf(b, "&#x%X;", r)
		case r == '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
}
