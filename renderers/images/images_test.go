package images

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/crosscast/crosscast/content"
)

func testAsset(t testing.TB, w, h int) *content.Asset {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return &content.Asset{Name: "pics/Big Photo.jpg", Data: buf.Bytes(), Format: "jpeg", Width: w, Height: h, SHA256: "abc"}
}

func TestWidths(t *testing.T) {
	for _, tt := range []struct {
		w    int
		want []int
	}{{2000, []int{1440, 960, 480}}, {1000, []int{960, 480}}, {300, []int{300}}, {960, []int{960, 480}}} {
		got := Widths(tt.w, []int{480, 960, 1440, 960})
		if len(got) != len(tt.want) {
			t.Errorf("Widths(%d) = %v, want %v", tt.w, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Widths(%d) = %v, want %v", tt.w, got, tt.want)
			}
		}
	}
}

func TestResize(t *testing.T) {
	a := testAsset(t, 1000, 500)
	c := &Cache{}
	vs, err := Resize(context.Background(), c, a, []int{480, 960, 1440})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Width != 960 || vs[0].Height != 480 || vs[1].Width != 480 || vs[1].Height != 240 {
		t.Fatalf("variants: %+v", vs)
	}
	for _, v := range vs {
		cfg, format, err := image.DecodeConfig(bytes.NewReader(v.Data))
		if err != nil || format != "jpeg" || cfg.Width != v.Width {
			t.Errorf("%s: %v %s %d", v.Name, err, format, cfg.Width)
		}
		if v.MediaType != "image/jpeg" || v.Name[:10] != "big-photo-" {
			t.Errorf("name %s type %s", v.Name, v.MediaType)
		}
	}
	// A second call is served from the cache: same bytes, no decoding.
	a.Data = nil // decoding would now fail
	again, err := Resize(context.Background(), c, a, []int{480, 960, 1440})
	if err != nil || !bytes.Equal(again[0].Data, vs[0].Data) {
		t.Fatalf("cache miss: %v", err)
	}
}

// A bounded cache drops its oldest derivatives first and stays under its
// budget, so a long-lived worker does not grow without end.
func TestCacheBound(t *testing.T) {
	c := &Cache{MaxBytes: 100}
	for i := range 5 {
		c.put(context.Background(), fmt.Sprint(i), Variant{Data: make([]byte, 40)})
	}
	if c.bytes > 100 {
		t.Fatalf("cache holds %d bytes over a 100-byte budget", c.bytes)
	}
	if _, ok := c.get(context.Background(), "0"); ok {
		t.Error("the oldest entry is still there")
	}
	if _, ok := c.get(context.Background(), "4"); !ok {
		t.Error("the newest entry was evicted")
	}
}
