package email

import (
	"html/template"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// teaserBlocks is how many body blocks a teaser email keeps: the first
// paragraphs up to the first heading or rule, at most this many.
const teaserBlocks = 2

// teaserHTML keeps the leading blocks of a teaser; blocks are the rows
// blocks wrote.
func teaserHTML(rows []template.HTML) []template.HTML {
	n := 0
	for n < len(rows) && n < teaserBlocks {
		r := string(rows[n])
		inner := strings.TrimPrefix(r, `<tr><td class="block">`)
		if inner != r && strings.HasPrefix(inner, "<h") { // a heading or a rule
			break
		}
		n++
	}
	return rows[:n]
}

// teaserText writes the same leading blocks of the Markdown tree that
// teaserHTML keeps of the HTML.
func (w *textWriter) teaser(doc ast.Node) {
	n := 0
	for c := doc.FirstChild(); c != nil && n < teaserBlocks; c = c.NextSibling() {
		switch c.(type) {
		case *ast.Heading, *ast.ThematicBreak:
			return
		case *ast.HTMLBlock:
			continue // dropped from the HTML too
		}
		w.block(c, "", "")
		n++
	}
}
