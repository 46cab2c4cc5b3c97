package email

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/fonts"
)

// An email past the size budget ends at a block boundary with a link to
// the page, and keeps its footer and unsubscribe link; one past the
// warning size says so.
func TestSizeBudget(t *testing.T) {
	ex := examples.Load(t)[0]
	var body strings.Builder
	for i := range 600 {
		fmt.Fprintf(&body, "Paragraph %d of a very long newsletter, written to push the email past Gmail's clipping size. It goes on a little, as newsletters do.\n\n", i)
	}
	src := "---\ntitle: A long letter\n---\n" + body.String()
	it, err := content.ParseBytes(nil, "long.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, files := render(t, it, ex.Brand)
	page := files["email.html"]
	if len(page) > MaxBytes {
		t.Fatalf("the email is %d bytes, over the %d budget", len(page), MaxBytes)
	}
	for _, want := range []string{ex.Brand.T("en", "continue_reading"), ex.Brand.T("en", "unsubscribe"), ex.Brand.Footer.Address} {
		if !bytes.Contains(page, []byte(html.EscapeString(want))) {
			t.Errorf("the cut email lacks %q", want)
		}
	}
	if !strings.Contains(warningText(out.Warnings), "body blocks") {
		t.Errorf("no warning about the cut: %v", out.Warnings)
	}
	if out.Metrics["html_bytes"] != float64(len(page)) {
		t.Errorf("html_bytes %v, file %d", out.Metrics["html_bytes"], len(page))
	}
	// The cut falls between paragraphs, never inside one.
	if bytes.Count(page, []byte("<p")) != bytes.Count(page, []byte("</p>")) {
		t.Error("a paragraph was cut in half")
	}
}

func warningText(ws []content.Diagnostic) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.String())
	}
	return strings.Join(s, "\n")
}

// BenchmarkRender renders the example with the most in it: every
// variant's HTML (inlined), text and .eml.
func BenchmarkRender(b *testing.B) {
	ex := benchExample(b)
	b.ReportAllocs()
	var size float64
	for b.Loop() {
		out, _ := render(b, ex.Item, ex.Brand)
		size = out.Metrics["html_bytes"]
	}
	b.ReportMetric(size, "html-bytes")
}

// BenchmarkInline is the inliner alone on testdata/inline/email.html with
// testdata/inline/email.css: the files bench/juice.mjs inlines with juice
// for the comparison.
func BenchmarkInline(b *testing.B) {
	page, err := os.ReadFile("testdata/inline/email.html")
	if err != nil {
		b.Fatal(err)
	}
	css, err := os.ReadFile("testdata/inline/email.css")
	if err != nil {
		b.Fatal(err)
	}
	in, err := NewInliner(string(css))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		in.Inline(doc)
		if err := html.Render(&bytes.Buffer{}, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// benchExample is the trail API guide: headings, lists, tables, code and
// a call to action, the busiest example.
func benchExample(t testing.TB) examples.Example {
	for _, ex := range examples.Load(t) {
		if strings.Contains(ex.Name(), "trail-api") {
			return ex
		}
	}
	t.Fatal("no trail-api example")
	return examples.Example{}
}

func render2(t testing.TB, r *Renderer, ex examples.Example) {
	t.Helper()
	if _, err := r.Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: content.NewLinkPlan(ex.Item, ex.Brand)}); err != nil {
		t.Fatal(err)
	}
}

// TestInlineFixture keeps testdata/inline/ current: one example's page as
// the template writes it and the brand CSS, the inputs BenchmarkInline
// and bench/juice.mjs share (-update rewrites them).
func TestInlineFixture(t *testing.T) {
	ex := benchExample(t)
	lib, err := fonts.New() // bundled only: the logo's name is the same on every machine
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewWithFonts(nil, lib)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	r.beforeInline = func(b []byte) {
		if raw == nil {
			raw = append([]byte{}, b...)
		}
	}
	render2(t, r, ex)
	inl, err := r.inliner(ex.Brand)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "inline/email.html", raw)
	golden.Check(t, "inline/email.css", []byte(inl.Source()))
}
