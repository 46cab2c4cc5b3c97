package content

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/goldmark"

	"github.com/crosscast/crosscast/internal/golden"
)

// pastedCases are bodies as they arrive from a word processor or a web
// page; testdata/pasted.golden holds the HTML each becomes.
var pastedCases = []struct{ name, body string }{
	{"bullets", "What you get:\n\n• a tent\n• two poles\n• **twelve** pegs\n"},
	{"lead line", "What you get:\n• a tent\n• two poles\n"},
	{"blank lines between", "• one\n\n• two\n\n• three\n\nAfter.\n"},
	{"continued item", "• a long item\nthat goes on\n• the next\n"},
	{"dashes", "– first\n– second\n"},
	{"dashes across blank lines", "– first\n\n– second\n"},
	{"dialogue dash", "– Bonjour, dit-il.\n\nElle ne répondit pas.\n"},
	{"not a bullet", "•word stays\n\n•\n\nText – with a dash.\n"},
	{"bullet in a quote", "> • quoted\n> • list\n"},
	{"links and code", "• see [the map](https://maps.example/) and `code`\n• <https://a.example/>\n"},
	{"no-break space", "One.\n\n\u00a0\n\nTwo.\n\n&nbsp;\n\n\u00a0 \u00a0\n\nThree.\n"},
	{"real content kept", "\u00a0x\n\n**\u00a0**\n"},
}

func TestPasted(t *testing.T) {
	var out bytes.Buffer
	for _, c := range pastedCases {
		it := mustParse(t, "---\ntitle: Pasted\n---\n"+c.body, nil, ParseOptions{})
		var html bytes.Buffer
		md := goldmark.New(goldmark.WithExtensions(MarkdownExtensions()...))
		if err := md.Renderer().Render(&html, it.Body, it.Doc); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "== %s\n%s\n--\n%s\n", c.name, strings.TrimSuffix(c.body, "\n"), html.String())
	}
	golden.Check(t, "pasted.golden", out.Bytes())
}

func FuzzPasted(f *testing.F) {
	for _, c := range pastedCases {
		f.Add(c.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		it, err := ParseBytes(nil, "index.md", []byte("---\ntitle: Pasted\n---\n"+body), ParseOptions{})
		if err != nil {
			return // refused input never reaches the pass
		}
		var html bytes.Buffer
		md := goldmark.New(goldmark.WithExtensions(MarkdownExtensions()...))
		if err := md.Renderer().Render(&html, it.Body, it.Doc); err != nil {
			t.Fatal(err)
		}
	})
}
