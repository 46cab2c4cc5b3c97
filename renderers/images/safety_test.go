package images

import (
	"context"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/imagetest"
)

// Defence in depth: an asset that never went through content.Parse (or
// was stored before its checks existed) is refused by every resizing
// path before it is decoded, instead of costing gigabytes.
func TestResizersRefuseCrashLoopPNG(t *testing.T) {
	data := imagetest.CraftPNG(t, 40_000_000, 1, 0)
	a := &content.Asset{Name: "strip.png", Data: data, Format: "png", Width: 40_000_000, Height: 1, SHA256: "strip"}
	for name, f := range map[string]func() error{
		"Resize": func() error { _, err := Resize(context.Background(), nil, a, WebWidths()); return err },
		"Square": func() error { _, err := Square(context.Background(), nil, a, 0.5, 0.5, []int{400}); return err },
		"Decode": func() error { _, err := Decode(a); return err },
	} {
		var err error
		n := imagetest.Allocated(func() { err = f() })
		if err == nil || !strings.Contains(err.Error(), "times longer than it is wide") {
			t.Errorf("%s: got %v", name, err)
		}
		if n > 64<<20 {
			t.Errorf("%s allocated %d MiB", name, n>>20)
		}
	}
}
