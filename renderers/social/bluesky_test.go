package social

import (
	"testing"
)

func TestShortLinkText(t *testing.T) {
	for in, want := range map[string]string{
		"https://kestrel.example/":       "kestrel.example",
		"https://www.kestrel.example/a/": "kestrel.example/a",
		"https://kestrel.example/ridgeline-2-our-lightest-two-person-tent-yet/?utm_source=bluesky": "kestrel.example/ridgeline-2-o…",
		"https://kestrel.example/tents/?utm_source=bluesky":                                        "kestrel.example/tents…",
	} {
		if got := ShortLinkText(in); got != want {
			t.Errorf("ShortLinkText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Facet offsets are UTF-8 bytes, so text before the link in other
// scripts moves them by more than its character count.
func TestFacetsAreByteOffsets(t *testing.T) {
	uri := "https://kestrel.example/tents/?utm_source=bluesky"
	display := ShortLinkText(uri)
	post := compose("Tält för två 👍🏽", display, []string{"#Tält"})
	fs := Facets(post, display, uri)
	if len(fs) != 2 {
		t.Fatalf("facets: %+v", fs)
	}
	if got := post[fs[0].ByteStart:fs[0].ByteEnd]; got != display || fs[0].URI != uri {
		t.Errorf("link facet covers %q", got)
	}
	if got := post[fs[1].ByteStart:fs[1].ByteEnd]; got != "#Tält" || fs[1].Tag != "Tält" {
		t.Errorf("tag facet covers %q (%q)", got, fs[1].Tag)
	}
	if fs[0].ByteStart == len([]rune(post[:fs[0].ByteStart])) {
		t.Error("offsets look like characters, not bytes")
	}
}
