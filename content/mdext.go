package content

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The Markdown extensions Hugo and GitHub authors rely on beyond GFM:
// block attributes written on the line below a block ({.class #id}),
// GitHub alerts (> [!NOTE]) and, through the parser options, heading
// attributes. All of them end as plain goldmark nodes and attributes, so
// every channel renders them without knowing they were extensions.

// kindAttrBlock is a line holding only {…} attributes, applied to the
// block above it and then removed from the tree.
var kindAttrBlock = ast.NewNodeKind("AttributeBlock")

type attrBlock struct {
	ast.BaseBlock
	attrs parser.Attributes
}

func (n *attrBlock) Kind() ast.NodeKind               { return kindAttrBlock }
func (n *attrBlock) Dump(src []byte, level int)       { ast.DumpHelper(n, src, level, nil, nil) }
func (n *attrBlock) IsRaw() bool                      { return true }
func (n *attrBlock) CanInterruptParagraph() bool      { return true }
func (n *attrBlock) CanAcceptIndentedLine() bool      { return false }
func (p attrBlockParser) Trigger() []byte             { return []byte{'{'} }
func (p attrBlockParser) CanInterruptParagraph() bool { return true }
func (p attrBlockParser) CanAcceptIndentedLine() bool { return false }

type attrBlockParser struct{}

func (p attrBlockParser) Open(_ ast.Node, reader text.Reader, _ parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	if len(bytes.TrimSpace(line)) < 3 {
		return nil, parser.NoChildren
	}
	l, pos := reader.Position()
	attrs, ok := parser.ParseAttributes(reader)
	if ok {
		rest, _ := reader.PeekLine()
		ok = len(util.TrimRightSpace(rest)) == 0
	}
	if !ok {
		reader.SetPosition(l, pos)
		return nil, parser.NoChildren
	}
	if _, rest := reader.PeekLine(); rest.Len() > 1 {
		reader.Advance(rest.Len() - 1) // trailing blanks; the parser moves past the newline
	}
	n := &attrBlock{attrs: attrs}
	n.Lines().Append(seg)
	return n, parser.Close
}

func (p attrBlockParser) Continue(ast.Node, text.Reader, parser.Context) parser.State {
	return parser.Close
}
func (p attrBlockParser) Close(ast.Node, text.Reader, parser.Context) {}

// extTransformer applies block attributes, turns GitHub alerts into
// labelled callouts and then sanitises every attribute in the tree:
// only id (on headings) and class survive, with safe values.
type extTransformer struct {
	ids  parser.IDs
	lang string
}

func (t *extTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var attrBlocks []*attrBlock
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *attrBlock:
			attrBlocks = append(attrBlocks, n)
		case *ast.Blockquote:
			quotes = append(quotes, n)
		}
		return ast.WalkContinue, nil
	})
	for _, a := range attrBlocks {
		if prev := a.PreviousSibling(); prev != nil {
			for _, at := range a.attrs {
				if string(at.Name) == "class" {
					if old, ok := prev.AttributeString("class"); ok {
						prev.SetAttributeString("class", joinClass(old, at.Value))
						continue
					}
				}
				prev.SetAttribute(at.Name, at.Value)
			}
		}
		a.Parent().RemoveChild(a.Parent(), a)
	}
	for _, q := range quotes {
		alert(q, src, t.lang)
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Attributes() != nil {
			t.sanitize(n, src)
		}
		return ast.WalkContinue, nil
	})
}

func joinClass(old, add any) []byte {
	return []byte(strings.TrimSpace(attrString(old) + " " + attrString(add)))
}

func attrString(v any) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	return ""
}

var (
	classTokenRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,49}$`)
	// Ids may hold letters of any script: Hugo keeps "über-uns".
	anchorRE = regexp.MustCompile(`^[\p{L}\p{N}_:-][\p{L}\p{N}\p{M}_:.-]{0,99}$`)
)

// maxClasses bounds the classes one element keeps.
const maxClasses = 8

func (t *extTransformer) sanitize(n ast.Node, src []byte) {
	var id, class string
	for _, a := range n.Attributes() {
		switch string(a.Name) {
		case "id":
			id = attrString(a.Value)
		case "class":
			class = attrString(a.Value)
		}
	}
	n.RemoveAttributes()
	if h, ok := n.(*ast.Heading); ok && id != "" {
		if !anchorRE.MatchString(id) {
			id = string(t.ids.Generate([]byte(PlainText(h, src)), ast.KindHeading))
		}
		n.SetAttributeString("id", []byte(id))
	}
	var keep []string
	for _, c := range strings.Fields(class) {
		if classTokenRE.MatchString(c) && len(keep) < maxClasses {
			keep = append(keep, c)
		}
	}
	if len(keep) > 0 {
		n.SetAttributeString("class", []byte(strings.Join(keep, " ")))
	}
}

// alertKinds are GitHub's five alert types, with their labels per
// language (the base language of the item; English otherwise).
var alertKinds = map[string]map[string]string{
	"note":      {"en": "Note", "nl": "Opmerking", "de": "Hinweis", "fr": "Remarque", "pl": "Uwaga"},
	"tip":       {"en": "Tip", "nl": "Tip", "de": "Tipp", "fr": "Astuce", "pl": "Wskazówka"},
	"important": {"en": "Important", "nl": "Belangrijk", "de": "Wichtig", "fr": "Important", "pl": "Ważne"},
	"warning":   {"en": "Warning", "nl": "Waarschuwing", "de": "Warnung", "fr": "Avertissement", "pl": "Ostrzeżenie"},
	"caution":   {"en": "Caution", "nl": "Let op", "de": "Vorsicht", "fr": "Attention", "pl": "Ostrożnie"},
}

var alertRE = regexp.MustCompile(`^\[!([A-Za-z]+)\]\s*$`)

// alert turns a blockquote whose first line is [!NOTE] (or TIP,
// IMPORTANT, WARNING, CAUTION) into a callout: the marker goes, a bold
// "Note:" label starts the text, and the quote gets the classes
// "callout callout-note" for the channels that style it.
func alert(q *ast.Blockquote, src []byte, lang string) {
	p, ok := q.FirstChild().(*ast.Paragraph)
	if !ok || p.Lines().Len() == 0 {
		return
	}
	first := p.Lines().At(0)
	m := alertRE.FindSubmatch(first.Value(src))
	if m == nil {
		return
	}
	kind := strings.ToLower(string(m[1]))
	labels, ok := alertKinds[kind]
	if !ok {
		return
	}
	label := labels[baseLang(lang)]
	if label == "" {
		label = labels["en"]
	}
	// Drop the inline nodes of the marker line.
	for c := p.FirstChild(); c != nil; {
		t, ok := c.(*ast.Text)
		if !ok || t.Segment.Start < first.Start || t.Segment.Stop > first.Stop {
			break
		}
		next := c.NextSibling()
		p.RemoveChild(p, c)
		c = next
	}
	target := ast.Node(p)
	if p.FirstChild() == nil {
		next, ok := p.NextSibling().(*ast.Paragraph)
		q.RemoveChild(q, p)
		if !ok {
			target = ast.NewParagraph()
			q.InsertBefore(q, q.FirstChild(), target)
		} else {
			target = next
		}
	}
	strong := ast.NewEmphasis(2)
	strong.AppendChild(strong, ast.NewString([]byte(label+":")))
	sp := ast.NewString([]byte(" "))
	target.InsertBefore(target, target.FirstChild(), sp)
	target.InsertBefore(target, sp, strong)
	q.SetAttributeString("class", []byte("callout callout-"+kind))
}

// typographer applies Hugo's and kramdown's smart punctuation, with the
// quotation marks of the item's language and the characters themselves
// (not HTML entities), so the plain-text channels get them too.
func typographer(lang string) goldmark.Extender {
	q, ok := quoteMarks[baseLang(lang)]
	if !ok {
		q = quoteMarks["en"]
	}
	return extension.NewTypographer(extension.WithTypographicSubstitutions(map[extension.TypographicPunctuation]string{
		extension.LeftDoubleQuote:  q[0],
		extension.RightDoubleQuote: q[1],
		extension.LeftSingleQuote:  q[2],
		extension.RightSingleQuote: q[3],
		extension.Apostrophe:       "’",
		extension.EnDash:           "–",
		extension.EmDash:           "—",
		extension.Ellipsis:         "…",
		extension.LeftAngleQuote:   "«",
		extension.RightAngleQuote:  "»",
	}))
}

// quoteMarks per language: double open, double close, single open,
// single close. French quotes carry their no-break spaces.
var quoteMarks = map[string][4]string{
	"en": {"“", "”", "‘", "’"},
	"nl": {"“", "”", "‘", "’"},
	"de": {"„", "“", "‚", "‘"},
	"fr": {"«\u00a0", "\u00a0»", "‹\u00a0", "\u00a0›"},
	"pl": {"„", "”", "‚", "’"},
	"sv": {"”", "”", "’", "’"},
	"it": {"«", "»", "“", "”"},
	"es": {"«", "»", "“", "”"},
	"da": {"»", "«", "›", "‹"},
	"cs": {"„", "“", "‚", "‘"},
}

// hugoIDs implements parser.IDs the way Hugo's default (github)
// anchorize does: letters and digits of any script lower-cased, spaces
// and dashes as dashes, everything else dropped; "heading" for an empty
// one, and -1, -2, … on repeats.
type hugoIDs struct {
	taken map[string]bool
	next  map[string]int // per base, the suffix to try next: n repeats cost O(n)
}

func newHugoIDs() *hugoIDs { return &hugoIDs{taken: map[string]bool{}, next: map[string]int{}} }

func (h *hugoIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	base := HugoAnchor(string(value))
	if base == "" {
		base = "heading"
		if kind != ast.KindHeading {
			base = "id"
		}
	}
	id := base
	if h.taken[id] {
		i := max(h.next[base], 1)
		for h.taken[base+"-"+strconv.Itoa(i)] {
			i++
		}
		id = base + "-" + strconv.Itoa(i)
		h.next[base] = i + 1
	}
	h.taken[id] = true
	return []byte(id)
}

func (h *hugoIDs) Put(value []byte) { h.taken[string(value)] = true }

// HugoAnchor is the anchor Hugo's default github-style anchorize makes
// of a heading's text.
func HugoAnchor(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('-')
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
