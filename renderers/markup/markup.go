// Package markup turns an item's Markdown tree into sanitized HTML, the
// common starting point of every channel that shows the body as HTML.
package markup

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/PuerkitoBio/goquery"
	"github.com/crosscast/crosscast/content"
	"golang.org/x/net/html/atom"
	"strconv"
)

// Converter renders Markdown trees to sanitized HTML. It is safe for
// concurrent use.
type Converter struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a Converter. Code blocks are highlighted with CSS classes;
// CodeCSS returns the matching stylesheet.
func New() *Converter {
	exts := append(content.MarkdownExtensions(), highlighting.NewHighlighting(
		highlighting.WithFormatOptions(chromahtml.WithClasses(true), chromahtml.ClassPrefix("hl-")),
		highlighting.WithGuessLanguage(false),
	))
	return &Converter{
		md: goldmark.New(
			goldmark.WithExtensions(exts...),
			// Raw HTML goes through to the sanitizer, which decides what
			// stays; goldmark's own filter would drop it all.
			goldmark.WithRendererOptions(html.WithUnsafe()),
		),
		policy: Policy(),
	}
}

var (
	classRE = regexp.MustCompile(`^[A-Za-z0-9 _-]{1,200}$`)
	// Letters of any script: Hugo's heading ids keep them ("über-uns").
	idRE = regexp.MustCompile(`^[\p{L}\p{N}\p{M}:_.-]{1,100}$`)
)

// Policy is the sanitizer for item bodies: the usual user-content
// elements, classes for highlighting, ids for anchors and footnotes, and
// only http(s), mailto and relative URLs. Scripts, styles, event handler
// attributes, forms and frames never survive.
func Policy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false) // the writer's own links, not a stranger's
	// Classes also come from block attributes ({.class}, already
	// sanitised by content), alerts (callout) and link cards.
	p.AllowAttrs("class").Matching(classRE).OnElements("code", "pre", "span", "div", "a", "sup", "li", "ol", "section", "hr",
		"p", "blockquote", "ul", "dl", "dt", "dd", "table", "img", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("id").Matching(idRE).OnElements("h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "a", "div", "section")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|backlink|endnotes)$`)).OnElements("a", "div", "section")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	p.AllowElements("figure", "figcaption", "details", "summary", "mark", "kbd", "abbr")
	// Every allowed scheme passes through AllowedURL, so the HTML and the
	// channels that write links outside HTML (the email's plain-text
	// part) keep and drop the same links.
	for _, scheme := range urlSchemes {
		p.AllowURLSchemeWithCustomPolicy(scheme, allowedURL)
	}
	return p
}

// urlSchemes are the schemes a body link may have: no javascript:,
// data:, vbscript: or anything else a client might run.
var urlSchemes = []string{"http", "https", "mailto"}

// AllowedURL reports whether the sanitizer keeps a link to raw: a
// relative URL, or one with an allowed scheme, read the way bluemonday
// reads it (spaces trimmed, no inner whitespace, url.Parse lowercasing
// the scheme, so JaVaScRiPt: is javascript:).
func AllowedURL(raw string) bool {
	raw = strings.TrimSpace(raw)
	if strings.ContainsAny(raw, " \t\n") {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return u.Scheme == "" || allowedURL(u)
}

func allowedURL(u *url.URL) bool { return slices.Contains(urlSchemes, u.Scheme) }

// HTML renders the item's body and returns sanitized HTML. Unsanitized
// output never leaves this function.
func (c *Converter) HTML(it *content.Item) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.md.Renderer().Render(&buf, it.Body, it.Doc); err != nil {
		return nil, fmt.Errorf("rendering markdown: %w", err)
	}
	return c.policy.SanitizeBytes(buf.Bytes()), nil
}

// CodeCSS returns the stylesheet for highlighted code: light colours, and
// dark ones under prefers-color-scheme: dark. Both palettes keep every
// token at WCAG AA contrast against their background.
func CodeCSS() (string, error) {
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.ClassPrefix("hl-"))
	var light, dark bytes.Buffer
	if err := f.WriteCSS(&light, codeStyle("crosscast-light", lightPalette)); err != nil {
		return "", err
	}
	if err := f.WriteCSS(&dark, codeStyle("crosscast-dark", darkPalette)); err != nil {
		return "", err
	}
	return light.String() + "@media (prefers-color-scheme: dark) {\n" + dark.String() + "}\n", nil
}

type palette struct{ bg, text, keyword, str, comment, number, name, fn, punct string }

// Colours picked to keep 4.5:1 or more against bg.
var (
	lightPalette = palette{bg: "#f6f8fa", text: "#1f2328", keyword: "#a0111f", str: "#0a3069", comment: "#57606a", number: "#0550ae", name: "#6639ba", fn: "#6e3b00", punct: "#1f2328"}
	darkPalette  = palette{bg: "#161b22", text: "#e6edf3", keyword: "#ff7b72", str: "#a5d6ff", comment: "#9da7b3", number: "#79c0ff", name: "#d2a8ff", fn: "#ffa657", punct: "#e6edf3"}
)

func codeStyle(name string, p palette) *chroma.Style {
	return chroma.MustNewStyle(name, chroma.StyleEntries{
		chroma.Background:      p.text + " bg:" + p.bg,
		chroma.Keyword:         p.keyword,
		chroma.KeywordType:     p.name,
		chroma.NameBuiltin:     p.name,
		chroma.NameFunction:    p.fn,
		chroma.NameClass:       p.fn,
		chroma.NameTag:         p.keyword,
		chroma.NameAttribute:   p.name,
		chroma.LiteralString:   p.str,
		chroma.LiteralNumber:   p.number,
		chroma.Comment:         "italic " + p.comment,
		chroma.Operator:        p.keyword,
		chroma.Punctuation:     p.punct,
		chroma.GenericDeleted:  p.keyword,
		chroma.GenericInserted: p.str,
		chroma.GenericHeading:  "bold " + p.text,
		chroma.LineNumbers:     p.comment,
	})
}

// DemoteHeadings moves every heading under root down one level when the
// body has an h1 of its own: the channel's title is the only h1, so the
// outline stays correct.
func DemoteHeadings(root *goquery.Selection) {
	if root.Find("h1").Length() == 0 {
		return
	}
	for lvl := 5; lvl >= 1; lvl-- {
		root.Find("h" + strconv.Itoa(lvl)).Each(func(_ int, s *goquery.Selection) {
			name := "h" + strconv.Itoa(lvl+1)
			s.Nodes[0].Data, s.Nodes[0].DataAtom = name, atom.Lookup([]byte(name))
		})
	}
}
