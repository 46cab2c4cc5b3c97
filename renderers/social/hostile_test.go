package social

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
)

// Thousands of combining marks (one grapheme cluster) in the text of a
// post took FindURLs quadratic time: a link could start after every
// mark, and each start read the whole run again. A 9,000-mark title took
// 52 s to render.
func TestCombiningMarksRenderInBoundedTime(t *testing.T) {
	marks := strings.Repeat("\u0301", 20_000)
	start := time.Now()
	if got := FindURLs("a" + marks + " https://x.example " + marks); len(got) != 1 {
		t.Errorf("FindURLs found %d links, want 1", len(got))
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("FindURLs took %v", took)
	}

	marks = marks[:2*2000] // as many as the summary's limit (content.MaxTextBytes) lets through
	b := testBrand(t, allNetworks, nil)
	src := fmt.Sprintf("---\ntitle: \"Zalgo %s\"\nsummary: \"a%s\"\nsocial:\n  thread: true\n  x: \"b%s\"\n---\nBody.\n",
		strings.Repeat("Z\u0351\u036b", 100), marks, marks)
	it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{DefaultLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if _, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("rendering took %v", took)
	}
}
