package images

import (
	"context"
	"image"
	"testing"
)

func TestSquareCrop(t *testing.T) {
	b := image.Rect(0, 0, 2400, 1600)
	for _, tt := range []struct {
		fx, fy float64
		want   image.Rectangle
	}{
		{0.5, 0.5, image.Rect(400, 0, 2000, 1600)}, // centred
		{0, 0.5, image.Rect(0, 0, 1600, 1600)},     // pushed against the left edge
		{1, 0.5, image.Rect(800, 0, 2400, 1600)},   // and the right
		{0.25, 0.9, image.Rect(0, 0, 1600, 1600)},  // a focal point near a corner
		{0.6, 0.1, image.Rect(640, 0, 2240, 1600)}, // room on both sides
	} {
		got := SquareCrop(b, tt.fx, tt.fy)
		if got != tt.want || got.Dx() != 1600 || got.Dy() != 1600 {
			t.Errorf("SquareCrop(%v, %v) = %v, want %v", tt.fx, tt.fy, got, tt.want)
		}
	}
	// Portrait: the square slides vertically.
	if got := SquareCrop(image.Rect(0, 0, 800, 1200), 0.5, 0.2); got != image.Rect(0, 0, 800, 800) {
		t.Errorf("portrait top focus: %v", got)
	}
	if got := SquareCrop(image.Rect(0, 0, 800, 1200), 0.5, 0.6); got != image.Rect(0, 320, 800, 1120) {
		t.Errorf("portrait mid focus: %v", got)
	}
}

func TestSquare(t *testing.T) {
	a := testAsset(t, 1000, 500)
	vs, err := Square(context.Background(), &Cache{}, a, 0.5, 0.5, []int{800, 400})
	if err != nil {
		t.Fatal(err)
	}
	// The crop is 500 px: 800 would upscale, so 400 only.
	if len(vs) != 1 || vs[0].Width != 400 || vs[0].Height != 400 {
		t.Fatalf("variants: %+v", vs)
	}
}
