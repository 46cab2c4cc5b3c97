package content

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxNesting is how deeply Markdown may nest: every blockquote, list,
// list item, paragraph, emphasis and link inside another is one level.
// The HTML every channel builds must stay well inside the 512 open
// elements an HTML parser accepts (golang.org/x/net/html panics past
// that), with room for each channel's own page or email wrapper.
const MaxNesting = 100

// MaxElements is how many Markdown elements (every node but plain text:
// paragraphs, headings, list items, links, emphasis, code spans…) a body
// may hold. Each costs every channel real work (ids, anchors, inlined
// CSS, text layout), about 0.1 ms over the four; 10,000 keep a render of
// the largest body well under 2 s of CPU. A long article has a few
// thousand.
const MaxElements = 10_000

// linkScanBudget bounds the bytes goldmark's inline link parser would
// rescan for link destinations and titles that never close. Each `](`
// without its `)` sends goldmark to the end of the line (destination) or
// of the paragraph (title), so n of them in a row cost O(n²): 20,000
// `[a](` take seconds. Real writing rescans a few bytes per link; 16 MiB
// is about 50 ms of goldmark's time, hundreds of times what a long
// article with thousands of links needs.
const linkScanBudget = 16 << 20

// MaxDelimiterRuns bounds the runs of emphasis delimiters (`*`, `_`,
// `~`) in one paragraph. goldmark matches openers against closers by
// walking back over every earlier unmatched delimiter of the paragraph,
// so n unmatched runs cost O(n²): 15,000 take 80 ms, 60,000 take 2 s and
// 270,000 (under 1 MiB of "*a **b _c") take minutes. A paragraph of real
// writing has a few dozen.
const MaxDelimiterRuns = 5_000

// checkMarkdown rejects, before goldmark sees the body, the constructs
// that make goldmark's parsing super-linear: runs of unclosed link
// openers and containers nested far beyond MaxNesting. Both are
// rejected rather than escaped: escaping would need goldmark's own view
// of code spans and blocks to be right, and a writer is better served by
// a line to fix than by output that silently differs from what they
// wrote.
func checkMarkdown(d *diags, body []byte, bodyLine int) bool {
	lines := splitLines(body)
	if line, col, ok := linkScan(body, lines); !ok {
		rest := bytes.Count(body[lines[line-1].start+col-1:], []byte("]("))
		d.errorf(bodyLine+line-1, col, "", EInvalid,
			"%d link openers `](` from here on are never closed with `)`; each makes the parser rescan the rest of the line or paragraph. Close them, or escape the bracket as `\\]`", rest)
		return false
	}
	if line, col, ok := delimiterScan(body, lines); !ok {
		d.errorf(bodyLine+line-1, col, "", ETooLarge,
			"this paragraph has more than %d runs of emphasis markers (*, _ or ~), which would make the parser's time grow with their square; split the paragraph, or escape the markers as \\*", MaxDelimiterRuns)
		return false
	}
	if line := blockScan(body, lines); line > 0 {
		d.errorf(bodyLine+line-1, 1, "", ETooLarge,
			"the body has more than %d Markdown elements (paragraphs, headings, list items, links, emphasis, code spans…) by here; split it into several items", MaxElements)
		return false
	}
	if line, depth := containerDepth(body, lines); line > 0 {
		d.errorf(bodyLine+line-1, 1, "", ETooLarge,
			"the Markdown nests at least %d levels deep here; the limit is %d (each blockquote, list and list item counts)", depth, MaxNesting)
		return false
	}
	return true
}

// checkTree reports the first node of doc nested deeper than MaxNesting
// levels below the document, or the first element past MaxElements.
func checkTree(d *diags, doc ast.Node, body []byte, bodyLine int) bool {
	n, tooDeep := walkLimits(doc, body, MaxNesting, MaxElements)
	switch {
	case n == nil:
		return true
	case tooDeep:
		d.errorf(bodyLine+nodeLine(n, body)-1, 1, "", ETooLarge,
			"the Markdown nests more than %d levels deep here (each blockquote, list, list item, emphasis, link and unclosed HTML element inside another counts)", MaxNesting)
	default:
		d.errorf(bodyLine+nodeLine(n, body)-1, 1, "", ETooLarge,
			"the body has more than %d Markdown elements (paragraphs, headings, list items, links, emphasis, code spans…) by here; split it into several items", MaxElements)
	}
	return false
}

// walkLimits returns the first node, in document order, more than
// maxDepth levels below root (tooDeep), or the first element past
// maxElements, walking without recursion.
func walkLimits(root ast.Node, src []byte, maxDepth, maxElements int) (n ast.Node, tooDeep bool) {
	depth, elements, htmlDepth := 0, 0, 0
	for n = root; n != nil; {
		if raw := rawHTML(n, src); raw != nil {
			var peak int
			htmlDepth, peak = openTags(htmlDepth, raw)
			if depth+peak > maxDepth {
				return n, true
			}
		}
		if depth+htmlDepth > maxDepth {
			return n, true
		}
		if _, text := n.(*ast.Text); !text && n != root {
			if elements++; elements > maxElements {
				return n, false
			}
		}
		if c := n.FirstChild(); c != nil {
			n, depth = c, depth+1
			continue
		}
		for n != root && n.NextSibling() == nil {
			n, depth = n.Parent(), depth-1
		}
		if n == root {
			return nil, false
		}
		n = n.NextSibling()
	}
	return nil, false
}

// rawHTML returns the source of a raw HTML block or inline tag, or nil.
func rawHTML(n ast.Node, src []byte) []byte {
	var segs *text.Segments
	switch n := n.(type) {
	case *ast.HTMLBlock:
		segs = n.Lines()
		if n.HasClosure() {
			b := segmentsValue(segs, src)
			return append(b, n.ClosureLine.Value(src)...)
		}
	case *ast.RawHTML:
		segs = n.Segments
	default:
		return nil
	}
	return segmentsValue(segs, src)
}

func segmentsValue(segs *text.Segments, src []byte) []byte {
	var b []byte
	for i := range segs.Len() {
		seg := segs.At(i)
		b = append(b, seg.Value(src)...)
	}
	return b
}

// openTags adds to depth the elements raw HTML opens and does not close,
// and returns the deepest it got on the way.
// Void elements and those whose end tag an HTML parser supplies itself
// (p, li, td…) are not counted, so this stays a lower bound on what the
// channels' HTML parsers will hold open.
func openTags(depth int, raw []byte) (after, peak int) {
	z := html.NewTokenizer(bytes.NewReader(raw))
	peak = depth
	for {
		switch z.Next() {
		case html.ErrorToken:
			return depth, peak
		case html.StartTagToken:
			name, _ := z.TagName()
			if !selfClosing[atom.Lookup(name)] {
				depth++
				peak = max(peak, depth)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if !selfClosing[atom.Lookup(name)] && depth > 0 {
				depth--
			}
		}
	}
}

// selfClosing are elements that never stay open: void elements, and
// those an HTML parser closes by itself when a sibling starts.
var selfClosing = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true, atom.Hr: true,
	atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true, atom.Source: true,
	atom.Track: true, atom.Wbr: true, atom.P: true, atom.Li: true, atom.Dt: true, atom.Dd: true,
	atom.Option: true, atom.Optgroup: true, atom.Tr: true, atom.Td: true, atom.Th: true,
	atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Rt: true, atom.Rp: true,
}

// nodeLine is the 1-based body line where n starts: the first line of
// the first block at or below it that holds text.
func nodeLine(n ast.Node, src []byte) int {
	for p := n; p != nil; p = p.FirstChild() {
		if t, ok := p.(*ast.Text); ok {
			return bytes.Count(src[:t.Segment.Start], []byte{'\n'}) + 1
		}
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			return bytes.Count(src[:p.Lines().At(0).Start], []byte{'\n'}) + 1
		}
	}
	return lineOf(n, src)
}
