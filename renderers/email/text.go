package email

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"

	"github.com/crosscast/crosscast/renderers/markup"
)

// textWidth is where the plain-text part wraps: RFC 5322's advice of 78
// characters a line.
const textWidth = 78

// textWriter writes the plain-text part from the Markdown tree (not by
// scraping the HTML): headings underlined, lists kept, links as numbered
// references listed at the end, lines wrapped at 78 characters.
type textWriter struct {
	src   []byte
	out   bytes.Buffer
	refs  []string       // numbered link targets, in order
	refOf map[string]int // target → number
	link  func(string) string
}

func newTextWriter(src []byte, link func(string) string) *textWriter {
	return &textWriter{src: src, refOf: map[string]int{}, link: link}
}

// ref returns the reference number for a link target.
func (w *textWriter) ref(target string) int {
	target = w.link(target)
	if n, ok := w.refOf[target]; ok {
		return n
	}
	w.refs = append(w.refs, target)
	w.refOf[target] = len(w.refs)
	return len(w.refs)
}

// blocks writes a node's block children, separated by blank lines, with
// prefix in front of each line (list indents, quote marks).
func (w *textWriter) blocks(n ast.Node, first, rest string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.block(c, first, rest)
		first = rest
	}
}

// title writes the email's title underlined with "=", the way a plain-text
// reader (and Setext) tells it from the section headings below it.
func (w *textWriter) title(t string) { w.underlined(t, '=', "", "") }

// heading writes a section heading of the body underlined with "-",
// whatever its level: the title is the one "=" heading.
func (w *textWriter) heading(t string, first, rest string) { w.underlined(t, '-', first, rest) }

// underlined writes t wrapped like a paragraph, then a line of mark as
// wide, in display columns, as its widest line (a CJK character or an
// emoji takes two, a combining accent none).
func (w *textWriter) underlined(t string, mark rune, first, rest string) {
	text := wrap(t, first, rest, textWidth)
	cols := 0
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		cols = max(cols, uniseg.StringWidth(line)-uniseg.StringWidth(rest))
	}
	w.out.WriteString(text + "\n" + rest + strings.Repeat(string(mark), max(cols, 1)) + "\n\n")
}

func (w *textWriter) para(s, first, rest string) {
	w.out.WriteString(wrap(s, first, rest, textWidth))
	w.out.WriteString("\n\n")
}

func (w *textWriter) block(n ast.Node, first, rest string) {
	switch n := n.(type) {
	case *ast.Heading:
		w.heading(w.inline(n), first, rest)
	case *ast.Paragraph, *ast.TextBlock:
		if s := strings.TrimSpace(w.inline(n)); s != "" {
			w.para(s, first, rest)
		}
	case *ast.List:
		i := n.Start
		if i == 0 {
			i = 1
		}
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			mark := "- "
			if n.IsOrdered() {
				mark = fmt.Sprintf("%d. ", i)
				i++
			}
			pad := strings.Repeat(" ", len(mark))
			w.blocks(item, first+mark, rest+pad)
			first = rest
			// A tight list has no blank lines between its items.
			if n.IsTight && bytes.HasSuffix(w.out.Bytes(), []byte("\n\n")) {
				w.out.Truncate(w.out.Len() - 1)
			}
		}
		if n.IsTight {
			w.out.WriteString("\n")
		}
	case *ast.Blockquote:
		w.blocks(n, first+"> ", rest+"> ")
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		// Code keeps its lines; it is not wrapped.
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			w.out.WriteString(rest + "    " + strings.TrimRight(string(seg.Value(w.src)), "\n") + "\n")
		}
		w.out.WriteString("\n")
	case *ast.ThematicBreak:
		w.out.WriteString(rest + strings.Repeat("-", 20) + "\n\n")
	case *ast.HTMLBlock:
		// Raw HTML has no plain-text form worth guessing at.
	case *extast.Table:
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			var cells []string
			for c := row.FirstChild(); c != nil; c = c.NextSibling() {
				cells = append(cells, strings.TrimSpace(w.inline(c)))
			}
			w.out.WriteString(wrap(strings.Join(cells, " | "), rest, rest+"  ", textWidth) + "\n")
		}
		w.out.WriteString("\n")
	case *extast.DefinitionTerm:
		if s := strings.TrimSpace(w.inline(n)); s != "" {
			w.para(s, first, rest)
		}
	case *extast.DefinitionDescription:
		w.blocks(n, rest+"    ", rest+"    ")
	case *extast.FootnoteList:
		w.out.WriteString(rest + strings.Repeat("-", 20) + "\n\n")
		i := 1
		for fn := n.FirstChild(); fn != nil; fn = fn.NextSibling() {
			w.blocks(fn, fmt.Sprintf("%s[^%d] ", rest, i), rest+"     ")
			i++
		}
	default:
		if n.HasChildren() {
			w.blocks(n, first, rest)
		}
	}
}

// inline flattens a node's inline content to text.
func (w *textWriter) inline(n ast.Node) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(w.src))
				if c.HardLineBreak() || c.SoftLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				walk(c)
			case *ast.Link:
				walk(c)
				// A link the HTML sanitizer drops (javascript:, data:, …)
				// keeps its text here too, without the reference.
				if markup.AllowedURL(string(c.Destination)) {
					fmt.Fprintf(&b, " [%d]", w.ref(string(c.Destination)))
				}
			case *ast.AutoLink:
				u := string(c.URL(w.src))
				switch {
				case c.AutoLinkType == ast.AutoLinkEmail:
					b.WriteString(u)
				case !markup.AllowedURL(u):
					b.WriteString(string(c.Label(w.src)))
				default:
					fmt.Fprintf(&b, "%s [%d]", u, w.ref(u))
				}
			case *ast.Image:
				if alt := strings.TrimSpace(w.inline(c)); alt != "" {
					fmt.Fprintf(&b, "[%s]", alt)
				}
			case *ast.RawHTML:
				// Tags are dropped; their text children, if any, are not
				// in this node.
			case *extast.TaskCheckBox:
				if c.IsChecked {
					b.WriteString("[x] ")
				} else {
					b.WriteString("[ ] ")
				}
			case *extast.FootnoteLink:
				fmt.Fprintf(&b, "[^%d]", c.Index)
			case *extast.FootnoteBacklink:
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return strings.Join(breakableFields(b.String()), " ")
}

// wrap breaks s into lines of at most width columns, the first starting
// with first and the rest with rest. A word longer than a line (a URL)
// gets a line of its own rather than being broken.
func wrap(s, first, rest string, width int) string {
	var b strings.Builder
	line, prefix := first, first
	for _, word := range breakableFields(s) {
		if line != prefix && uniseg.StringWidth(line)+1+uniseg.StringWidth(word) > width {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line, prefix = rest, rest
		}
		if line != prefix {
			line += " "
		}
		line += word
	}
	b.WriteString(strings.TrimRight(line, " "))
	return b.String()
}

// breakableFields splits s around the spaces a line may break at. No-break
// spaces (U+00A0, the narrow U+202F of French punctuation and CLDR prices,
// the figure space U+2007) stay inside their word, where strings.Fields
// would turn them into breakable ones.
func breakableFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '\u00a0', '\u202f', '\u2007':
			return false
		}
		return unicode.IsSpace(r)
	})
}
