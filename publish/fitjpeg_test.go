package publish_test

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/imagetest"
	"github.com/crosscast/crosscast/publish"
)

// FitJPEG decodes under the shared image budget: the crash-loop strip
// is refused before its pixels are decoded.
func TestFitJPEGRefusesCrashLoopPNG(t *testing.T) {
	strip := imagetest.CraftPNG(t, 40_000_000, 1, 0)
	var err error
	n := imagetest.Allocated(func() { _, err = publish.FitJPEG(strip, 1000) })
	if err == nil || !strings.Contains(err.Error(), "times longer than it is wide") {
		t.Errorf("got %v", err)
	}
	if n > 64<<20 {
		t.Errorf("FitJPEG allocated %d MiB", n>>20)
	}
}
