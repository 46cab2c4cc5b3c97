package content

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/crosscast/crosscast/internal/imagetest"
)

// The crash-loop PNG of issue 15: 40,000,000×1 pixels in a few tens of
// KB passes a 40 MP check, and resizing it took ~3.8 GB. Parsing must
// refuse it with a positioned error, fast, without allocating for it.
func TestCrashLoopPNGRejectedAtParse(t *testing.T) {
	bomb := imagetest.CraftPNG(t, 40_000_000, 1, 0)
	t.Logf("the crafted PNG is %d KB", len(bomb)>>10)
	files := fstest.MapFS{"strip.png": {Data: bomb}, "ok.png": {Data: pngBytes(t, 4, 4)}}
	for _, tt := range []struct {
		name, src, want string
	}{
		{"hero", "---\ntitle: Hi\nhero:\n  src: strip.png\n  alt: x\n---\ntext\n", "post.md:4:3: hero.src: image strip.png: 40000000×1 is 40000000 times longer than it is wide; the limit is 20:1"},
		{"body", "---\ntitle: Hi\n---\n\n![ok](ok.png)\n\n![strip](strip.png)\n", "post.md:7: image strip.png: 40000000×1 is 40000000 times longer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			start := time.Now()
			n := imagetest.Allocated(func() { _, err = parseString(t, tt.src, files, ParseOptions{}) })
			took := time.Since(start)
			var errs Errors
			if !errors.As(err, &errs) || !strings.Contains(err.Error(), tt.want) || errs.Code() != ETooLarge {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
			if took > 2*time.Second {
				t.Errorf("rejecting it took %v", took)
			}
			if n > 64<<20 {
				t.Errorf("parsing allocated %d MiB", n>>20)
			}
		})
	}
}

func TestCheckImage(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  image.Config
		want string // "" accepts
	}{
		{"photo", image.Config{ColorModel: color.YCbCrModel, Width: 6000, Height: 4000}, ""},
		{"40 MP RGBA PNG", image.Config{ColorModel: color.NRGBAModel, Width: 8000, Height: 5000}, ""},
		{"panorama 20:1", image.Config{ColorModel: color.YCbCrModel, Width: 20000, Height: 1000}, ""},
		{"strip", image.Config{ColorModel: color.GrayModel, Width: 40_000_000, Height: 1}, "times longer"},
		{"tall strip", image.Config{ColorModel: color.GrayModel, Width: 100, Height: 2001}, "times longer"},
		{"40 MP 16-bit PNG", image.Config{ColorModel: color.NRGBA64Model, Width: 8000, Height: 5000}, "MiB to decode and resize; the limit is 512 MiB"},
		{"pixels", image.Config{ColorModel: color.GrayModel, Width: 10000, Height: 10000}, "100.0 megapixels; the limit is 40"},
		{"no pixels", image.Config{ColorModel: color.GrayModel, Width: 0, Height: 10}, "declares 0×10"},
	} {
		err := CheckImage(tt.cfg, 40_000_000) // the budget, not the default limit
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

// A file whose header is fine but whose data is cut off or corrupt is
// refused when the item is parsed, not by every channel at render time.
func TestTruncatedImagesRejectedAtParse(t *testing.T) {
	good := pngBytes(t, 64, 48)
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, nil); err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-20] ^= 0xff // inside the IDAT data: the CRC no longer matches
	files := fstest.MapFS{
		"cut.png":     {Data: good[:len(good)-30]},
		"cut.jpg":     {Data: jb.Bytes()[:jb.Len()/2]},
		"corrupt.png": {Data: corrupt},
	}
	for name, line := range map[string]string{"cut.png": "post.md:4:", "cut.jpg": "post.md:4:", "corrupt.png": "post.md:4:"} {
		_, err := parseString(t, "---\ntitle: Hi\n---\n![x]("+name+")\n", files, ParseOptions{})
		if err == nil || !strings.Contains(err.Error(), line+" image "+name+": the ") || !strings.Contains(err.Error(), "truncated or corrupt") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// jpegWithFrame is a small baseline JPEG whose frame header is patched
// to claim w×h pixels and, when progressive, to be a progressive frame
// (SOF2): enough for the header checks, which never reach the scans.
func jpegWithFrame(t *testing.T, w, h int, progressive bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	i := bytes.Index(data, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	if progressive {
		data[i+1] = 0xc2
	}
	data[i+5], data[i+6] = byte(h>>8), byte(h)
	data[i+7], data[i+8] = byte(w>>8), byte(w)
	return data
}

// A progressive JPEG keeps every DCT coefficient while it decodes (4
// bytes per pixel and component): the budget counts them.
func TestProgressiveJPEGBudget(t *testing.T) {
	if n := progressiveJPEGBytes(jpegWithFrame(t, 16, 16, false)); n != 0 {
		t.Errorf("baseline counted %d bytes", n)
	}
	// 4:2:0: luma 4 bytes per pixel, each chroma a quarter of that.
	if n := progressiveJPEGBytes(jpegWithFrame(t, 800, 800, true)); n < 800*800*6 || n > 800*800*7 {
		t.Errorf("800×800 progressive: %d bytes", n)
	}
	_, _, err := DecodeChecked(jpegWithFrame(t, 7000, 6000, true), 100_000_000)
	if err == nil || !strings.Contains(err.Error(), "as a progressive JPEG would take") {
		t.Errorf("7000×6000 progressive: %v", err)
	}
	// The same size, baseline, is within the budget (and then found cut off).
	_, _, err = DecodeChecked(jpegWithFrame(t, 7000, 6000, false), 100_000_000)
	if err == nil || !strings.Contains(err.Error(), "truncated or corrupt") {
		t.Errorf("7000×6000 baseline: %v", err)
	}
}
