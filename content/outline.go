package content

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"

	"github.com/crosscast/crosscast/content/textcut"
)

// Outline is what an item says, in whole sentences, for the channels
// that write about an item rather than show it: social posts and the
// derived summary. It is bounded: a huge body gives no longer outline.
type Outline struct {
	// Lead holds the intro's paragraphs (those before the first heading,
	// or else the first one), each as its sentences, label-like lines
	// such as "Contents of this article" or "In this article you learn:"
	// left out.
	Lead [][]string
	// Points are the body's key points in document order: headings, the
	// first sentence of each section, list items.
	Points []Point
}

// PointKind says what a key point is.
type PointKind int

// Kinds of key points.
const (
	PointHeading PointKind = iota
	PointSentence
	PointItem
)

// Point is one key point.
type Point struct {
	Kind PointKind
	Text string // trimmed; a sentence, or a heading or list item as written
}

// Bounds of an outline. Segmenting text into sentences is the costly
// part (a 1 MiB paragraph took 6.5 s), so only this much is segmented:
// enough for the longest post (LinkedIn's 3,000 characters) several
// times over.
const (
	outlineLeadBytes  = 12 << 10
	outlinePointBytes = 2 << 10 // of each point's text
	outlineMaxPoints  = 40
	outlineListItems  = 12 // per list
)

// Outline returns the item's outline. It stops, returning ctx.Err(),
// once ctx is done.
func (it *Item) Outline(ctx context.Context) (*Outline, error) {
	return outline(ctx, it.Doc, it.Body, it.Lang)
}

func outline(ctx context.Context, doc ast.Node, src []byte, lang string) (*Outline, error) {
	o := &Outline{}
	if doc == nil {
		return o, nil
	}
	leadLeft := outlineLeadBytes
	intro := true         // before the first heading
	sectionFirst := false // the next paragraph opens a section
	var firstLater *ast.Paragraph
	addPoint := func(k PointKind, text string) {
		if text = strings.TrimSpace(text); text != "" && len(o.Points) < outlineMaxPoints {
			o.Points = append(o.Points, Point{Kind: k, Text: text})
		}
	}
	for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch n := c.(type) {
		case *ast.Heading:
			intro, sectionFirst = false, true
			if n.Level <= 3 {
				addPoint(PointHeading, boundedPlain(n, src, outlinePointBytes))
			}
		case *ast.Paragraph:
			text, label := proseOf(n, src, leadLeft, c.NextSibling() != nil)
			if label || text == "" {
				continue
			}
			switch {
			case intro && leadLeft > 0:
				if ss := leadSentences(text, lang, leadLeft); len(ss) > 0 {
					o.Lead = append(o.Lead, ss)
					leadLeft -= len(text)
				}
			case sectionFirst:
				if firstLater == nil && len(o.Lead) == 0 {
					firstLater = n
				}
				addPoint(PointSentence, textcut.FirstSentence(clipBytes(text, outlinePointBytes), lang))
				sectionFirst = false
			}
		case *ast.List:
			i := 0
			for li := n.FirstChild(); li != nil && i < outlineListItems; li = li.NextSibling() {
				if t := boundedPlain(li, src, outlinePointBytes); t != "" {
					addPoint(PointItem, textcut.FirstSentence(t, lang))
					i++
				}
			}
			sectionFirst = false
		case *extast.Table, *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock, *ast.ThematicBreak:
			// Not prose: neither lead nor a point.
		}
	}
	if len(o.Lead) == 0 && firstLater != nil {
		// No intro: the first section's opening paragraph leads, and is
		// no longer a point of its own.
		text, _ := proseOf(firstLater, src, outlineLeadBytes, true)
		o.Lead = append(o.Lead, leadSentences(text, lang, outlineLeadBytes))
		first := strings.TrimSpace(o.Lead[0][0])
		for i, p := range o.Points {
			if p.Kind == PointSentence && p.Text == first {
				o.Points = append(o.Points[:i], o.Points[i+1:]...)
				break
			}
		}
	}
	return o, nil
}

// leadSentences splits a lead paragraph, cut to at most limit bytes, into
// trimmed sentences; a sentence the cut left unfinished is dropped.
func leadSentences(text, lang string, limit int) []string {
	cut := len(text) > limit
	text = clipBytes(text, limit)
	pieces := textcut.Sentences(text, lang)
	if cut && len(pieces) > 1 && !textcut.EndsSentence(pieces[len(pieces)-1]) {
		pieces = pieces[:len(pieces)-1]
	}
	var out []string
	for _, p := range pieces {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// clipBytes cuts s to at most n bytes at a character boundary.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// boundedPlain is the plain text of n, cut to about limit bytes.
func boundedPlain(n ast.Node, src []byte, limit int) string {
	return clipBytes(PlainText(n, src), limit)
}

// proseOf returns a paragraph's text without a label-like first line,
// and label = true when the whole paragraph is a label: a bold-only
// line ("**Contents of this article**"), a line ending in a colon
// ("In this article you will learn:"), or a short line standing alone
// without closing punctuation, which is a heading in all but name.
// Only about limit bytes of text are kept.
func proseOf(p *ast.Paragraph, src []byte, limit int, more bool) (text string, label bool) {
	lines := paragraphLines(p, src, limit)
	// One label line at most: a paragraph of short lines (an address,
	// a verse) is prose.
	if len(lines) > 0 && isLabel(lines[0], len(lines) == 1 || lines[0].hardBreak, more || len(lines) > 1) {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return "", true
	}
	var texts []string
	for _, l := range lines {
		texts = append(texts, l.text)
	}
	return strings.Join(texts, " "), false
}

type paraLine struct {
	text      string
	boldOnly  bool
	hardBreak bool // the line ends with a hard line break
}

// paragraphLines splits a paragraph's plain text at its line breaks,
// noting lines that are bold and nothing else.
func paragraphLines(p *ast.Paragraph, src []byte, limit int) []paraLine {
	var lines []paraLine
	var b strings.Builder
	bold, other := false, false
	size := 0
	flush := func(hard bool) {
		t := strings.Join(strings.Fields(b.String()), " ")
		if t != "" {
			lines = append(lines, paraLine{text: t, boldOnly: bold && !other, hardBreak: hard})
			size += len(t)
		}
		b.Reset()
		bold, other = false, false
	}
	for c := p.FirstChild(); c != nil && size < limit; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(src)
			b.Write(v)
			if strings.TrimSpace(string(v)) != "" {
				other = true
			}
			if c.SoftLineBreak() || c.HardLineBreak() {
				flush(c.HardLineBreak())
			}
		case *ast.Emphasis:
			t := PlainText(c, src)
			b.WriteString(t)
			if c.Level >= 2 {
				bold = bold || t != ""
			} else {
				other = true
			}
			if last, ok := c.LastChild().(*ast.Text); ok && (last.SoftLineBreak() || last.HardLineBreak()) {
				flush(last.HardLineBreak())
			}
		case *ast.String:
			b.Write(c.Value)
			other = true
		case *ast.AutoLink:
			b.Write(c.Label(src))
			other = true
		case *ast.Image, *ast.RawHTML:
			// neither reads as prose
		default:
			b.WriteString(PlainText(c, src))
			other = true
		}
	}
	flush(false)
	return lines
}

// isLabel reports whether a paragraph's first line is a label rather
// than prose. alone: the line stands alone (a paragraph of its own, or
// a line ended by a hard break), not soft-wrapped prose; more: text
// follows it, so that a short one without closing punctuation is a
// heading.
func isLabel(l paraLine, alone, more bool) bool {
	t := strings.TrimSpace(l.text)
	switch {
	case l.boldOnly:
		return true
	case !alone:
		return false // a soft-wrapped line, even one ending in ":", is prose
	case strings.HasSuffix(t, ":"):
		return true
	}
	if !more {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(t, `"')]»”’`))
	if strings.ContainsRune(".!?…。！？", r) || unicode.IsPunct(r) && r != ')' {
		return false
	}
	return len(strings.Fields(t)) <= 8
}

// SummaryLimit is the most characters a derived summary has.
const SummaryLimit = 300

// deriveSummary is the summary of an item that gives none: its lead's
// first paragraph, ended after the last sentence that fits in
// SummaryLimit characters, else after a word.
func deriveSummary(it *Item) string {
	o, err := outline(context.Background(), it.Doc, it.Body, it.Lang)
	if err != nil || len(o.Lead) == 0 {
		return ""
	}
	return textcut.Clip(strings.Join(o.Lead[0], " "), SummaryLimit, it.Lang)
}
