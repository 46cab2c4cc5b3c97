package catalog

import (
	"strings"
	"testing"
)

// The print snippet's URL may break after a "/" only: each segment is one
// unbreakable span, with a <wbr> between them.
func TestBreakAtSlashes(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"kestrel.example/cross-channel-marketing",
			`<span class="seg">kestrel.example/</span><wbr><span class="seg">cross-channel-marketing</span>`},
		{"kestrel.example/de/a-b",
			`<span class="seg">kestrel.example/</span><wbr><span class="seg">de/</span><wbr><span class="seg">a-b</span>`},
		{"kestrel.example", `<span class="seg">kestrel.example</span>`},
		{`a.example/<b>&"`, `<span class="seg">a.example/</span><wbr><span class="seg">&lt;b&gt;&amp;&#34;</span>`},
	} {
		if got := string(breakAtSlashes(tt.in)); got != tt.want {
			t.Errorf("breakAtSlashes(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
}

func TestURLFontSize(t *testing.T) {
	for _, tt := range []struct {
		segment int
		want    float64
	}{
		{10, 8.5}, {44, 8.5}, {48, 8.4}, {60, 6.7}, {80, 5.0}, {200, 5.0},
	} {
		if got := urlFontSize("kestrel.example/" + strings.Repeat("a", tt.segment)); got != tt.want {
			t.Errorf("a %d-character segment: %vpt, want %vpt", tt.segment, got, tt.want)
		}
	}
}
