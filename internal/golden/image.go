package golden

import (
	"bytes"
	"image"
	_ "image/jpeg" // golden images are JPEG or PNG
	_ "image/png"
	"os"
	"path/filepath"
	"testing"
)

// Tolerance is how far a rendered image may stray from its golden file:
// encoders and font rasterisers change in small ways between versions,
// and those changes are no reason to fail.
type Tolerance struct {
	// MeanDiff is the largest mean absolute difference per channel, 0–255.
	MeanDiff float64
	// BadPixels is the largest share of pixels (0–1) with a channel more
	// than 48 levels off: what a person would see as a changed area.
	BadPixels float64
}

// DefaultTolerance passes a re-encode and fails a moved or recoloured
// element.
var DefaultTolerance = Tolerance{MeanDiff: 1.5, BadPixels: 0.002}

// CheckImage compares the image got (encoded) with testdata/name, or
// writes it there with -update. On a mismatch it saves got to the test's
// artifact directory so a person can look at both.
func CheckImage(t *testing.T, name string, got []byte, tol Tolerance) {
	t.Helper()
	path, want, updated := read(t, name, got)
	if updated {
		return
	}
	gi, _, err := image.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("decoding the rendered %s: %v", name, err)
	}
	wi, _, err := image.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	mean, bad := Diff(gi, wi)
	if mean <= tol.MeanDiff && bad <= tol.BadPixels {
		return
	}
	out := filepath.Join(t.ArtifactDir(), filepath.Base(name))
	_ = os.WriteFile(out, got, 0o644)
	t.Errorf("%s differs from the rendering: mean difference %.2f (max %.2f), %.2f%% of pixels changed (max %.2f%%); rendering saved as %s (run go test -update and review the images)",
		path, mean, tol.MeanDiff, bad*100, tol.BadPixels*100, out)
}

// Diff returns the mean absolute difference per channel of two images
// and the share of pixels with a channel more than 48 levels off.
// Images of different sizes differ completely.
func Diff(a, b image.Image) (mean, bad float64) {
	ab, bb := a.Bounds(), b.Bounds()
	if ab.Size() != bb.Size() {
		return 255, 1
	}
	var sum float64
	var n, badN int
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			worst := 0.0
			for _, d := range []float64{absDiff(r1, r2), absDiff(g1, g2), absDiff(b1, b2)} {
				sum += d
				worst = max(worst, d)
			}
			if worst > 48 {
				badN++
			}
			n++
		}
	}
	return sum / float64(3*n), float64(badN) / float64(n)
}

func absDiff(a, b uint32) float64 {
	if a > b {
		return float64(a-b) / 257
	}
	return float64(b-a) / 257
}
