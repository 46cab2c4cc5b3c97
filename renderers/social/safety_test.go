package social

import (
	"context"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/imagetest"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
)

// A font whose outlines are absurdly large (here 1 unit per em) would
// have each title glyph rasterised into a mask of gigabytes. Brand
// loading refuses it; the card renderer checks again (a brand stored
// before, or built in code) and falls back to the Go font with a warning.
func TestHostileBrandFontIsNotDrawn(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	b.Fonts.Files = map[string]string{"heading": "evil.ttf"}
	data := imagetest.HostileFont(t)
	b.Files["evil.ttf"] = &content.BrandFile{Name: "evil.ttf", Data: data, SHA256: strings.Repeat("e", 64)}
	it := testItem(t, b, "---\ntitle: Hut opening\n---\nBody.\n", nil)
	var out string
	n := imagetest.Allocated(func() {
		_, o := renderDoc(t, b, it)
		out = warningText(o)
	})
	if n > 512<<20 {
		t.Errorf("rendering allocated %d MiB", n>>20)
	}
	if !strings.Contains(out, "fonts.files.heading") || !strings.Contains(out, "units per em") {
		t.Errorf("no warning for the hostile font: %s", out)
	}
}

// Defence in depth for share cards: a hero that never went through
// content.Parse's checks is refused by the decoder, not drawn at ~4 GB.
func TestCardsRefuseCrashLoopHero(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	it := testItem(t, b, "---\ntitle: Ridge\nhero:\n  src: hero.png\n  alt: A ridge\n---\nBody.\n", memfs.FS{"hero.png": testPhoto(t, 240, 160)})
	a := it.HeroImage().Asset
	a.Data, a.Width, a.Height, a.SHA256 = imagetest.CraftPNG(t, 40_000_000, 1, 0), 40_000_000, 1, strings.Repeat("f", 64)
	var err error
	n := imagetest.Allocated(func() {
		_, err = newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
	})
	if err == nil || !strings.Contains(err.Error(), "times longer than it is wide") {
		t.Errorf("got %v", err)
	}
	if n > 256<<20 {
		t.Errorf("rendering allocated %d MiB", n>>20)
	}
}
