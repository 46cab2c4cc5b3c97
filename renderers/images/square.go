package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"math"

	"github.com/crosscast/crosscast/content"
)

// Square returns the asset cropped to a square around the focal point
// (fx, fy as fractions of width and height) and scaled to each size,
// largest first. The crop is the largest square that fits, moved as close
// to centring the focal point as the edges allow. Sizes larger than the
// crop are not upscaled.
func Square(ctx context.Context, c *Cache, a *content.Asset, fx, fy float64, sizes []int) ([]Variant, error) {
	side := min(a.Width, a.Height)
	ws := Widths(side, sizes)
	key := func(w int) string { return fmt.Sprintf("%s/sq%d@%.3f,%.3f/%s", a.SHA256, w, fx, fy, baseName(a.Name)) }
	out, all := c.lookup(ctx, ws, key)
	if all {
		return out, nil
	}
	src, err := c.Decoded(ctx, a)
	if err != nil {
		return nil, err
	}
	r := SquareCrop(src.Bounds(), fx, fy)
	for i, w := range ws {
		if out[i].Data != nil {
			continue
		}
		v, err := encodeSquare(a, src.Scaled(r, w, w))
		if err != nil {
			return nil, err
		}
		out[i] = v
		c.put(ctx, key(w), v)
	}
	return out, nil
}

// SquareCrop is the largest square inside b whose centre is as near the
// focal point (fractions of b's size) as b's edges allow.
func SquareCrop(b image.Rectangle, fx, fy float64) image.Rectangle {
	return AspectCrop(b, 1, 1, fx, fy)
}

// AspectCrop is the largest rectangle of aspect w:h inside b whose centre
// is as near the focal point (fractions of b's size) as b's edges allow.
func AspectCrop(b image.Rectangle, w, h int, fx, fy float64) image.Rectangle {
	cw, ch := b.Dx(), b.Dx()*h/w
	if ch > b.Dy() {
		cw, ch = b.Dy()*w/h, b.Dy()
	}
	cx := b.Min.X + int(math.Round(fx*float64(b.Dx())))
	cy := b.Min.Y + int(math.Round(fy*float64(b.Dy())))
	x0 := min(max(cx-cw/2, b.Min.X), b.Max.X-cw)
	y0 := min(max(cy-ch/2, b.Min.Y), b.Max.Y-ch)
	return image.Rect(x0, y0, x0+cw, y0+ch)
}

func encodeSquare(a *content.Asset, img *image.RGBA) (Variant, error) {
	v, err := encode(a, img)
	if err != nil {
		return v, err
	}
	sum := sha256.Sum256(v.Data)
	ext := ".jpg"
	if v.MediaType == "image/png" {
		ext = ".png"
	}
	v.Name = fmt.Sprintf("%s-%s-sq%d%s", baseName(a.Name), hex.EncodeToString(sum[:4]), v.Width, ext)
	return v, nil
}
