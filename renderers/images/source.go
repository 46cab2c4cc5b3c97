package images

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"sync"

	"github.com/disintegration/imaging"

	"github.com/crosscast/crosscast/content"
)

// Source is a decoded asset with its halvings: level 0 is the full image
// as opaque or premultiplied RGBA, each next level half the last (box
// filtered, exact and cheap). Every derivative (web widths, email width,
// squares, share cards) is scaled from the smallest level that is still
// at least as large as it, so one decode and a few halvings serve all
// channels. A Source is safe for concurrent use; its levels are shared
// and must not be drawn on.
type Source struct {
	opaque bool
	full   *image.RGBA // levels[0], read without the lock: it never changes
	mu     sync.Mutex
	levels []*image.RGBA
}

// NewSource wraps an image decoded elsewhere.
func NewSource(img image.Image) *Source {
	var opaque bool
	switch img.(type) {
	case *image.YCbCr, *image.Gray, *image.CMYK:
		opaque = true // what JPEGs decode to
	}
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Rect.Min != (image.Point{}) {
		b := img.Bounds()
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		// draw has fast paths from YCbCr, Gray and NRGBA: the decoded
		// JPEG is converted once here, not per channel.
		draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
	}
	if !opaque {
		opaque = rgba.Opaque()
	}
	return &Source{opaque: opaque, full: rgba, levels: []*image.RGBA{rgba}}
}

// Opaque reports whether every pixel is opaque.
func (s *Source) Opaque() bool { return s.opaque }

// Bounds is the full image's size.
func (s *Source) Bounds() image.Rectangle { return s.full.Rect }

// level returns the smallest level whose crop of r (in full-size pixels)
// is still at least w×h, and r in that level's pixels.
func (s *Source) level(r image.Rectangle, w, h int) (*image.RGBA, image.Rectangle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for r.Dx()>>(n+1) >= w && r.Dy()>>(n+1) >= h && s.levels[0].Rect.Dx()>>(n+1) > 0 && s.levels[0].Rect.Dy()>>(n+1) > 0 {
		n++
	}
	for len(s.levels) <= n {
		s.levels = append(s.levels, halve(s.levels[len(s.levels)-1]))
	}
	lv := s.levels[n]
	lr := image.Rect(r.Min.X>>n, r.Min.Y>>n, r.Max.X>>n, r.Max.Y>>n).Intersect(lv.Rect)
	return lv, lr
}

// bytes is what the source's pixels take, for the cache's bound.
func (s *Source) bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, l := range s.levels {
		n += int64(len(l.Pix))
	}
	// The halvings not yet made take a third more at most.
	if len(s.levels) == 1 {
		n += n / 3
	}
	return n
}

// Decoded returns the asset decoded, from the cache when this process
// decoded it before: channels rendering the same item version at once
// wait for one decode instead of each doing their own. A nil *Cache
// decodes every time.
func (c *Cache) Decoded(ctx context.Context, a *content.Asset) (*Source, error) {
	if c == nil {
		return decodeSource(a)
	}
	c.sources.setMax(c.MaxDecodedBytes)
	return c.sources.get(ctx, a.SHA256, func() (*Source, error) {
		c.decodes.Add(1)
		return decodeSource(a)
	})
}

// Decodes is how many images the cache has decoded: with every channel
// of a process sharing it, about one per photo per item version.
func (c *Cache) Decodes() int64 { return c.decodes.Load() }

func decodeSource(a *content.Asset) (*Source, error) {
	img, err := decode(a)
	if err != nil {
		return nil, err
	}
	return NewSource(img), nil
}

// DefaultMaxDecodedBytes bounds the decoded pixels a Cache keeps when
// MaxDecodedBytes is zero: two 2400×1600 photos with their halvings,
// enough for the channels of the items a worker renders at once.
const DefaultMaxDecodedBytes = 48 << 20

// sourceCache keeps recently decoded sources by content hash, bounded in
// bytes, least recently used first out. A decode in progress is shared:
// later callers wait for it.
type sourceCache struct {
	mu    sync.Mutex
	max   int64
	m     map[string]*sourceEntry
	tick  uint64
	bytes int64
}

type sourceEntry struct {
	done  chan struct{}
	src   *Source
	err   error
	size  int64
	used  uint64
	ready bool
}

func (sc *sourceCache) setMax(n int64) {
	sc.mu.Lock()
	sc.max = n
	sc.mu.Unlock()
}

func (sc *sourceCache) get(ctx context.Context, key string, load func() (*Source, error)) (*Source, error) {
	sc.mu.Lock()
	if sc.m == nil {
		sc.m = map[string]*sourceEntry{}
	}
	sc.tick++
	if e, ok := sc.m[key]; ok {
		e.used = sc.tick
		sc.mu.Unlock()
		select {
		case <-e.done:
			return e.src, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &sourceEntry{done: make(chan struct{}), used: sc.tick}
	sc.m[key] = e
	sc.mu.Unlock()

	e.src, e.err = loadSafely(load)
	close(e.done)

	sc.mu.Lock()
	defer sc.mu.Unlock()
	if e.err != nil {
		// Errors are not kept: the asset is refused again next time,
		// at the cost of reading its header.
		delete(sc.m, key)
		return nil, e.err
	}
	e.size, e.ready = e.src.bytes(), true
	sc.bytes += e.size
	sc.evict(key)
	return e.src, nil
}

// loadSafely runs load, turning a panic into an error: callers waiting
// on the decode must always be woken.
func loadSafely(load func() (*Source, error)) (src *Source, err error) {
	defer func() {
		if p := recover(); p != nil {
			src, err = nil, fmt.Errorf("decoding the image failed: %v", p)
		}
	}()
	return load()
}

// evict drops the least recently used decoded sources until the cache
// is within its bound; keep (just decoded) goes last, and alone may
// exceed the bound only until the next decode.
func (sc *sourceCache) evict(keep string) {
	limit := sc.max
	if limit == 0 {
		limit = DefaultMaxDecodedBytes
	}
	for sc.bytes > limit {
		var old string
		var oldest *sourceEntry
		for k, e := range sc.m {
			if e.ready && k != keep && (oldest == nil || e.used < oldest.used) {
				old, oldest = k, e
			}
		}
		if oldest == nil {
			if e := sc.m[keep]; e != nil && sc.bytes > limit {
				// Larger than the whole bound: used once, not kept.
				sc.bytes -= e.size
				delete(sc.m, keep)
			}
			return
		}
		sc.bytes -= oldest.size
		delete(sc.m, old)
	}
}

// Scaled returns the part r of the image (in full-size pixels) scaled to
// exactly w×h, as a new opaque or premultiplied RGBA image the caller
// owns. It scales from the smallest halving still at least w×h, so the
// filter only ever shrinks by less than half and a fast one loses
// nothing a slower one would keep.
func (s *Source) Scaled(r image.Rectangle, w, h int) *image.RGBA {
	return s.scaled(r, w, h, false)
}

// scaled is Scaled; fast shrinks an opaque image with a triangle filter
// instead of Catmull-Rom: a little softer, and several times faster.
func (s *Source) scaled(r image.Rectangle, w, h int, fast bool) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	s.scaleInto(dst, r, h, fast)
	return dst
}

// scaleInto draws the top of the part r of the image scaled to
// dst.Rect.Dx()×h into dst, which may be a part of a larger image (a
// card's photo area) and may have fewer rows than h (the rest would be
// painted over).
func (s *Source) scaleInto(dst *image.RGBA, r image.Rectangle, h int, fast bool) {
	w := dst.Rect.Dx()
	lv, lr := s.level(r, w, h)
	switch {
	case lr.Dx() == w && lr.Dy() == h:
		draw.Draw(dst, dst.Rect, lv, lr.Min, draw.Src)
	case s.opaque && fast && lr.Dx() > w && lr.Dy() > h:
		shrinkTriangle(dst, lv, lr, h)
	case dst.Rect.Dy() < h:
		// Rare (a photo smaller than the card): scaled whole, then the
		// top copied.
		full := image.NewRGBA(image.Rect(0, 0, w, h))
		s.scaleInto(full, r, h, fast)
		draw.Draw(dst, dst.Rect, full, image.Point{}, draw.Src)
	case s.opaque:
		// Catmull-Rom over less than a halving keeps what Lanczos over
		// the full image kept (see TestScaledLooksLikeLanczos) at a
		// tenth of the cost.
		resampleOpaque(dst, lv, lr)
	default:
		scaled := imaging.Resize(lv.SubImage(lr), w, h, imaging.CatmullRom)
		draw.Draw(dst, dst.Rect, scaled, image.Point{}, draw.Src)
	}
}
