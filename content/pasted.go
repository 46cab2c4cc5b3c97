package content

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Text pasted from a word processor or a web page keeps its look but not
// its structure: bullets arrive as "•" or "–" characters at the start of
// lines, and empty paragraphs as a lone no-break space. fixPasted turns the
// one into Markdown lists and drops the other, on the parsed tree, so every
// channel renders them the same way and positions stay those of the source.
//
// A "•" line is always a list item. A "–" line may be a dialogue dash in
// French or Polish prose, so it makes a list only when there are at least
// two of them in a row.
func fixPasted(doc ast.Node, src []byte) {
	var next ast.Node
	for n := doc.FirstChild(); n != nil; n = next {
		next = n.NextSibling()
		switch n := n.(type) {
		case *ast.Paragraph:
			if onlyNoBreakSpace(n, src) {
				doc.RemoveChild(doc, n)
			}
		case *ast.ListItem, *ast.Blockquote, *ast.List:
			fixPasted(n, src)
		}
	}
	bulletParagraphs(doc, src)
}

// pastedBullet returns the length in bytes of a pasted bullet ("•" or "–"
// and the spaces after it) at the start of line, and the bullet.
func pastedBullet(line []byte) (int, rune) {
	r, size := utf8.DecodeRune(line)
	if r != '•' && r != '–' {
		return 0, 0
	}
	n := size
	for n < len(line) {
		s, w := utf8.DecodeRune(line[n:])
		if s != ' ' && s != '\t' && s != '\u00a0' {
			break
		}
		n += w
	}
	if n == size || n == len(line) || strings.TrimSpace(string(line[n:])) == "" {
		return 0, 0 // "•word" or a bullet with nothing after it
	}
	return n, r
}

// pastedLine returns the paragraph's i-th line without its leading spaces,
// and where it starts in src.
func pastedLine(p *ast.Paragraph, src []byte, i int) ([]byte, int) {
	seg := p.Lines().At(i)
	start := seg.Start
	for start < seg.Stop && (src[start] == ' ' || src[start] == '\t') {
		start++
	}
	return src[start:seg.Stop], start
}

// bulletParagraphs turns the pasted bullet lines of parent's paragraphs
// into lists, one list for a run of them, even across blank lines.
func bulletParagraphs(parent ast.Node, src []byte) {
	type candidate struct {
		p       *ast.Paragraph
		bullets int
		dashes  bool // every bullet is "–"
		lead    bool // the first line is a bullet
	}
	var cands []candidate
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		p, ok := n.(*ast.Paragraph)
		if !ok {
			continue
		}
		c := candidate{p: p, dashes: true}
		for i := 0; i < p.Lines().Len(); i++ {
			line, _ := pastedLine(p, src, i)
			if n, r := pastedBullet(line); n > 0 {
				c.bullets++
				c.dashes = c.dashes && r == '–'
				c.lead = c.lead || i == 0
			}
		}
		if c.bullets > 0 {
			cands = append(cands, c)
		}
	}
	// Whether each candidate follows the one before it directly, taken
	// before the tree changes.
	follows := make([]bool, len(cands))
	for i := 1; i < len(cands); i++ {
		follows[i] = cands[i-1].p.NextSibling() == cands[i].p && cands[i].lead
	}
	var prev *ast.List // the list the last converted paragraph ended with
	for i, c := range cands {
		// A lone dash line is prose, unless a neighbouring paragraph
		// carries on the same list.
		if c.dashes && c.bullets < 2 {
			near := follows[i] || i+1 < len(cands) && follows[i+1]
			if !near {
				prev = nil
				continue
			}
		}
		list := toList(parent, c.p, src)
		if prev != nil && c.lead && prev.NextSibling() == list {
			for li := list.FirstChild(); li != nil; {
				nextLI := li.NextSibling()
				prev.AppendChild(prev, li)
				li = nextLI
			}
			parent.RemoveChild(parent, list)
			list = prev
		}
		prev = list
	}
}

// toList replaces p with the paragraph of its lines before the first
// bullet, if any, and a tight list of one item per bullet line; lines
// after a bullet line that are not bullets continue its item.
func toList(parent ast.Node, p *ast.Paragraph, src []byte) *ast.List {
	lines := p.Lines()
	type group struct {
		block ast.Node // a Paragraph (the lead) or a TextBlock
		cut   int      // the bullet ends here in src
		lines text.Segments
	}
	var groups []*group
	groupOf := make([]*group, lines.Len())
	for i := range lines.Len() {
		line, start := pastedLine(p, src, i)
		n, _ := pastedBullet(line)
		seg := lines.At(i)
		switch {
		case n > 0:
			groups = append(groups, &group{block: ast.NewTextBlock(), cut: start + n})
			seg = seg.WithStart(start + n)
		case len(groups) == 0:
			groups = append(groups, &group{block: ast.NewParagraph()})
		}
		g := groups[len(groups)-1]
		g.lines.Append(seg)
		groupOf[i] = g
	}
	lineFor := func(n ast.Node) int {
		off, ok := startOffset(n)
		if !ok {
			return -1
		}
		l := -1
		for i := range lines.Len() {
			if lines.At(i).Start <= off {
				l = i
			}
		}
		return l
	}
	g := groups[0]
	for c := p.FirstChild(); c != nil; {
		next := c.NextSibling()
		if l := lineFor(c); l >= 0 {
			g = groupOf[l]
		}
		if t, ok := c.(*ast.Text); ok && t.Segment.Start < g.cut {
			t.Segment = t.Segment.WithStart(min(g.cut, t.Segment.Stop))
		}
		p.RemoveChild(p, c)
		g.block.AppendChild(g.block, c)
		c = next
	}
	list := ast.NewList('-')
	list.IsTight = true
	for _, g := range groups {
		g.block.SetLines(&g.lines)
		if t, ok := g.block.LastChild().(*ast.Text); ok {
			t.SetSoftLineBreak(false)
		}
		if _, lead := g.block.(*ast.Paragraph); lead {
			parent.InsertBefore(parent, p, g.block)
			continue
		}
		item := ast.NewListItem(2)
		item.AppendChild(item, g.block)
		list.AppendChild(list, item)
	}
	parent.InsertBefore(parent, p, list)
	parent.RemoveChild(parent, p)
	return list
}

// startOffset is where inline node n starts in the source, when it says.
func startOffset(n ast.Node) (int, bool) {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Start, true
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			return n.Segments.At(0).Start, true
		}
		return 0, false
	}
	if c := n.FirstChild(); c != nil {
		return startOffset(c)
	}
	return 0, false
}

// onlyNoBreakSpace reports whether paragraph p holds nothing but no-break
// spaces (pasted as U+00A0 or written as &nbsp;), the empty paragraphs
// word processors put between real ones.
func onlyNoBreakSpace(p *ast.Paragraph, src []byte) bool {
	var b strings.Builder
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
		case *ast.String:
			b.Write(c.Value)
		default:
			return false
		}
	}
	s := strings.ReplaceAll(b.String(), "&nbsp;", "\u00a0")
	return strings.ContainsRune(s, '\u00a0') && strings.TrimFunc(s, unicode.IsSpace) == ""
}
