package social

import (
	"net/url"
	"strings"

	"github.com/rivo/uniseg"
)

// shortLinkMax is how many characters of a link Bluesky posts show.
const shortLinkMax = 30

// ShortLinkText is how a link shows in a Bluesky post: the host and as
// much of the path as fits in 30 characters, then "…"; no scheme, no
// "www.", no query. The full URL goes into the post's link facet.
func ShortLinkText(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return clipGraphemes(raw, shortLinkMax)
	}
	s := strings.TrimPrefix(u.Host, "www.") + strings.TrimSuffix(u.EscapedPath(), "/")
	if u.RawQuery != "" || u.Fragment != "" {
		if uniseg.GraphemeClusterCount(s) < shortLinkMax {
			return s + Ellipsis
		}
	}
	return clipGraphemes(s, shortLinkMax)
}

func clipGraphemes(s string, n int) string {
	if uniseg.GraphemeClusterCount(s) <= n {
		return s
	}
	g := uniseg.NewGraphemes(s)
	end := 0
	for i := 0; i < n-1 && g.Next(); i++ {
		_, end = g.Positions()
	}
	return s[:end] + Ellipsis
}

// Facet is a Bluesky rich-text facet: a byte range of the post's UTF-8
// text and what it links to.
type Facet struct {
	ByteStart int    `json:"byteStart"`
	ByteEnd   int    `json:"byteEnd"`
	URI       string `json:"uri,omitempty"`
	Tag       string `json:"tag,omitempty"` // a hashtag, without "#"
}

// Facets finds the link's display text and the hashtags in a composed
// post and returns their facets, by UTF-8 byte offsets as Bluesky wants.
func Facets(post, display, uri string) []Facet {
	var out []Facet
	if display != "" {
		if i := strings.LastIndex(post, display); i >= 0 {
			out = append(out, Facet{ByteStart: i, ByteEnd: i + len(display), URI: uri})
		}
	}
	for _, span := range protected(post) {
		if post[span[0]] == '#' {
			out = append(out, Facet{ByteStart: span[0], ByteEnd: span[1], Tag: post[span[0]+1 : span[1]]})
		}
	}
	return out
}
