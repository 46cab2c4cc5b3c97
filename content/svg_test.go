package content

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// svgUnsafe returns what in a sanitized SVG could run script or fetch
// from elsewhere, read with an XML parser as a browser would.
func svgUnsafe(data []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return ""
		}
		if err != nil {
			return "unparsable output: " + err.Error()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch strings.ToLower(t.Name.Local) {
			case "script", "foreignobject", "set", "animate", "animatetransform", "animatemotion", "iframe", "object", "embed", "feimage":
				return "element " + t.Name.Local
			}
			for _, a := range t.Attr {
				v := strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
				switch {
				case strings.HasPrefix(strings.ToLower(a.Name.Local), "on"):
					return "handler " + a.Name.Local
				case strings.Contains(v, "javascript:"):
					return "javascript: in " + a.Name.Local
				case a.Name.Local == "href" && !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:image/"):
					return "external href " + a.Value
				case strings.Contains(v, "url(") && !strings.Contains(v, "url(#") && !strings.Contains(v, `url("#`) && !strings.Contains(v, `url('#`):
					return "external url() in " + a.Name.Local
				}
			}
		case xml.CharData:
			if l := strings.ToLower(string(t)); strings.Contains(l, "@import") {
				return "@import in text"
			}
		case xml.ProcInst:
			if t.Target != "xml" {
				return "processing instruction " + t.Target
			}
		case xml.Directive:
			return "directive " + string(t)
		}
	}
}

func TestSanitizeSVGKeepsCleanLogos(t *testing.T) {
	clean := `<?xml version="1.0" encoding="UTF-8"?>
<!-- Illustrator -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 240 48" role="img" aria-label="Kestrel">
  <defs><style>.a { fill: #123 } .b > path { stroke: url(#g) }</style>
  <linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <path class="a" d="M6 34 L22 14 Z"/><use xlink:href="#g"/>
  <text x="56" y="31" font-size="20">Kestrel &amp; Co</text>
</svg>`
	out, err := SanitizeSVG([]byte(clean))
	if err != nil || string(out) != clean {
		t.Errorf("a clean logo was changed (%v):\n%s", err, out)
	}
}

func TestSanitizeSVGRejectsNonSVG(t *testing.T) {
	for _, in := range []string{``, `<html/>`, `<svg>`, `<svg/><svg/>`, `<svg xmlns="http://www.w3.org/1999/xhtml"/>`, `<svg>&bogus;</svg>`, strings.Repeat("<g>", 100) + `<svg/>`} {
		if _, err := SanitizeSVG([]byte(in)); err == nil {
			t.Errorf("%q was accepted", in)
		}
	}
}

func FuzzSanitizeSVG(f *testing.F) {
	for _, s := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="url(#a)"/></svg>`,
		`<svg onload="x()"><script>x()</script><a href="javascript:x()"><text>t</text></a></svg>`,
		`<svg><style>@import url(//e.example/a.css)</style><rect style="fill:u\72l(//e)"/></svg>`,
		`<svg><foreignObject><div xmlns="http://www.w3.org/1999/xhtml" onclick="x()"/></foreignObject></svg>`,
		`<svg xmlns:x="http://www.w3.org/1999/xlink"><use x:href="https://e.example/s.svg#a"/><image href="data:image/png;base64,AAAA"/></svg>`,
		`<?xml-stylesheet href="a.css"?><!DOCTYPE svg [<!ENTITY e "x">]><svg><set attributeName="href" to="javascript:x()"/></svg>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := SanitizeSVG(data)
		if err != nil {
			return
		}
		if why := svgUnsafe(out); why != "" {
			t.Fatalf("sanitized output has %s:\n%s", why, out)
		}
		again, err := SanitizeSVG(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not stable (%v):\n%s\n%s", err, out, again)
		}
	})
}
