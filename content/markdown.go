package content

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MarkdownExtensions are the goldmark extensions crosscast's Markdown
// dialect uses: GitHub-flavoured tables, strikethrough, autolinks and task
// lists, plus footnotes and definition lists. Renderers add theirs to the
// same list so that the tree parsed here renders the same way everywhere.
func MarkdownExtensions() []goldmark.Extender {
	return []goldmark.Extender{extension.GFM, extension.Footnote, extension.DefinitionList}
}

// markdownOptions say how a body is parsed beyond crosscast's dialect.
type markdownOptions struct {
	compat string // under hugo or jekyll: typographer and Hugo's heading ids
	lang   string // the item's language, for quotation marks and labels
}

// parseMarkdown parses body with heading IDs drawn from Slugify, so anchors
// read "#pricing" and not "#heading-3" (under compat, the ids Hugo gives),
// then applies block attributes and alerts and sanitises attributes.
func parseMarkdown(body []byte, o markdownOptions) ast.Node {
	exts := MarkdownExtensions()
	var ids parser.IDs = newHeadingIDs()
	if o.compat != "" {
		// Hugo and Jekyll (kramdown) both apply smart punctuation by default.
		exts = append(exts, typographer(o.lang))
		ids = newHugoIDs()
	}
	md := goldmark.New(
		goldmark.WithExtensions(exts...),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithAttribute(),
			parser.WithBlockParsers(util.Prioritized(attrBlockParser{}, 90)),
			parser.WithASTTransformers(util.Prioritized(&extTransformer{ids: ids, lang: o.lang}, 900)),
		),
	)
	ctx := parser.NewContext(parser.WithIDs(ids))
	return md.Parser().Parse(text.NewReader(body), parser.WithContext(ctx))
}

// headingIDs implements parser.IDs with slug IDs, unique per document.
type headingIDs struct{ ids *IDSet }

func newHeadingIDs() *headingIDs { return &headingIDs{ids: NewIDSet()} }

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := Slugify(string(value))
	if base == "" {
		base = "section"
	}
	return []byte(h.ids.Unique(base))
}

func (h *headingIDs) Put(value []byte) { h.ids.Add(string(value)) }

// IDSet hands out ids unique within one document. It remembers, per
// base, the suffix to try next, so n ids from the same base cost O(n) in
// all, not O(n²): 20,000 identical headings took minutes when each one
// counted up from -2 again.
type IDSet struct {
	taken map[string]bool
	next  map[string]int
}

// NewIDSet returns a set holding the reserved ids.
func NewIDSet(reserved ...string) *IDSet {
	s := &IDSet{taken: map[string]bool{}, next: map[string]int{}}
	for _, id := range reserved {
		s.Add(id)
	}
	return s
}

// Add marks id as taken.
func (s *IDSet) Add(id string) { s.taken[id] = true }

// Unique returns base, or the first of base-2, base-3, … not yet taken,
// and marks it taken.
func (s *IDSet) Unique(base string) string {
	id := base
	if s.taken[id] {
		n := max(s.next[base], 2)
		for s.taken[base+"-"+strconv.Itoa(n)] {
			n++
		}
		id = base + "-" + strconv.Itoa(n)
		s.next[base] = n + 1
	}
	s.taken[id] = true
	return id
}

// PlainText returns the text of an inline subtree with markup removed,
// images dropped and line breaks turned into spaces.
func PlainText(n ast.Node, src []byte) string {
	var b strings.Builder
	writePlain(&b, n, src)
	return strings.Join(strings.Fields(b.String()), " ")
}

func writePlain(b *strings.Builder, n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.Image, *ast.RawHTML:
			// neither reads as prose
		case *ast.AutoLink:
			b.Write(c.Label(src))
		default:
			writePlain(b, c, src)
		}
	}
}

// countWords counts words in prose and code. Han, kana and Hangul runes
// count one each, since those scripts do not separate words with spaces.
func countWords(doc ast.Node, src []byte) int {
	words := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			words += wordsIn(n.Segment.Value(src))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				words += wordsIn(seg.Value(src))
			}
		}
		return ast.WalkContinue, nil
	})
	return words
}

func wordsIn(b []byte) int {
	n, inWord := 0, false
	for len(b) > 0 {
		if c := b[0]; c < utf8.RuneSelf { // ASCII fast path: most text
			b = b[1:]
			space := c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
			if !space && !inWord {
				n++
			}
			inWord = !space
			continue
		}
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			n++
			inWord = false
		case unicode.IsSpace(r):
			inWord = false
		default:
			if !inWord {
				n++
			}
			inWord = true
		}
	}
	return n
}

// readingMinutes assumes 230 words a minute, a common adult silent-reading
// rate, and never says less than one minute.
func readingMinutes(words int) int {
	return max(1, (words+229)/230)
}

// lineOf returns the 1-based line in src of the block that holds n.
func lineOf(n ast.Node, src []byte) int {
	for p := n; p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			return bytes.Count(src[:p.Lines().At(0).Start], []byte{'\n'}) + 1
		}
	}
	return 1
}
