package catalog

import (
	"html"
	"slices"
	"strings"

	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/crosscast/crosscast/content"
)

// Feeds are rebuilt and stored on every change to a brand, so their size
// is bounded: only the newest FeedFullItems carry their text, each cut to
// FeedContentMax bytes; the others carry their summary and a link.
const (
	FeedFullItems  = 20
	FeedContentMax = 64 << 10
)

// feedEntries returns the entries as the feeds carry them, their text
// bounded by feedContent.
func feedEntries(b *content.Brand, es []Entry) []Entry {
	out := slices.Clone(es)
	for i := range out {
		out[i].ContentHTML = feedContent(b, out[i], i < FeedFullItems)
	}
	return out
}

// feedContent is the HTML an entry carries in the feeds: its full text
// when it is among the newest (full) and fits, else as much of it as fits
// in whole top-level blocks, else its summary; a shortened text ends with
// a link to the page.
func feedContent(b *content.Brand, e Entry, full bool) string {
	if full && len(e.ContentHTML) <= FeedContentMax {
		return e.ContentHTML
	}
	more := `<p><a href="` + html.EscapeString(e.URL) + `">` + html.EscapeString(b.T(e.Lang, "continue_reading")) + `</a></p>`
	if full {
		if cut := cutHTML(e.ContentHTML, FeedContentMax-len(more)); cut != "" {
			return cut + more
		}
	}
	if e.Summary == "" {
		return more
	}
	return "<p>" + html.EscapeString(e.Summary) + "</p>" + more
}

// cutHTML returns the longest prefix of fragment s of at most limit
// bytes that ends between top-level elements, so no tag is left open;
// "" when not even the first element fits. It reads no further than it
// keeps.
func cutHTML(s string, limit int) string {
	z := nethtml.NewTokenizer(strings.NewReader(s))
	depth, off, cut := 0, 0, 0
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			return s[:cut] // the end (or a tokenizer error: keep what closed)
		}
		off += len(z.Raw())
		if off > limit {
			return s[:cut]
		}
		switch tt {
		case nethtml.StartTagToken:
			if name, _ := z.TagName(); !voidElement(atom.Lookup(name)) {
				depth++
			}
		case nethtml.EndTagToken:
			depth = max(depth-1, 0)
		}
		if depth == 0 {
			cut = off
		}
	}
}

// voidElement reports elements that have no end tag.
func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input, atom.Link, atom.Meta,
		atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
