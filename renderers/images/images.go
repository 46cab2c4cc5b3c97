// Package images makes the resized derivatives channels publish: decoded
// once, resized from large to small, encoded with content-hashed names.
package images

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"math"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crosscast/crosscast/content"
)

// Variant is one encoded derivative of an asset.
type Variant struct {
	Name      string // base-<hash8>-<width>.<ext>
	MediaType string
	Width     int
	Height    int
	Data      []byte
}

// WebWidths are the widths web pages publish a local image in: phones,
// a 42rem text column at 2×, and wide screens at 2×. The portal and the
// feeds use the same derivatives.
func WebWidths() []int { return []int{480, 960, 1440} }

// JPEGQuality balances size and artefacts for photos on the web and in email.
const JPEGQuality = 82

// Cache keeps derivatives by (asset hash, width) so re-rendering an item
// whose images did not change costs no image work. The zero value is
// ready and unbounded; a nil *Cache disables caching.
type Cache struct {
	// MaxBytes bounds the encoded bytes kept; past it the oldest entries
	// go first. Zero means no bound (fine for one CLI run, not for a
	// long-lived worker).
	MaxBytes int64

	// Shared, when set, is a second level several processes see, so a
	// derivative made by one worker is not made again by another.
	Shared Shared

	// MaxDecodedBytes bounds the decoded pixels kept (see Decoded);
	// zero means DefaultMaxDecodedBytes.
	MaxDecodedBytes int64

	sources sourceCache
	decodes atomic.Int64

	mu    sync.Mutex
	m     map[string]Variant
	order []string // insertion order, for eviction
	bytes int64
}

// Shared is a derivative cache outside the process (crosscast keeps one
// in its store). Failures are misses: the image is simply made again.
type Shared interface {
	GetVariant(ctx context.Context, key string) (Variant, bool)
	PutVariant(ctx context.Context, key string, v Variant)
}

func (c *Cache) get(ctx context.Context, key string) (Variant, bool) {
	if c == nil {
		return Variant{}, false
	}
	c.mu.Lock()
	v, ok := c.m[key]
	c.mu.Unlock()
	if ok || c.Shared == nil {
		return v, ok
	}
	if v, ok = c.Shared.GetVariant(ctx, key); ok {
		c.remember(key, v)
	}
	return v, ok
}

func (c *Cache) put(ctx context.Context, key string, v Variant) {
	if c == nil {
		return
	}
	c.remember(key, v)
	if c.Shared != nil {
		c.Shared.PutVariant(ctx, key, v)
	}
}

func (c *Cache) remember(key string, v Variant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]Variant{}
	}
	if _, ok := c.m[key]; ok {
		return
	}
	c.m[key] = v
	c.order = append(c.order, key)
	c.bytes += int64(len(v.Data))
	for c.MaxBytes > 0 && c.bytes > c.MaxBytes && len(c.order) > 1 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= int64(len(c.m[old].Data))
		delete(c.m, old)
	}
}

// lookup returns the cached variant for each width (zero where missing)
// and whether every one was cached.
func (c *Cache) lookup(ctx context.Context, ws []int, key func(int) string) ([]Variant, bool) {
	out := make([]Variant, len(ws))
	all := true
	for i, w := range ws {
		v, ok := c.get(ctx, key(w))
		out[i] = v
		all = all && ok
	}
	return out, all
}

// Load returns the cached variant stored under key by Store. Channels
// that make their own images (share cards) cache them here too.
func (c *Cache) Load(ctx context.Context, key string) (Variant, bool) { return c.get(ctx, key) }

// Store keeps v under key.
func (c *Cache) Store(ctx context.Context, key string, v Variant) { c.put(ctx, key, v) }

// Decode decodes an asset's image. Its header is checked against the
// memory budget first (content.CheckImage), even though content.Parse
// did so already: an asset from elsewhere, or stored before a check
// existed, must not take the process down either.
func Decode(a *content.Asset) (image.Image, error) { return decode(a) }

func decode(a *content.Asset) (image.Image, error) {
	// The pixel limit is the item's business; the budget alone bounds
	// what this process allocates.
	img, _, err := content.DecodeChecked(a.Data, math.MaxInt)
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", a.Name, err)
	}
	return img, nil
}

// Widths returns the distinct widths out of want that do not upscale an
// image w pixels wide, largest first. An image narrower than every wanted
// width keeps its own width.
func Widths(w int, want []int) []int {
	var out []int
	for _, x := range want {
		if x <= w && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		out = []int{w}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// Resize returns the asset at each width (see Widths), keeping its aspect
// ratio. PNG and GIF sources stay PNG (they may be transparent or
// line art); JPEG stays JPEG. The asset is decoded once per process
// (Cache.Decoded), whichever channel asks first.
func Resize(ctx context.Context, c *Cache, a *content.Asset, widths []int) ([]Variant, error) {
	ws := Widths(a.Width, widths)
	key := func(w int) string { return cacheKey(a, w) }
	out, all := c.lookup(ctx, ws, key)
	if all {
		return out, nil
	}
	src, err := c.Decoded(ctx, a)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	for i, w := range ws {
		if out[i].Data != nil {
			continue
		}
		h := max(1, int(math.Round(float64(w)*float64(b.Dy())/float64(b.Dx()))))
		v, err := encode(a, src.Scaled(b, w, h))
		if err != nil {
			return nil, err
		}
		out[i] = v
		c.put(ctx, key(w), v)
	}
	return out, nil
}

// cacheKey names a derivative by the source's bytes, its width and the
// file name it is published under (the same photo under two names gives
// two names).
func cacheKey(a *content.Asset, w int) string {
	return fmt.Sprintf("%s/%d/%s", a.SHA256, w, baseName(a.Name))
}

func encode(a *content.Asset, img *image.RGBA) (Variant, error) {
	var buf bytes.Buffer
	ext, mt := ".jpg", "image/jpeg"
	var err error
	if a.Format == "jpeg" {
		err = EncodeJPEG(&buf, img, JPEGQuality)
	} else {
		ext, mt = ".png", "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	if err != nil {
		return Variant{}, fmt.Errorf("encoding %s: %w", a.Name, err)
	}
	b := img.Bounds()
	sum := sha256.Sum256(buf.Bytes())
	return Variant{
		Name:      fmt.Sprintf("%s-%s-%d%s", baseName(a.Name), hex.EncodeToString(sum[:4]), b.Dx(), ext),
		MediaType: mt,
		Width:     b.Dx(),
		Height:    b.Dy(),
		Data:      buf.Bytes(),
	}, nil
}

// baseName is the file name without folder and extension, made safe for URLs.
func baseName(name string) string {
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	if s := content.Slugify(base); s != "" {
		return s
	}
	return "image"
}
