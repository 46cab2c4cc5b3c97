package images

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
)

// The derivatives are scaled from the nearest halving with Catmull-Rom,
// not from the full photo with Lanczos as before: on the example photos
// they look the same, within the golden-image tolerance, at every width
// a channel publishes.
func TestScaledLooksLikeLanczos(t *testing.T) {
	paths, _ := filepath.Glob("../../examples/*/items/*/*.jpg")
	if len(paths) == 0 {
		t.Fatal("no example photos")
	}
	if testing.Short() {
		paths = paths[:2]
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		full, _, err := content.DecodeChecked(data, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		a := &content.Asset{Name: filepath.Base(p), Data: data, Format: "jpeg", Width: full.Bounds().Dx(), Height: full.Bounds().Dy(), SHA256: p}
		src, err := (&Cache{}).Decoded(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range append(WebWidths(), 600, 400) {
			if w > a.Width {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", filepath.Base(p), w), func(t *testing.T) {
				want := imaging.Resize(full, w, 0, imaging.Lanczos)
				got := src.Scaled(src.Bounds(), w, want.Rect.Dy())
				if mean, bad := golden.Diff(got, want); mean > golden.DefaultTolerance.MeanDiff || bad > golden.DefaultTolerance.BadPixels {
					t.Errorf("differs from Lanczos: mean %.2f, %.3f%% of pixels off", mean, bad*100)
				}
			})
		}
		sq := SquareCrop(src.Bounds(), 0.5, 0.5)
		want := imaging.Resize(imaging.Crop(full, sq), 400, 400, imaging.Lanczos)
		got := src.Scaled(sq, 400, 400)
		if mean, bad := golden.Diff(got, want); mean > golden.DefaultTolerance.MeanDiff || bad > golden.DefaultTolerance.BadPixels {
			t.Errorf("%s: the square differs from Lanczos: mean %.2f, %.3f%% of pixels off", p, mean, bad*100)
		}
	}
}

// Channels asking for the same asset at once share one decode, and the
// decoded pixels kept stay within the cache's bound.
func TestDecodedOnceAndBounded(t *testing.T) {
	c := &Cache{MaxDecodedBytes: 3 << 20}
	a := testAsset(t, 600, 400) // ~1.3 MB with its halvings
	srcs := make(chan *Source, 8)
	for range 8 {
		go func() {
			s, err := c.Decoded(context.Background(), a)
			if err != nil {
				t.Error(err)
			}
			srcs <- s
		}()
	}
	first := <-srcs
	for range 7 {
		if s := <-srcs; s != first {
			t.Fatal("two decodes of one asset")
		}
	}
	if n := c.Decodes(); n != 1 {
		t.Fatalf("%d decodes for eight callers", n)
	}
	for i := range 5 {
		b := *a
		b.SHA256 = fmt.Sprint("other", i)
		if _, err := c.Decoded(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
	}
	if c.sources.bytes > 3<<20 {
		t.Errorf("%d bytes of decoded pixels kept, over a 3 MiB bound", c.sources.bytes)
	}
	if _, ok := c.sources.m[a.SHA256]; ok {
		t.Error("the least recently used source is still kept")
	}
}

// The fixed-point resampler for opaque images draws what imaging's
// Catmull-Rom draws, shrinking and enlarging, from a part of the image.
func TestResampleOpaqueLikeImaging(t *testing.T) {
	src := testPicture(700, 500, 9)
	sr := image.Rect(37, 20, 637, 470)
	for _, sz := range []image.Point{{400, 300}, {599, 449}, {333, 100}, {800, 600}, {2, 2}, {600, 450}} {
		got := image.NewRGBA(image.Rect(0, 0, sz.X, sz.Y))
		resampleOpaque(got, src, sr)
		want := imaging.Resize(src.SubImage(sr), sz.X, sz.Y, imaging.CatmullRom)
		if mean, bad := golden.Diff(got, want); mean > 0.5 || bad > 0 {
			t.Errorf("%v: mean %.2f, %.3f%% of pixels off imaging's", sz, mean, bad*100)
		}
	}
}

func BenchmarkScale1440(b *testing.B) {
	src := NewSource(testPicture(2400, 1600, 2))
	b.Run("resampleOpaque", func(b *testing.B) {
		for b.Loop() {
			src.Scaled(src.Bounds(), 1440, 960)
		}
	})
	b.Run("imaging", func(b *testing.B) {
		for b.Loop() {
			imaging.Resize(src.levels[0], 1440, 960, imaging.CatmullRom)
		}
	})
}

// A card's photo, shrunk with the triangle filter from the nearest
// halving, looks like the same crop shrunk with Catmull-Rom from the full
// photo, halved while twice the card or more, as cards were drawn
// before, within the golden tolerance: on a
// grainy, hard-edged picture and on the example photos at 2400 px.
func TestCoverLooksLikeCatmullRom(t *testing.T) {
	pics := map[string]*image.RGBA{"grain": testPicture(2400, 1600, 5)}
	paths, _ := filepath.Glob("../../examples/*/items/*/*.jpg")
	if testing.Short() {
		paths = paths[:1]
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := content.DecodeChecked(data, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		pics[filepath.Base(p)] = NewSource(imaging.Resize(img, 2400, 0, imaging.Lanczos)).levels[0]
	}
	for name, pic := range pics {
		src := NewSource(pic)
		for _, sz := range []image.Point{{1080, 900}, {1080, 800}, {1200, 520}, {1080, 1000}} {
			r := AspectCrop(src.Bounds(), sz.X, sz.Y, 0.5, 0.5)
			got := Cover(src, sz.X, sz.Y, 0.5, 0.5)
			want := oldCover(pic, r, sz.X, sz.Y)
			if mean, bad := golden.Diff(got, want); mean > golden.DefaultTolerance.MeanDiff || bad > golden.DefaultTolerance.BadPixels {
				t.Errorf("%s %v: mean %.2f, %.3f%% of pixels off", name, sz, mean, bad*100)
			}
		}
	}
}

// oldCover is how cards cropped and scaled photos before: the crop
// copied out, halved while at least twice the card, then Catmull-Rom.
func oldCover(pic *image.RGBA, r image.Rectangle, w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(img, img.Rect, pic, r.Min, draw.Src)
	for img.Rect.Dx() >= 2*w && img.Rect.Dy() >= 2*h {
		img = halve(img)
	}
	if img.Rect.Dx() == w && img.Rect.Dy() == h {
		return img
	}
	return imaging.Resize(img, w, h, imaging.CatmullRom)
}

// A decode that fails, or panics, wakes everyone waiting for it with the
// error and is not kept: the next call tries again.
func TestDecodedFailureNotKept(t *testing.T) {
	var sc sourceCache
	if _, err := sc.get(context.Background(), "k", func() (*Source, error) { panic("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v", err)
	}
	if _, ok := sc.m["k"]; ok {
		t.Fatal("the failed decode is still cached")
	}
	src := NewSource(testPicture(8, 8, 1))
	got, err := sc.get(context.Background(), "k", func() (*Source, error) { return src, nil })
	if err != nil || got != src {
		t.Fatalf("retry: %v", err)
	}
}

// CoverInto a part of a larger image draws there what Cover returns, and
// nothing outside it.
func TestCoverIntoPart(t *testing.T) {
	src := NewSource(testPicture(900, 600, 3))
	for _, sz := range []image.Point{{300, 140}, {450, 200}, {200, 200}} {
		canvas := image.NewRGBA(image.Rect(0, 0, sz.X, sz.Y+50))
		CoverInto(canvas.SubImage(image.Rect(0, 0, sz.X, sz.Y)).(*image.RGBA), src, 0.4, 0.6)
		want := Cover(src, sz.X, sz.Y, 0.4, 0.6)
		if mean, bad := golden.Diff(canvas.SubImage(want.Rect), want); mean != 0 || bad != 0 {
			t.Errorf("%v: differs from Cover: mean %.2f", sz, mean)
		}
		for _, p := range canvas.Pix[4*sz.X*sz.Y:] {
			if p != 0 {
				t.Fatalf("%v: drawn below the part", sz)
			}
		}
	}
}

// A crop that rounds to nothing (a 1×1 photo under a 1200×630 card)
// scales its one pixel instead of panicking.
func TestResampleTinyCrop(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 1, 1))
	copy(src.Pix, []uint8{10, 200, 30, 255})
	for _, sr := range []image.Rectangle{image.Rect(0, 0, 0, 1), image.Rect(0, 0, 1, 0), image.Rect(1, 1, 1, 1), image.Rect(0, 0, 1, 1)} {
		dst := image.NewRGBA(image.Rect(0, 0, 12, 6))
		resampleOpaque(dst, src, sr)
		if got := dst.RGBAAt(5, 3); got.R != 10 || got.G != 200 || got.B != 30 {
			t.Errorf("crop %v: pixel %v, want the photo's one pixel", sr, got)
		}
	}
}
