package catalog

import (
	"html"
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

// cutHTML returns the leading top-level elements of fragment s that fit
// in limit bytes, so no tag is left open; "" when not even the first fits.
func cutHTML(s string, limit int) string {
	body := &nethtml.Node{Type: nethtml.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := nethtml.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return ""
	}
	var out, one strings.Builder
	for _, n := range nodes {
		one.Reset()
		if err := nethtml.Render(&one, n); err != nil {
			break
		}
		if out.Len()+one.Len() > limit {
			break
		}
		out.WriteString(one.String())
	}
	return out.String()
}
