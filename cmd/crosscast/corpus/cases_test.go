package corpus

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/crosscast/crosscast/internal/imagetest"
)

// The corpus's cases, generated: a few bad values combined with several
// fields and positions per class. Nothing large is committed; big inputs
// are built here, once, and deterministically.

type expect int

const (
	mustReject expect = iota // exit 1
	mayRender                // exit 0 or 1: either is a fair answer
	mustRender               // exit 0
)

// noLine in a case's lines: the problem has no line (a missing or
// unreadable file), so naming the file is enough.
const noLine = -1

type corpusCase struct {
	class, name string
	files       map[string][]byte // relative to the case folder; nil data deletes a kit file
	gen         func() map[string][]byte
	setup       func(dir string) error // symlinks, FIFOs, sparse files
	item        string                 // the argument to render
	file        string                 // the file a rejection must name
	lines       []int                  // acceptable lines; none: any line; {noLine}: the file alone
	expect      expect
	forbid      []string // stderr must not say these
	// rendersFirst marks a rejection that comes after rendering: a
	// folder's walk streams, so the first item of a slug clash renders
	// before the second shows the clash. It is held to a render's cost.
	rendersFirst bool
}

func corpusCases(kit map[string][]byte) []*corpusCase {
	var cs []*corpusCase
	cs = append(cs, frontMatterCases()...)
	cs = append(cs, markdownCases()...)
	cs = append(cs, imageCases()...)
	cs = append(cs, bundleCases()...)
	cs = append(cs, brandCases(string(kit["brand.yaml"]))...)
	cs = append(cs, headerCases()...)
	return cs
}

// doc builds an item from front-matter lines and a body.
func doc(fm []string, body string) []byte {
	return []byte("---\n" + strings.Join(fm, "\n") + "\n---\n" + body)
}

// lineOf is the 1-based line of the first occurrence of marker in src.
func lineOf(src []byte, marker string) int {
	i := bytes.Index(src, []byte(marker))
	if i < 0 {
		panic(fmt.Sprintf("corpus: marker %q not in source", marker))
	}
	return bytes.Count(src[:i], []byte("\n")) + 1
}

// mdCase is a lone Markdown file case with its lines found by marker.
func mdCase(class, name string, src []byte, ex expect, markers ...string) *corpusCase {
	c := &corpusCase{class: class, name: name, item: "item.md", file: "item.md", expect: ex,
		files: map[string][]byte{"item.md": src}}
	for _, m := range markers {
		c.lines = append(c.lines, lineOf(src, m))
	}
	return c
}

func q(s string) string { return strconv.Quote(s) }

// ---------------------------------------------------------------- front matter

func frontMatterCases() []*corpusCase {
	const class = "frontmatter"
	var cs []*corpusCase
	add := func(c *corpusCase) { cs = append(cs, c) }
	pads := []string{"author: A. Writer", "summary: A summary.", "tags: [a, b]", "lang: en"}

	// YAML syntax errors, each at four positions. marker is the bad line.
	syntax := []struct{ name, bad, marker string }{
		{"mapping-values", "author: a: b", "author: a: b"},
		{"control-char-quoted", "summary: \"a\x01b\"", "summary: \"a"},
		{"control-char-plain", "summary: a\x07b", "summary: a"},
		{"bad-escape", `summary: "a\qb"`, `summary: "a\q`},
		{"nul-byte", "summary: a\x00b", "summary: a"},
		{"tab-indent", "hero:\n\tsrc: x.jpg", "\tsrc"},
		{"bad-indent", "summary: a\n  b: c", "  b: c"},
		{"duplicate-key", "title: Again", "title: Again"},
		{"invalid-utf8", "summary: caf\xe9 au lait", "summary: caf"},
		{"unclosed-flow", "tags: [a, b\nauthor: x", "tags: [a"},
	}
	for _, s := range syntax {
		positions := []int{2}
		if strings.Contains("mapping-values invalid-utf8 unclosed-flow", s.name) {
			positions = []int{0, 3}
		}
		for _, p := range positions {
			fm := append([]string{"title: Corpus"}, pads[:p]...)
			fm = append(fm, s.bad)
			fm = append(fm, pads[p:]...)
			src := doc(fm, "Body.\n")
			c := mdCase(class, fmt.Sprintf("syntax-%s-at-%d", s.name, p), src, mustReject, s.marker)
			if s.name == "unclosed-flow" { // the error shows where the flow should have closed
				c.lines = append(c.lines, c.lines[0]+1)
			}
			add(c)
		}
	}

	// Unknown fields, at the unknown key.
	for _, u := range []struct{ name, fm, marker string }{
		{"sumary", "sumary: x", "sumary"},
		{"titel", "titel: x", "titel"},
		{"hero-scr", "hero:\n  scr: x.jpg", "scr:"},
		{"email-subjet", "email:\n  subjet: x", "subjet"},
		{"long-key", strings.Repeat("k", 10_000) + ": x", "kkk"},
	} {
		add(mdCase(class, "unknown-"+u.name, doc([]string{"title: Corpus", u.fm}, "Body.\n"), mustReject, u.marker))
	}
	many := []string{"title: Corpus"}
	for i := range 2000 {
		many = append(many, fmt.Sprintf("field%d: x", i))
	}
	add(mdCase(class, "unknown-2000-fields", doc(many, ""), mustReject, "field0:"))

	// Wrong types: the key's or the value's line.
	for _, w := range []struct{ name, fm, marker string }{
		{"draft-sometimes", "draft: sometimes", "draft"},
		{"tags-mapping", "tags:\n  nested: map", "tags"},
		{"date-word", "date: yesterday", "date"},
		{"date-feb-30", "date: 2026-02-30", "date"},
		{"hero-list", "hero: [1, 2]", "hero"},
		{"price-word", "product:\n  sku: X\n  price: abc\n  currency: EUR", "price"},
		{"price-3-decimals", "product:\n  sku: X\n  price: 1.001\n  currency: EUR", "price"},
		{"thread-maybe", "social:\n  thread: maybe", "thread"},
		{"variants-scalar", "email:\n  variants: x", "variants"},
		{"slug-spaces", "slug: Bad Slug", "slug"},
		{"id-path", "id: ../../etc/passwd", "id:"},
		{"lang-nonsense", "lang: not a tag!", "lang"},
		{"cta-javascript", "cta:\n  label: Go\n  url: javascript:alert(7)", "cta"},
		{"variants-duplicate", "email:\n  variants:\n    - name: a\n      subject: A\n    - name: a\n      subject: B", "email"},
	} {
		src := doc([]string{"title: Corpus", w.fm}, "Body.\n")
		c := mdCase(class, "type-"+w.name, src, mustReject, w.marker)
		// A rule about a nested value may point at the value, the line
		// below (a mapping's first entry) or the top-level field.
		c.lines = append(c.lines, c.lines[0]+1, lineOf(src, strings.SplitN(w.fm, ":", 2)[0]+":"))
		add(c)
	}
	add(mdCase(class, "title-blank", doc([]string{`title: "   "`}, "Body.\n"), mustReject, "title"))
	add(mdCase(class, "root-list", []byte("---\n- a\n- b\n---\nBody.\n"), mustReject, "- a"))
	add(mdCase(class, "deep-flow", doc([]string{"title: Corpus", "tags: " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000)}, ""), mustReject, "tags"))

	// YAML tags: nothing in front matter needs one.
	for _, tg := range []struct{ name, fm, marker string }{
		{"binary-title", "title: !!binary aGVsbG8=", "title"},
		{"evil-summary", "summary: !evil x", "summary"},
		{"python-author", "author: !!python/object:os.system x", "author"},
		{"set-tags", "tags: !!set {a, b}", "tags"},
		{"float-summary", "summary: !!float 1", "summary"},
		{"include-hero", "hero: !include /etc/passwd", "hero"},
	} {
		fm := []string{"title: Corpus", tg.fm}
		if tg.name == "binary-title" {
			fm = fm[1:]
		}
		add(mdCase(class, "tag-"+tg.name, doc(fm, "Body.\n"), mustReject, tg.marker))
	}

	// Anchors and aliases.
	add(mdCase(class, "alias-simple", doc([]string{"title: Corpus", "summary: &a x", "author: *a"}, ""), mustReject, "&a"))
	add(mdCase(class, "alias-merge", doc([]string{"title: Corpus", "hero: &h {src: https://x.example/a.jpg, alt: A}", "cta:", "  <<: *h"}, ""), mustReject, "&h"))
	laughs := []string{"title: Bomb", `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`}
	for i, n := range "bcdefghi" {
		laughs = append(laughs, fmt.Sprintf("%c: &%c [%s]", n, n, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*%c,", 'a'+i), 9), ",")))
	}
	add(mdCase(class, "alias-billion-laughs", doc(laughs, ""), mustReject, "&a"))

	// Numbers that are not numbers; focal points and currencies.
	for _, n := range []struct {
		name, fm, marker string
		ex               expect
	}{
		{"price-nan", "product:\n  sku: X\n  price: .nan\n  currency: EUR", "price", mustReject},
		{"price-inf", "product:\n  sku: X\n  price: .inf\n  currency: EUR", "price", mustReject},
		{"price-1e400", "product:\n  sku: X\n  price: 1e400\n  currency: EUR", "price", mustReject},
		{"price-negative", "product:\n  sku: X\n  price: -5\n  currency: EUR", "price", mayRender},
		{"currency-ZZZ", "product:\n  sku: X\n  price: 10\n  currency: ZZZ", "currency", mustReject},
		{"currency-AAA", "product:\n  sku: X\n  price: 10\n  currency: AAA", "currency", mustReject},
		{"currency-lower", "product:\n  sku: X\n  price: 10\n  currency: usd", "currency", mustReject},
		{"focus-NaN", "hero:\n  src: https://img.example/a.jpg\n  alt: A\n  focus: NaN,NaN", "focus", mustReject},
		{"focus-inf", "hero:\n  src: https://img.example/a.jpg\n  alt: A\n  focus: inf,0", "focus", mustReject},
		{"focus-2-2", "hero:\n  src: https://img.example/a.jpg\n  alt: A\n  focus: 2,2", "focus", mustReject},
		{"focus-negative", "hero:\n  src: https://img.example/a.jpg\n  alt: A\n  focus: -1,0.5", "focus", mustReject},
		{"focus-one-value", "hero:\n  src: https://img.example/a.jpg\n  alt: A\n  focus: 0.5", "focus", mustReject},
	} {
		src := doc([]string{"title: Corpus", n.fm}, "Body.\n")
		c := mdCase(class, n.name, src, n.ex, n.marker)
		parent := strings.SplitN(n.fm, ":", 2)[0] // product or hero
		c.lines = append(c.lines, lineOf(src, parent+":"))
		add(c)
	}

	// Huge strings.
	add(mdCase(class, "huge-title-over-fm-limit", doc([]string{"title: " + strings.Repeat("a", 70_000)}, ""), mustReject, "---", "title"))
	for _, f := range []string{"title", "summary", "author"} {
		fm := []string{"title: Corpus", f + ": " + strings.Repeat("word ", 12_000)}
		if f == "title" {
			fm = fm[1:]
		}
		add(mdCase(class, "huge-"+f+"-60k", doc(fm, "Body.\n"), mayRender, f+":"))
	}

	// Invalid UTF-8 where the line is known.
	for _, u := range []struct{ name, bad string }{
		{"latin1", "caf\xe9"}, {"lone-continuation", "a\x80b"}, {"surrogate", "a\xed\xa0\x80b"},
	} {
		add(mdCase(class, "utf8-summary-"+u.name, doc([]string{"title: Corpus", "author: A", "summary: " + u.bad}, "Body.\n"), mustReject, "summary:"))
	}
	add(mdCase(class, "utf8-title", doc([]string{"title: Caf\xe9"}, "Body.\n"), mustReject, "title:"))
	bodyUTF8 := doc([]string{"title: Corpus"}, "One.\n\nTwo.\n\nThree \xff here.\n")
	add(mdCase(class, "utf8-body-line-8", bodyUTF8, mustReject, "Three"))

	// Encodings and framing.
	add(mdCase(class, "bom", append([]byte("\ufeff"), doc([]string{"title: BOM first"}, "Body.\n")...), mustRender))
	add(mdCase(class, "bom-unknown-field", append([]byte("\ufeff"), doc([]string{"title: Corpus", "sumary: x"}, "")...), mustReject, "sumary"))
	crlf := bytes.ReplaceAll(doc([]string{"title: Windows", "summary: Saved with CRLF.", "tags: [a, b]"}, "Para one.\n\nPara two.\n"), []byte("\n"), []byte("\r\n"))
	add(mdCase(class, "crlf", crlf, mustRender))
	crlfBad := bytes.ReplaceAll(doc([]string{"title: Windows", "author: A", "sumary: x"}, "Body.\n"), []byte("\n"), []byte("\r\n"))
	add(mdCase(class, "crlf-unknown-field", crlfBad, mustReject, "sumary"))
	add(mdCase(class, "cr-only", bytes.ReplaceAll(doc([]string{"title: Old Mac"}, "Body.\n"), []byte("\n"), []byte("\r")), mayRender))
	add(mdCase(class, "dots-close", []byte("---\ntitle: Closed with dots\n...\nBody.\n"), mustRender))
	add(mdCase(class, "no-final-newline", []byte("---\ntitle: No newline\n---"), mustRender))
	add(mdCase(class, "unclosed", []byte("---\ntitle: Never closed\nsummary: x\nBody.\n"), mustReject, "---"))
	add(&corpusCase{class: class, name: "empty-file", item: "item.md", file: "item.md", expect: mustReject, files: map[string][]byte{"item.md": {}}})
	add(mdCase(class, "empty-front-matter", []byte("---\n---\nBody.\n"), mustReject, "---"))
	add(mdCase(class, "toml", []byte("+++\ntitle = 'x'\n+++\n"), mustReject, "+++"))
	add(mdCase(class, "only-nul", bytes.Repeat([]byte{0}, 1000), mustReject, "\x00"))
	return cs
}

// ---------------------------------------------------------------- Markdown

// body repeats unit n times, keeping the whole under the body limit.
func repeat(unit string, n int) string {
	const limit = 1_000_000
	if len(unit)*n > limit {
		n = limit / len(unit)
	}
	return strings.Repeat(unit, n)
}

func markdownCases() []*corpusCase {
	const class = "markdown"
	var cs []*corpusCase
	body := func(name string, ex expect, mk func() string) {
		cs = append(cs, &corpusCase{class: class, name: name, item: "item.md", file: "item.md", expect: ex,
			gen: func() map[string][]byte {
				return map[string][]byte{"item.md": doc([]string{"title: Markdown case", "summary: A pathological body."}, mk())}
			}})
	}
	scaled := func(name, unit string, counts ...int) {
		for _, n := range counts {
			body(fmt.Sprintf("%s-x%d", name, n), mayRender, func() string { return repeat(unit, n) })
		}
	}
	scaled("link-open", "[a](", 20_000, 200_000)
	scaled("same-heading", "## Same heading\n\n", 20_000)
	scaled("setext-eq", "x\n=\n", 10_000, 100_000)
	scaled("setext-dash", "Heading text\n---\n\n", 25_000)
	body("distinct-headings-x20000", mayRender, func() string {
		var b strings.Builder
		for i := range 20_000 {
			fmt.Fprintf(&b, "## Heading %d\n\n", i)
		}
		return b.String()
	})
	scaled("slug-clash-headings", "## A!\n\n## A?\n\n## a\n\n", 7_000)
	for _, n := range []int{600, 5_000} {
		body(fmt.Sprintf("blockquote-depth-%d", n), mayRender, func() string { return strings.Repeat("> ", n) + "deep\n" })
		body(fmt.Sprintf("list-depth-%d", n), mayRender, func() string { return strings.Repeat("- ", n) + "deep\n" })
		body(fmt.Sprintf("ordered-depth-%d", n), mayRender, func() string { return strings.Repeat("1. ", n) + "deep\n" })
		body(fmt.Sprintf("quote-list-depth-%d", n), mayRender, func() string { return strings.Repeat("> - ", n) + "deep\n" })
		body(fmt.Sprintf("div-depth-%d", n), mayRender, func() string { return strings.Repeat("<div>", n) + "deep" + strings.Repeat("</div>", n) + "\n" })
	}
	body("indented-list-depth-600", mayRender, func() string {
		var b strings.Builder
		for i := range 600 {
			b.WriteString(strings.Repeat("  ", i) + "- item\n")
		}
		return b.String()
	})
	zalgo := "Z" + strings.Repeat("\u0301\u0316\u0353", 3_000)
	cs = append(cs, mdCase(class, "zalgo-title-9000", doc([]string{"title: " + zalgo}, "Body.\n"), mayRender, "title"))
	cs = append(cs, mdCase(class, "zalgo-summary", doc([]string{"title: Zalgo", "summary: " + zalgo}, "Body.\n"), mayRender, "summary"))
	body("zalgo-heading", mayRender, func() string { return "## " + zalgo + "\n\nText.\n" })
	body("zalgo-paragraph-x30", mayRender, func() string { return repeat(zalgo+" ", 30) })
	scaled("long-line-words", "word ", 190_000)
	scaled("long-line-nospace", "a", 900_000)
	scaled("nul-bytes", "a\x00b ", 100_000)
	scaled("emphasis-stars", "*", 200_000)
	scaled("emphasis-star-a", "*a", 100_000)
	scaled("emphasis-mixed", "*a **b _c __d ", 60_000)
	scaled("backticks", "`", 200_000)
	scaled("backtick-a", "`a", 100_000)
	scaled("less-than", "<", 500_000)
	scaled("less-than-a", "<a", 200_000)
	scaled("html-comment-open", "<!--", 100_000)
	scaled("brackets", "[", 300_000)
	scaled("image-brackets", "![", 200_000)
	scaled("shortcut-refs", "[a]", 100_000)
	body("link-nest-1000", mayRender, func() string {
		return strings.Repeat("[", 1000) + "a" + strings.Repeat("](https://x.example/)", 1000) + "\n"
	})
	scaled("strikethrough", "~~", 200_000)
	scaled("entities-hex", "&#x1F600;", 100_000)
	scaled("entities-bogus", "&#xFFFFFFFF;&#0;", 60_000)
	scaled("autolinks", "https://a.example/x ", 45_000)
	scaled("www-autolinks", "www.a.example ", 60_000)
	scaled("email-autolinks", "a@b.example ", 80_000)
	scaled("task-list", "- [ ] x\n", 100_000)
	body("fence-unclosed", mayRender, func() string { return "```\n" + repeat("x\n", 400_000) })
	body("refdefs-20000", mayRender, func() string {
		var b strings.Builder
		for i := range 20_000 {
			fmt.Fprintf(&b, "[r%d] ", i)
		}
		b.WriteString("\n\n")
		for i := range 20_000 {
			fmt.Fprintf(&b, "[r%d]: https://x.example/%d\n", i, i)
		}
		return b.String()
	})
	body("footnotes-5000", mayRender, func() string {
		var b strings.Builder
		for i := range 5_000 {
			fmt.Fprintf(&b, "Text[^%d] ", i)
		}
		b.WriteString("\n\n")
		for i := range 5_000 {
			fmt.Fprintf(&b, "[^%d]: Note %d\n", i, i)
		}
		return b.String()
	})
	body("table-rows-50000", mayRender, func() string { return "| a | b |\n|---|---|\n" + repeat("| x | y |\n", 50_000) })
	body("table-cols-20000", mayRender, func() string {
		return "|" + strings.Repeat("a|", 20_000) + "\n|" + strings.Repeat("-|", 20_000) + "\n|" + strings.Repeat("x|", 20_000) + "\n"
	})
	body("table-cols-mismatch", mayRender, func() string { return "| a |\n|---|\n" + repeat("|"+strings.Repeat("x|", 500)+"\n", 900) })

	// Raw HTML and scripts: allowed and sanitized, so the outputs are
	// checked for the marker (checkScriptFree).
	for _, h := range []struct{ name, md string }{
		{"script", "<script>alert(7)</script>\n\nText.\n"},
		{"script-inline", "Text <script>alert(7)</script> more.\n"},
		{"iframe", "<iframe src=\"javascript:alert(7)\"></iframe>\n"},
		{"md-link-javascript", "[click](javascript:alert(7))\n"},
		{"md-link-javascript-case", "[click](JaVaScRiPt:alert(7))\n"},
		{"md-refdef-javascript", "[click]\n\n[click]: javascript:alert(7)\n"},
		{"autolink-javascript", "<javascript:alert(7)>\n"},
		{"html-link-javascript", "<a href=\"javascript:alert(7)\">click</a>\n"},
		{"html-link-entity-javascript", "<a href=\"jav&#x09;ascript:alert(7)\">click</a>\n"},
		{"img-onerror", "<img src=x onerror=\"alert(7)\">\n"},
		{"svg-onload", "<svg onload=\"alert(7)\"><circle r=\"4\"/></svg>\n"},
		{"form-action", "<form action=\"javascript:alert(7)\"><button>go</button></form>\n"},
		{"style-expression", "<p style=\"background:url(javascript:alert(7))\">x</p>\n"},
		{"base-href", "<base href=\"javascript:alert(7)//\">[rel](x)\n"},
	} {
		body("html-"+h.name, mayRender, func() string { return h.md })
	}
	body("many-images-over-limit", mustReject, func() string { return repeat("![i](https://img.example/i.png)\n\n", 60) })
	cs[len(cs)-1].lines = []int{noLine} // a count has no one line
	body("limit-words", mayRender, func() string { return repeat("word ", 209_000) })
	cs = append(cs, &corpusCase{class: class, name: "body-over-limit", item: "item.md", file: "item.md", expect: mustReject, lines: []int{1, 4},
		gen: func() map[string][]byte {
			return map[string][]byte{"item.md": doc([]string{"title: Too long"}, strings.Repeat("a", 1<<20+10))}
		}})
	return cs
}

// ---------------------------------------------------------------- images

// once memoises a generated file shared by several cases.
func once(f func() []byte) func() []byte {
	var o sync.Once
	var b []byte
	return func() []byte { o.Do(func() { b = f() }); return b }
}

func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return img
}

var (
	goodJPEG = once(func() []byte {
		var b bytes.Buffer
		jpeg.Encode(&b, picture(320, 240), &jpeg.Options{Quality: 80})
		return b.Bytes()
	})
	goodPNG = once(func() []byte {
		var b bytes.Buffer
		png.Encode(&b, picture(320, 240))
		return b.Bytes()
	})
)

// pngChunks splits a PNG into its chunks (after the signature).
func pngChunks(p []byte) (out [][2][]byte) {
	for i := 8; i+8 <= len(p); {
		n := int(binary.BigEndian.Uint32(p[i:]))
		out = append(out, [2][]byte{p[i+4 : i+8], p[i+8 : i+8+n]})
		i += 12 + n
	}
	return out
}

func rebuildPNG(chunks [][2][]byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	for _, c := range chunks {
		imagetest.Chunk(&b, string(c[0]), c[1])
	}
	return b.Bytes()
}

// patchJPEG sets the frame size in a JPEG's SOF0 header.
func patchJPEG(w, h uint16) []byte {
	j := bytes.Clone(goodJPEG())
	i := bytes.Index(j, []byte{0xff, 0xc0})
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}

type imageKind struct {
	name string
	ext  string
	data func() []byte
	ex   expect
}

func imageKinds() []imageKind {
	seeded := func() *rand.Rand { return rand.New(rand.NewPCG(15, 15)) }
	return []imageKind{
		{"png-40000000x1-gray8", "png", once(func() []byte { return imagetest.PNG(40_000_000, 1, 8, 0, 40_000_001) }), mayRender},
		{"png-40000000x1-gray1", "png", once(func() []byte { return imagetest.PNG(40_000_000, 1, 1, 0, 5_000_001) }), mayRender},
		{"png-1x40000000-gray8", "png", once(func() []byte { return imagetest.PNG(1, 40_000_000, 8, 0, 80_000_000) }), mayRender},
		{"png-20000x2000-gray1", "png", once(func() []byte { return imagetest.PNG(20_000, 2_000, 1, 0, 2_000*2_501) }), mayRender},
		{"png-10000x1-rgb", "png", once(func() []byte { return imagetest.PNG(10_000, 1, 8, 2, 30_001) }), mayRender},
		{"png-header-50000x50000", "png", func() []byte { return imagetest.PNG(50_000, 50_000, 8, 2, -1) }, mustReject},
		{"png-header-2147483647x1", "png", func() []byte { return imagetest.PNG(1<<31-1, 1, 8, 2, -1) }, mustReject},
		{"png-0x0", "png", func() []byte { return imagetest.PNG(0, 0, 8, 2, 0) }, mustReject},
		{"png-header-only", "png", func() []byte { return imagetest.PNG(320, 240, 8, 2, -1) }, mustReject},
		{"png-truncated-half", "png", func() []byte { p := goodPNG(); return p[:len(p)/2] }, mustReject},
		{"png-corrupt-idat", "png", func() []byte {
			ch := pngChunks(goodPNG())
			for i := range ch {
				if string(ch[i][0]) == "IDAT" {
					d := bytes.Clone(ch[i][1])
					r := seeded()
					for j := len(d) / 3; j < len(d); j++ {
						d[j] = byte(r.UintN(256))
					}
					ch[i][1] = d
				}
			}
			return rebuildPNG(ch)
		}, mustReject},
		{"png-bad-crc", "png", func() []byte { p := bytes.Clone(goodPNG()); p[len(p)-20] ^= 0xff; return p }, mustReject},
		{"png-palette-out-of-range", "png", func() []byte {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			for range 16 {
				zw.Write(append([]byte{0}, bytes.Repeat([]byte{200}, 16)...))
			}
			zw.Close()
			var b bytes.Buffer
			b.WriteString("\x89PNG\r\n\x1a\n")
			ihdr := make([]byte, 13)
			binary.BigEndian.PutUint32(ihdr[0:], 16)
			binary.BigEndian.PutUint32(ihdr[4:], 16)
			ihdr[8], ihdr[9] = 8, 3
			imagetest.Chunk(&b, "IHDR", ihdr)
			imagetest.Chunk(&b, "PLTE", []byte{1, 2, 3})
			imagetest.Chunk(&b, "IDAT", z.Bytes())
			imagetest.Chunk(&b, "IEND", nil)
			return b.Bytes()
		}, mayRender},
		{"png-5mb-text-chunk", "png", once(func() []byte {
			ch := pngChunks(goodPNG())
			ch = append(ch[:1], append([][2][]byte{{[]byte("tEXt"), append([]byte("Comment\x00"), bytes.Repeat([]byte("x"), 5<<20)...)}}, ch[1:]...)...)
			return rebuildPNG(ch)
		}), mayRender},
		{"png-16bit-1500x1500", "png", once(func() []byte {
			img := image.NewNRGBA64(image.Rect(0, 0, 1500, 1500))
			var b bytes.Buffer
			png.Encode(&b, img)
			return b.Bytes()
		}), mayRender},
		{"png-1x1", "png", func() []byte {
			var b bytes.Buffer
			png.Encode(&b, picture(1, 1))
			return b.Bytes()
		}, mayRender},
		{"jpeg-truncated-half", "jpg", func() []byte { j := goodJPEG(); return j[:len(j)/2] }, mustReject},
		{"jpeg-soi-only", "jpg", func() []byte { return []byte{0xff, 0xd8} }, mustReject},
		{"jpeg-header-65500x65500", "jpg", func() []byte { return patchJPEG(65_500, 65_500) }, mustReject},
		{"jpeg-header-40000x1000", "jpg", func() []byte { return patchJPEG(40_000, 1_000) }, mustReject},
		{"jpeg-corrupt-scan", "jpg", func() []byte {
			j := bytes.Clone(goodJPEG())
			sos := bytes.Index(j, []byte{0xff, 0xda})
			r := seeded()
			for i := sos + 20; i < len(j)-2; i++ {
				if b := byte(r.UintN(256)); b != 0xff {
					j[i] = b
				}
			}
			return j
		}, mayRender},
		{"zero-bytes", "jpg", func() []byte { return []byte{} }, mustReject},
		{"text-named-png", "png", func() []byte { return []byte("hello, I am not a picture\n") }, mustReject},
		{"html-named-jpg", "jpg", func() []byte { return []byte("<html><script>alert(7)</script></html>") }, mustReject},
		{"bmp", "bmp", func() []byte { return append([]byte("BM"), make([]byte, 60)...) }, mustReject},
		{"png-named-jpg", "jpg", goodPNG, mayRender},
		{"svg-hero", "svg", func() []byte {
			return []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(7)</script></svg>`)
		}, mustReject},
		{"gif-40mp-zeros", "gif", once(func() []byte {
			img := image.NewPaletted(image.Rect(0, 0, 10_000, 4_000), color.Palette{color.Black, color.White})
			var b bytes.Buffer
			gif.Encode(&b, img, nil)
			return b.Bytes()
		}), mayRender},
		{"gif-screen-65535", "gif", func() []byte {
			img := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.Black, color.White})
			var b bytes.Buffer
			gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{img}, Delay: []int{0}, Config: image.Config{ColorModel: img.Palette, Width: 65_535, Height: 65_535}})
			return b.Bytes()
		}, mayRender},
		{"gif-3000-frames", "gif", once(func() []byte {
			g := &gif.GIF{}
			for i := range 3_000 {
				img := image.NewPaletted(image.Rect(0, 0, 64, 64), color.Palette{color.Black, color.White})
				img.Pix[i%len(img.Pix)] = 1
				g.Image, g.Delay = append(g.Image, img), append(g.Delay, 1)
			}
			var b bytes.Buffer
			gif.EncodeAll(&b, g)
			return b.Bytes()
		}), mayRender},
		{"gif-truncated", "gif", func() []byte {
			var b bytes.Buffer
			gif.Encode(&b, picture(64, 64), nil)
			return b.Bytes()[:b.Len()/2]
		}, mustReject},
	}
}

// bundle builds a bundle whose index.md names the image as the hero or
// in the body, and reports the lines a problem with it must name.
func bundle(ref string, hero bool) (src []byte, lines []int) {
	if hero {
		src = doc([]string{"title: Image case", "hero:", "  src: " + ref, "  alt: A hero"}, "Body text.\n")
		return src, []int{3, 4}
	}
	src = doc([]string{"title: Image case"}, "Body text.\n\n![An image]("+ref+")\n")
	return src, []int{6}
}

func imageCases() []*corpusCase {
	const class = "images"
	var cs []*corpusCase
	for _, k := range imageKinds() {
		for _, hero := range []bool{true, false} {
			name := "img." + k.ext
			src, lines := bundle(name, hero)
			where := map[bool]string{true: "hero", false: "body"}[hero]
			cs = append(cs, &corpusCase{class: class, name: k.name + "-" + where, item: "bundle", file: "bundle/index.md", lines: lines, expect: k.ex,
				gen: func() map[string][]byte {
					return map[string][]byte{"bundle/index.md": src, "bundle/" + name: k.data()}
				}})
		}
	}
	for _, p := range []struct {
		name, ref string
	}{
		{"parent", "../outside.png"},
		{"parent-deep", "../../../../../../etc/passwd"},
		{"absolute", "/etc/passwd"},
		{"file-url", "file:///etc/passwd"},
		{"data-url", "data:image/png;base64," + base64.StdEncoding.EncodeToString(imagetest.PNG(1, 1, 8, 0, 2))},
		{"javascript", "javascript:alert(7)"},
		{"percent-dots", "%2e%2e/outside.png"},
		{"sub-escape", "sub/../../outside.png"},
		{"missing", "missing.jpg"},
		{"backslash", `..\outside.png`},
	} {
		for _, hero := range []bool{true, false} {
			src, lines := bundle(p.ref, hero)
			where := map[bool]string{true: "hero", false: "body"}[hero]
			cs = append(cs, &corpusCase{class: class, name: "path-" + p.name + "-" + where, item: "bundle", file: "bundle/index.md", lines: lines, expect: mustReject,
				gen: func() map[string][]byte {
					return map[string][]byte{"bundle/index.md": src, "outside.png": goodPNG(), "bundle/sub/x": []byte("x")}
				}})
		}
	}
	cs = append(cs, &corpusCase{class: class, name: "good-jpeg-hero", item: "bundle", file: "bundle/index.md", expect: mustRender,
		gen: func() map[string][]byte {
			src, _ := bundle("hero.jpg", true)
			return map[string][]byte{"bundle/index.md": src, "bundle/hero.jpg": goodJPEG()}
		}})
	cs = append(cs, &corpusCase{class: class, name: "good-png-body", item: "bundle", file: "bundle/index.md", expect: mustRender,
		gen: func() map[string][]byte {
			src, _ := bundle("pic.png", false)
			return map[string][]byte{"bundle/index.md": src, "bundle/pic.png": goodPNG()}
		}})
	cs = append(cs, &corpusCase{class: class, name: "51-local-images", item: "bundle", file: "bundle/index.md", lines: []int{noLine}, expect: mustReject,
		gen: func() map[string][]byte {
			return map[string][]byte{"bundle/index.md": doc([]string{"title: Many"}, repeat("![i](p.png)\n\n", 51)), "bundle/p.png": goodPNG()}
		}})
	return cs
}

// ---------------------------------------------------------------- bundles

func bundleCases() []*corpusCase {
	const class = "bundles"
	var cs []*corpusCase
	link := func(target, name string) func(string) error {
		return func(dir string) error { return os.Symlink(target, filepath.Join(dir, name)) }
	}
	type special struct {
		name  string
		setup func(dir string) error // makes bundle/hero.jpg
		ex    expect
	}
	specials := []special{
		{"symlink-outside-file", link("../outside.jpg", "bundle/hero.jpg"), mustReject},
		{"symlink-etc-passwd", link("/etc/passwd", "bundle/hero.jpg"), mustReject},
		{"symlink-dev-zero", link("/dev/zero", "bundle/hero.jpg"), mustReject},
		{"symlink-dev-urandom", link("/dev/urandom", "bundle/hero.jpg"), mustReject},
		{"symlink-dev-null", link("/dev/null", "bundle/hero.jpg"), mustReject},
		{"symlink-proc-environ", link("/proc/self/environ", "bundle/hero.jpg"), mustReject},
		{"symlink-dangling", link("nowhere.jpg", "bundle/hero.jpg"), mustReject},
		{"symlink-loop", link("hero.jpg", "bundle/hero.jpg"), mustReject},
		{"symlink-inside", link("photos/real.jpg", "bundle/hero.jpg"), mayRender},
		{"fifo", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "bundle/hero.jpg"), 0o644) }, mustReject},
		{"directory", func(dir string) error { return os.Mkdir(filepath.Join(dir, "bundle/hero.jpg"), 0o755) }, mustReject},
		{"socket", func(dir string) error {
			// Made in a short folder (socket paths are limited to 108
			// bytes) and moved into place.
			short, err := os.MkdirTemp("", "cc")
			if err != nil {
				return err
			}
			defer os.RemoveAll(short)
			l, err := net.Listen("unix", filepath.Join(short, "s"))
			if err != nil {
				return err
			}
			l.(*net.UnixListener).SetUnlinkOnClose(false)
			l.Close()
			return os.Rename(filepath.Join(short, "s"), filepath.Join(dir, "bundle/hero.jpg"))
		}, mustReject},
		{"sparse-33mib", sparse("bundle/hero.jpg", 33<<20), mustReject},
		{"sparse-32mib-plus-1", sparse("bundle/hero.jpg", 32<<20+1), mustReject},
	}
	for _, s := range specials {
		for _, hero := range []bool{true, false} {
			src, lines := bundle("hero.jpg", hero)
			where := map[bool]string{true: "hero", false: "body"}[hero]
			cs = append(cs, &corpusCase{class: class, name: s.name + "-" + where, item: "bundle", file: "bundle/index.md", lines: lines, expect: s.ex,
				setup: s.setup,
				gen: func() map[string][]byte {
					return map[string][]byte{"bundle/index.md": src, "outside.jpg": goodJPEG(), "bundle/photos/real.jpg": goodJPEG()}
				}})
		}
	}
	// A symlinked folder leading out of the bundle.
	for _, hero := range []bool{true, false} {
		src, lines := bundle("imgs/real.jpg", hero)
		cs = append(cs, &corpusCase{class: class, name: "symlink-dir-outside-" + map[bool]string{true: "hero", false: "body"}[hero], item: "bundle", file: "bundle/index.md", lines: lines, expect: mustReject,
			setup: link("../elsewhere", "bundle/imgs"),
			gen: func() map[string][]byte {
				return map[string][]byte{"bundle/index.md": src, "elsewhere/real.jpg": goodJPEG()}
			}})
	}

	// The item file itself.
	good := doc([]string{"title: Bundle case"}, "Body.\n")
	for _, s := range []struct {
		name  string
		setup func(string) error
		file  string
		ex    expect
	}{
		{"index-fifo", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "bundle/index.md"), 0o644) }, "bundle/index.md", mustReject},
		{"index-dev-zero", link("/dev/zero", "bundle/index.md"), "bundle/index.md", mustReject},
		{"index-dev-urandom", link("/dev/urandom", "bundle/index.md"), "bundle/index.md", mustReject},
		{"index-directory", func(dir string) error { return os.Mkdir(filepath.Join(dir, "bundle/index.md"), 0o755) }, "bundle/index.md", mustReject},
		{"index-dangling", link("nowhere.md", "bundle/index.md"), "bundle/index.md", mustReject},
		{"index-sparse-2mib", sparse("bundle/index.md", 2<<20), "bundle/index.md", mustReject},
		{"index-symlink-outside", link("../elsewhere.md", "bundle/index.md"), "bundle/index.md", mayRender},
		{"empty-bundle", nil, "bundle", mustReject},
		{"lone-fifo", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "bundle/item.md"), 0o644) }, "bundle/item.md", mustReject},
	} {
		cs = append(cs, &corpusCase{class: class, name: s.name, item: "bundle", file: s.file, lines: []int{noLine}, expect: s.ex, setup: s.setup,
			files: map[string][]byte{"elsewhere.md": good, "bundle/readme.txt": []byte("not an item")}})
	}
	for _, s := range []struct {
		name  string
		setup func(string) error
	}{
		{"item-fifo", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "item.md"), 0o644) }},
		{"item-dev-zero", link("/dev/zero", "item.md")},
		{"item-missing", nil},
	} {
		cs = append(cs, &corpusCase{class: class, name: s.name, item: "item.md", file: "item.md", lines: []int{noLine}, expect: mustReject, setup: s.setup})
	}
	cs = append(cs, &corpusCase{class: class, name: "index-empty", item: "bundle", file: "bundle/index.md", expect: mustReject,
		files: map[string][]byte{"bundle/index.md": {}}})

	// Deep folders, many files, odd names.
	deep := strings.Repeat("d/", 100) + "hero.jpg"
	cs = append(cs, &corpusCase{class: class, name: "deep-100-folders", item: "bundle", file: "bundle/index.md", expect: mustRender,
		gen: func() map[string][]byte {
			src, _ := bundle(deep, true)
			return map[string][]byte{"bundle/index.md": src, "bundle/" + deep: goodJPEG()}
		}})
	deeper := strings.Repeat("abcdefghi/", 390) + "hero.jpg" // ~3,900 bytes: near PATH_MAX
	cs = append(cs, &corpusCase{class: class, name: "deep-path-3900-bytes", item: "bundle", file: "bundle/index.md", lines: []int{3, 4}, expect: mayRender,
		setup: func(dir string) error { return mkdeep(filepath.Join(dir, "bundle"), deeper, goodJPEG()) },
		gen: func() map[string][]byte {
			src, _ := bundle(deeper, true)
			return map[string][]byte{"bundle/index.md": src}
		}})
	cs = append(cs, &corpusCase{class: class, name: "3000-extra-files", item: "bundle", file: "bundle/index.md", expect: mustRender,
		gen: func() map[string][]byte {
			m := map[string][]byte{"bundle/index.md": good}
			for i := range 3_000 {
				m[fmt.Sprintf("bundle/junk/f%04d.txt", i)] = []byte("x")
			}
			return m
		}})
	cs = append(cs, &corpusCase{class: class, name: "space-in-name", item: "bundle", file: "bundle/index.md", lines: []int{3, 4}, expect: mayRender,
		gen: func() map[string][]byte {
			src, _ := bundle("my hero.jpg", true)
			return map[string][]byte{"bundle/index.md": src, "bundle/my hero.jpg": goodJPEG()}
		}})
	cs = append(cs, &corpusCase{class: class, name: "nfd-name-nfc-ref", item: "bundle", file: "bundle/index.md", lines: []int{3, 4}, expect: mustReject,
		gen: func() map[string][]byte {
			src, _ := bundle("caf\u00e9.jpg", true)
			return map[string][]byte{"bundle/index.md": src, "bundle/cafe\u0301.jpg": goodJPEG()}
		}})
	cs = append(cs, &corpusCase{class: class, name: "trailing-slash", item: "bundle/", file: "bundle/index.md", expect: mustRender,
		files: map[string][]byte{"bundle/index.md": good}})
	cs = append(cs, &corpusCase{class: class, name: "duplicate-slug-in-folder", item: "items", file: "items/b/index.md", lines: []int{2}, expect: mustReject,
		files: map[string][]byte{"items/a/index.md": good, "items/b/index.md": good}, rendersFirst: true})
	return cs
}

// sparse makes a file of size bytes that starts like a JPEG and costs no
// disk.
func sparse(name string, size int64) func(string) error {
	return func(dir string) error {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		f.Write(goodJPEG()[:64])
		if err := f.Truncate(size); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// mkdeep writes data at rel under dir, walking down with relative
// directory opens so paths near PATH_MAX still work.
func mkdeep(dir, rel string, data []byte) error {
	parts := strings.Split(rel, "/")
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	for _, p := range parts[:len(parts)-1] {
		if err := syscall.Mkdirat(fd, p, 0o755); err != nil && err != syscall.EEXIST {
			syscall.Close(fd)
			return err
		}
		next, err := syscall.Openat(fd, p, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
		syscall.Close(fd)
		if err != nil {
			return err
		}
		fd = next
	}
	f, err := syscall.Openat(fd, parts[len(parts)-1], syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC, 0o644)
	syscall.Close(fd)
	if err != nil {
		return err
	}
	file := os.NewFile(uintptr(f), rel)
	_, err = io.Copy(file, bytes.NewReader(data))
	file.Close()
	return err
}

// ---------------------------------------------------------------- brand kits

func brandCases(kit string) []*corpusCase {
	const class = "brand"
	var cs []*corpusCase
	item := doc([]string{"title: Brand case", "summary: Rendered in a perturbed kit."}, "Body.\n")
	const file = "kestrel/brand.yaml"
	add := func(name string, y string, ex expect, lines []int, extra map[string][]byte, setup func(string) error) *corpusCase {
		files := map[string][]byte{"item.md": item}
		if y != "" {
			files[file] = []byte(y)
		}
		for k, v := range extra {
			files[k] = v
		}
		c := &corpusCase{class: class, name: name, item: "item.md", file: file, lines: lines, expect: ex, files: files, setup: setup}
		cs = append(cs, c)
		return c
	}
	// set replaces the line starting with old (after indentation) and
	// returns the new kit and the replaced line's number.
	set := func(old, repl string) (string, int) {
		lines := strings.Split(kit, "\n")
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimLeft(l, " "), old) {
				ind := l[:len(l)-len(strings.TrimLeft(l, " "))]
				lines[i] = ind + repl
				return strings.Join(lines, "\n"), i + 1
			}
		}
		panic("corpus: no brand.yaml line starts with " + old)
	}
	insertBefore := func(key, text string) (string, int) {
		i := strings.Index(kit, "\n"+key)
		if key == "" {
			i = len(kit) - 1
		}
		y := kit[:i+1] + text + "\n" + kit[i+1:]
		return y, strings.Count(kit[:i+1], "\n") + 1
	}

	// Syntax errors at four top-level positions.
	for _, s := range []struct{ name, bad string }{
		{"mapping-values", "bad: a: b"},
		{"tab-indent", "\tbad: x"},
		{"control-char", "bad: \"a\x01b\""},
		{"bad-escape", `bad: "a\qb"`},
		{"duplicate-name", "name: Again"},
		{"invalid-utf8", "bad: caf\xe9"},
	} {
		for _, key := range []string{"site:", "footer:"} {
			y, line := insertBefore(key, s.bad)
			pos := strings.TrimSuffix(key, ":")
			if pos == "" {
				pos = "end"
			}
			c := add("syntax-"+s.name+"-before-"+pos, y, mustReject, []int{line}, nil, nil)
			c.forbid = []string{"yaml: line"}
		}
	}
	for _, u := range []struct{ name, old, repl string }{
		{"unknown-key", "lang:", "colour: red"},
		{"wrong-type-lang", "lang:", "lang: [en]"},
		{"anchor", "legal:", "legal: &l x"},
		{"tag-binary", "name:", "name: !!binary S2VzdHJlbA=="},
		{"tag-evil", "name:", "name: !evil Kestrel"},
		{"color-word", "primary:", `primary: red`},
		{"color-ggg", "accent:", `accent: "#ggg"`},
		{"color-css-injection", "text:", `text: "#1d2521; background:url(https://evil.example/)"`},
		{"color-script", "background:", `background: "</style><script>alert(7)</script>"`},
		{"font-css-injection", "heading:", `heading: "Georgia; } body { display:none"`},
		{"font-script", "body:", `body: "</style><script>alert(7)</script>"`},
		{"site-javascript", "site:", "site: javascript:alert(7)"},
		{"site-query", "site:", "site: https://kestrel.example/?q=1"},
		{"name-empty", "name:", `name: ""`},
		{"logo-missing", "src: logo.svg", "src: nope.svg"},
		{"logo-absolute", "src: logo.svg", "src: /etc/passwd"},
		{"logo-parent", "src: logo.svg", "src: ../outside.svg"},
		{"logo-width-negative", "width: 200", "width: -500"},
		{"logo-width-minus-1", "width: 200", "width: -1"},
		{"subscribe-javascript", "subscribe_url:", "subscribe_url: javascript:alert(7)"},
		{"unsubscribe-url-javascript", "unsubscribe_url:", "unsubscribe_url: javascript:alert(7)"},
	} {
		y, line := set(u.old, u.repl)
		add(u.name, y, mustReject, []int{line, line - 1}, nil, nil)
	}
	y, _ := insertBefore("footer:", "id: ../evil")
	add("id-path", y, mustReject, []int{lineOf([]byte(y), "id: ../evil")}, nil, nil)
	y, _ = insertBefore("", "catalog:\n  summary_limit: 5")
	add("summary-limit-5", y, mustReject, []int{lineOf([]byte(y), "summary_limit")}, nil, nil)
	y, _ = insertBefore("", "strings:\n  en:\n    subscribe_buton: Join")
	// The unknown key, or the mapping holding it.
	add("strings-unknown-key", y, mustReject, []int{lineOf([]byte(y), "subscribe_buton"), lineOf([]byte(y), "  en:"), lineOf([]byte(y), "strings:")}, nil, nil)
	y, _ = set("width: 200", "width: 100000000")
	add("logo-width-huge", y, mayRender, []int{lineOf([]byte(y), "width: 1")}, nil, nil)

	// Header values in the kit: reject at load, or render a clean message
	// (checkEML).
	for _, h := range []struct{ name, old, repl string }{
		{"list-id-crlf-bcc", "list_id:", "list_id: " + q("news.kestrel.example\r\nBcc: victim@evil.example")},
		{"list-id-u2028", "list_id:", "list_id: " + q("news.kestrel.example\u2028Bcc: victim@evil.example")},
		{"list-id-u0085", "list_id:", "list_id: " + q("news.kestrel.example\u0085Bcc: victim@evil.example")},
		{"list-id-nul", "list_id:", "list_id: " + q("news\x00kestrel.example")},
		{"list-id-angle", "list_id:", "list_id: " + q("news>, <evil.example")},
		{"list-id-space", "list_id:", "list_id: news kestrel example"},
		{"list-id-300", "list_id:", "list_id: " + strings.Repeat("a", 300) + ".example"},
		{"unsub-mailto-angle", "unsubscribe_mailto:", "unsubscribe_mailto: " + q("mailto:u@kestrel.example>, <https://evil.example/")},
		{"unsub-mailto-crlf", "unsubscribe_mailto:", "unsubscribe_mailto: " + q("mailto:u@kestrel.example\r\nBcc: victim@evil.example")},
		{"unsub-mailto-javascript", "unsubscribe_mailto:", "unsubscribe_mailto: javascript:alert(7)"},
		{"unsub-url-angle", "unsubscribe_url:", "unsubscribe_url: " + q("https://kestrel.example/u/>, <https://evil.example/")},
		{"unsub-url-crlf", "unsubscribe_url:", "unsubscribe_url: " + q("https://kestrel.example/u/\r\nBcc: victim@evil.example")},
		{"from-two-addresses", "from_address:", `from_address: "a@x.example,b@y.example"`},
		{"from-crlf-bcc", "from_address:", "from_address: " + q("news@kestrel.example\r\nBcc: victim@evil.example")},
		{"from-display", "from_address:", `from_address: "Evil <evil@x.example>"`},
		{"from-not-address", "from_address:", `from_address: not an address`},
		{"from-name-crlf-bcc", "from_name:", "from_name: " + q("Kestrel\r\nBcc: victim@evil.example")},
		{"from-name-comma-angle", "from_name:", "from_name: " + q("Bank, <spoof@bank.example>")},
		{"from-name-u2028", "from_name:", "from_name: " + q("Kestrel\u2028Bcc: victim@evil.example")},
		{"from-name-5000", "from_name:", "from_name: " + strings.Repeat("Kestrel ", 625)},
		{"reply-to-two", "from_address:", "from_address: news@kestrel.example\n  reply_to: \"a@x.example,b@y.example\""},
		{"reply-to-crlf", "from_address:", "from_address: news@kestrel.example\n  reply_to: " + q("a@x.example\r\nBcc: victim@evil.example")},
		{"name-crlf-bcc", "name:", "name: " + q("Kestrel\r\nBcc: victim@evil.example")},
	} {
		y, line := set(h.old, h.repl)
		add("header-"+h.name, y, mayRender, []int{line, line + 1}, nil, nil)
	}

	// Logos that are not what they claim, or are hostile.
	svg := func(body string) []byte {
		return []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 240 48" width="240" height="48">` + body + `</svg>`)
	}
	logoLine := lineOf([]byte(kit), "src: logo.svg")
	for _, l := range []struct {
		name string
		data []byte
		ex   expect
	}{
		{"logo-text-as-svg", []byte("just some text"), mustReject},
		{"logo-empty", []byte{}, mustReject},
		{"logo-script", svg(`<script>alert(7)</script><path d="M0 0 L10 10"/>`), mayRender},
		{"logo-onload", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(7)" width="240" height="48"><path d="M0 0 L10 10"/></svg>`), mayRender},
		{"logo-javascript-href", svg(`<a xlink:href="javascript:alert(7)"><path d="M0 0 L10 10"/></a>`), mayRender},
		{"logo-external-image", svg(`<image href="file:///etc/passwd" width="10" height="10"/><use href="https://evil.example/x.svg#a"/>`), mayRender},
		{"logo-foreign-object", svg(`<foreignObject width="100" height="20"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(7)"></iframe></foreignObject>`), mayRender},
		{"logo-huge-size", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100000000 100000000" width="100000000" height="100000000"><path d="M0 0 L100000000 100000000"/></svg>`), mayRender},
		{"logo-huge-width-only", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="40000000" height="1"><path d="M0 0 L10 1"/></svg>`), mayRender},
		{"logo-entity-laughs", []byte(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lollollollol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]><svg xmlns="http://www.w3.org/2000/svg" width="240" height="48"><text x="0" y="20">&g;</text></svg>`), mayRender},
		{"logo-deep-groups", svg(strings.Repeat("<g>", 5_000) + `<path d="M0 0 L10 10"/>` + strings.Repeat("</g>", 5_000)), mayRender},
		{"logo-25k-paths", svg(strings.Repeat(`<path d="M0 0 L240 48 L0 48 Z"/>`, 25_000)), mayRender},
	} {
		add(l.name, "", l.ex, []int{logoLine, logoLine - 1}, map[string][]byte{"kestrel/logo.svg": l.data}, nil)
	}
	for _, l := range []struct {
		name string
		data []byte
		ex   expect
	}{
		{"logo-png-40000000x1", imagetest.PNG(40_000_000, 1, 8, 0, 40_000_001), mayRender},
		{"logo-png-1x40000000", imagetest.PNG(1, 40_000_000, 8, 0, 80_000_000), mayRender},
		{"logo-png-header-50000x50000", imagetest.PNG(50_000, 50_000, 8, 2, -1), mustReject},
		{"logo-png-truncated", goodPNG()[:len(goodPNG())/2], mustReject},
		{"logo-jpeg-named-png", goodJPEG(), mayRender},
	} {
		y, line := set("src: logo.svg", "src: logo.png")
		add(l.name, y, l.ex, []int{line, line - 1}, map[string][]byte{"kestrel/logo.png": l.data}, nil)
	}
	for _, l := range []struct {
		name  string
		setup func(string) error
	}{
		{"logo-dev-zero", func(dir string) error {
			os.Remove(filepath.Join(dir, "kestrel/logo.svg"))
			return os.Symlink("/dev/zero", filepath.Join(dir, "kestrel/logo.svg"))
		}},
		{"logo-fifo", func(dir string) error {
			os.Remove(filepath.Join(dir, "kestrel/logo.svg"))
			return syscall.Mkfifo(filepath.Join(dir, "kestrel/logo.svg"), 0o644)
		}},
		{"logo-directory", func(dir string) error {
			os.Remove(filepath.Join(dir, "kestrel/logo.svg"))
			return os.Mkdir(filepath.Join(dir, "kestrel/logo.svg"), 0o755)
		}},
		{"logo-symlink-outside", func(dir string) error {
			os.Remove(filepath.Join(dir, "kestrel/logo.svg"))
			os.WriteFile(filepath.Join(dir, "secret.svg"), svg(`<path d="M0 0 L1 1"/>`), 0o644)
			return os.Symlink("../secret.svg", filepath.Join(dir, "kestrel/logo.svg"))
		}},
	} {
		add(l.name, "", mustReject, []int{logoLine, logoLine - 1}, nil, l.setup)
	}
	// Fonts.
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"font-not-a-font", []byte("not a font at all")},
		{"font-truncated-ttf", []byte("\x00\x01\x00\x00\x00\x10\x00\x80\x00\x03\x00\x70")},
	} {
		y, _ := set("heading:", "heading: Georgia, serif\n  files:\n    heading: fonts/Heading.ttf")
		add(f.name, y, mustReject, []int{lineOf([]byte(y), "heading: fonts"), lineOf([]byte(y), "files:")}, map[string][]byte{"kestrel/fonts/Heading.ttf": f.data}, nil)
	}
	y, _ = set("heading:", "heading: Georgia, serif\n  files:\n    heading: fonts/Missing.ttf")
	add("font-missing", y, mustReject, []int{lineOf([]byte(y), "heading: fonts")}, nil, nil)

	// Secrets: a kit may not name the server's other variables.
	for _, env := range []string{"HOME", "CROSSCAST_CORPUS_SECRET"} {
		y := kit + "targets:\n  toot:\n    kind: mastodon\n    instance: https://evil.example\n    token_env: " + env + "\n"
		add("token-env-"+env, y, mustReject, []int{lineOf([]byte(y), "token_env")}, nil, nil)
	}
	y = kit + "targets:\n  hook:\n    kind: webhook\n    url: https://evil.example/hook\n    channel: email\n    secret_env: HOME\n"
	add("secret-env-HOME", y, mustReject, []int{lineOf([]byte(y), "secret_env")}, nil, nil)

	// The file itself.
	big := kit + strings.Repeat("# padding padding padding padding padding padding\n", 6_000)
	add("oversized-300k", big, mustReject, []int{noLine}, nil, nil).forbid = []string{"front matter and body"}
	add("empty", " ", mustReject, []int{noLine}, nil, nil)
	c := add("missing", "", mustReject, []int{noLine}, map[string][]byte{file: nil}, nil)
	c.files[file] = nil
	add("fifo", "", mustReject, []int{noLine}, nil, func(dir string) error {
		os.Remove(filepath.Join(dir, file))
		return syscall.Mkfifo(filepath.Join(dir, file), 0o644)
	})
	add("dev-zero", "", mustReject, []int{noLine}, nil, func(dir string) error {
		os.Remove(filepath.Join(dir, file))
		return os.Symlink("/dev/zero", filepath.Join(dir, file))
	})
	add("bom", "\ufeff"+kit, mustRender, nil, nil, nil)
	add("crlf", strings.ReplaceAll(kit, "\n", "\r\n"), mustRender, nil, nil, nil)
	add("unchanged", kit, mustRender, nil, nil, nil)
	return cs
}

// ---------------------------------------------------------------- headers

func headerCases() []*corpusCase {
	const class = "headers"
	var cs []*corpusCase
	values := []struct{ name, v string }{
		{"crlf-bcc", "Hello\r\nBcc: victim@evil.example"},
		{"lf-bcc", "Hello\nBcc: victim@evil.example"},
		{"encoded-word-q", "=?utf-8?q?a=0D=0ABcc:_x@evil.example?="},
		{"encoded-word-b", "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte("a\r\nBcc: x@evil.example")) + "?="},
		{"ascii-60000", strings.Repeat("word ", 12_000)},
		{"nospace-20000", strings.Repeat("x", 20_000)},
		{"utf8-20000", strings.Repeat("ü", 20_000)},
		{"u2028", "Hello\u2028Bcc: x@evil.example"},
		{"u0085", "Hello\u0085Bcc: x@evil.example"},
		{"nul", "Hello\x00Bcc: x@evil.example"},
		{"rtl-override", "Invoice \u202egnp.exe"},
		{"address-lookalike", `"Kestrel" <evil@x.example>, other@x.example`},
	}
	for _, v := range values {
		for _, f := range []struct {
			name   string
			fm     func(string) []string
			marker string
		}{
			{"title", func(s string) []string { return []string{"title: " + s} }, "title:"},
			{"subject", func(s string) []string { return []string{"title: Header case", "email:", "  subject: " + s} }, "subject:"},
			{"variant", func(s string) []string {
				if !strings.Contains("crlf-bcc encoded-word-q ascii-60000 u2028", v.name) {
					return nil
				}
				return []string{"title: Header case", "email:", "  variants:", "    - name: a", "      subject: " + s}
			}, "subject:"},
		} {
			fm := f.fm(q(v.v))
			if fm == nil {
				continue
			}
			src := doc(fm, "Body.\n")
			c := mdCase(class, f.name+"-"+v.name, src, mayRender, f.marker)
			c.lines = append(c.lines, c.lines[0]-1)
			if f.name == "variant" {
				// Text limits place a too-long variant on its `variants:` line.
				c.lines = append(c.lines, c.lines[0]-2)
			}
			cs = append(cs, c)
		}
	}
	for _, v := range values[:1] {
		for _, f := range []string{"preheader", "author", "summary"} {
			var fm []string
			if f == "preheader" {
				fm = []string{"title: Header case", "email:", "  preheader: " + q(v.v)}
			} else {
				fm = []string{"title: Header case", f + ": " + q(v.v)}
			}
			cs = append(cs, mdCase(class, f+"-"+v.name, doc(fm, "Body.\n"), mayRender, f+":"))
		}
	}
	cs = append(cs, mdCase(class, "plain-text-javascript", doc([]string{"title: Plain text"}, "[click](javascript:alert(7)) and <a href=\"javascript:alert(7)\">this</a>\n"), mayRender))
	return cs
}
