package content

import (
	"strings"
	"testing"
	"time"
)

// Unmatched emphasis markers cost goldmark time in their square; a body
// of them is refused at its paragraph, quickly, while escaped markers and
// ordinary emphasis pass.
func TestEmphasisRunsBounded(t *testing.T) {
	start := time.Now()
	src := "---\ntitle: Runs\n---\n\nFine.\n\n" + strings.Repeat("*a **b _c", 90_000) + "\n"
	_, err := ParseBytes(nil, "post.md", []byte(src), ParseOptions{})
	wantDiag(t, err, "post.md:7:", "runs of emphasis markers")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	ok := "---\ntitle: Runs\n---\n\n" + strings.Repeat("Some *emphasis* and \\* stars \\_ here.\n", 2000)
	if _, err := ParseBytes(nil, "post.md", []byte(ok), ParseOptions{}); err != nil {
		t.Errorf("ordinary emphasis refused: %v", err)
	}
}
