package ui

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
)

func TestDraftFormRoundTrip(t *testing.T) {
	src := "---\ntitle: \"Waxing: a how-to\"\nsummary: Keep the rain out.\ntags: [care, canvas]\nhero:\n  src: images/pack.jpg\n  alt: A pack\nauthor: Ann\ncta: {label: Shop wax, url: /wax/}\n---\nWarm the wax.\n\nRub it in.\n"
	f := splitSource([]byte(src))
	if f.Title != "Waxing: a how-to" || f.Summary != "Keep the rain out." || f.Tags != "care, canvas" || f.Hero != "images/pack.jpg" || f.HeroAlt != "A pack" {
		t.Fatalf("fields: %+v", f)
	}
	if !strings.Contains(f.Extra, "author: Ann") || !strings.Contains(f.Extra, "cta:") || strings.Contains(f.Extra, "title") {
		t.Errorf("extra: %q", f.Extra)
	}
	if f.Body != "Warm the wax.\n\nRub it in.\n" {
		t.Errorf("body: %q", f.Body)
	}
	out, bodyLine, err := f.source()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	if lines[bodyLine-1] != "Warm the wax." {
		t.Errorf("body line %d is %q", bodyLine, lines[bodyLine-1])
	}
	if g := splitSource(out); g != f {
		t.Errorf("second round:\n%+v\n%+v", g, f)
	}
	// A hero with a focus point stays in the YAML, whole.
	f = splitSource([]byte("---\ntitle: x\nhero: {src: a.jpg, alt: b, focus: [0.3, 0.5]}\n---\nx\n"))
	if f.Hero != "" || !strings.Contains(f.Extra, "focus") {
		t.Errorf("hero with focus: %+v", f)
	}
	// No front matter: all body.
	if f := splitSource([]byte("just text\n")); f.Body != "just text\n" || f.Title != "" {
		t.Errorf("no front matter: %+v", f)
	}
}

func TestPlaceErrors(t *testing.T) {
	got := placeErrors([]content.Diagnostic{
		{Field: "title", Message: "title is required"},
		{Field: "hero.alt", Message: "describe the image"},
		{Line: 12, Message: "image not found"},
		{Line: 3, Field: "product.price", Message: "not a price"},
		{Message: "no brand"},
	}, formLines{Body: 10})
	want := []formError{{Input: "title", Message: "title is required"}, {Input: "hero_alt", Message: "describe the image"},
		{Input: "body", BodyLine: 3, Message: "image not found"}, {Input: "extra", Message: "product.price: not a price"}, {Input: "form", Message: "no brand"}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// FuzzSplitSource: any Markdown a writer stored opens in the editor
// without a panic, and saving it unchanged gives the same form again.
func FuzzSplitSource(f *testing.F) {
	f.Add([]byte("---\ntitle: a\ntags: [x]\n---\nbody\n"))
	f.Add([]byte("---\nhero: {src: a.jpg}\npublish_at: 2026-12-01T08:00:00Z\n---\n"))
	f.Add([]byte("no front matter"))
	f.Fuzz(func(t *testing.T, src []byte) {
		form := splitSource(src)
		out, _, err := form.source()
		if err != nil {
			return
		}
		again := splitSource(out)
		if again.Title != form.Title || again.Tags != form.Tags || again.Hero != form.Hero {
			t.Fatalf("unstable: %+v then %+v", form, again)
		}
	})
}

// A problem in the extra front matter is told at its line there, not
// the composed file's.
func TestExtraErrorLines(t *testing.T) {
	f := draftForm{Title: "A", Extra: "\nproduct:\n  sku: X\n  price: abc\n", Body: "x"}
	src, bodyLine, err := f.source()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	at := f.lines(bodyLine)
	// The textarea's line 4 is "  price: abc".
	if got := lines[at.Extra+4-2]; got != "  price: abc" {
		t.Fatalf("line 4 of the extra front matter maps to %q (extra at %d)\n%s", got, at.Extra, src)
	}
	got := placeErrors([]content.Diagnostic{{Line: at.Extra + 3, Field: "product.price", Message: "not a number"}}, at)
	if len(got) != 1 || got[0].Input != "extra" || got[0].Line != 4 {
		t.Errorf("%+v, want extra line 4", got)
	}
}
