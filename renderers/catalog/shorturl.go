package catalog

import (
	"html/template"
	"math"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// shortURL is the canonical URL as people type it: no scheme, no
// "www.", no trailing slash. The print snippet shows the portal path this
// way for people to type; its QR code carries the tracked /r/ link when
// the service renders for publishing (LinkPlan.Track).
func shortURL(canonical string) string {
	u, err := url.Parse(canonical)
	if err != nil {
		return canonical
	}
	return strings.TrimPrefix(u.Host, "www.") + strings.TrimSuffix(path.Clean("/"+u.Path), "/")
}

// breakAtSlashes marks up a short URL so that a line may break after a
// "/" and nowhere else: each segment is kept whole (a slug's hyphens are
// break opportunities to a browser, which would print "cross-" on one line
// and "channel-marketing" on the next), with a <wbr> after each slash.
func breakAtSlashes(s string) template.HTML {
	var b strings.Builder
	for i, seg := range strings.SplitAfter(s, "/") {
		if seg == "" {
			continue
		}
		if i > 0 {
			b.WriteString("<wbr>")
		}
		b.WriteString(`<span class="seg">`)
		b.WriteString(template.HTMLEscapeString(seg))
		b.WriteString("</span>")
	}
	return template.HTML(b.String())
}

// urlFontSize is the print snippet's URL size in points: 8.5 pt, or less
// when the URL's longest unbreakable segment would not fit the snippet's
// 89 mm line (a slug may be 80 characters). Monospaced faces advance about
// 0.6 em a character; 0.62 leaves room for wider ones. Below 5 pt a print
// is hard to read, so a longer segment runs past the margin instead.
func urlFontSize(short string) float64 {
	const linePt, advance, maxPt, minPt = 89 / 25.4 * 72, 0.62, 8.5, 5.0
	longest := 0
	for _, seg := range strings.SplitAfter(short, "/") {
		longest = max(longest, utf8.RuneCountInString(seg))
	}
	if longest == 0 {
		return maxPt
	}
	size := math.Floor(linePt/(advance*float64(longest))*10) / 10
	return min(maxPt, max(minPt, size))
}
