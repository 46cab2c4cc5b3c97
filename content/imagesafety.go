package content

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
)

// Every path that decodes or resizes an image (item heroes and body
// images, brand logos, share cards, catalog thumbnails) asks CheckImage
// first, with the size and colour model the file's header declares, so a
// hostile header is refused before anything is allocated for it.
const (
	// MaxImageAspect bounds the longer side over the shorter. Memory for
	// the resizer's weight tables and one-axis intermediate grows with
	// the longer side, not with the pixel count, so a 40,000,000×1 PNG
	// under any pixel limit still costs gigabytes. No channel has a use
	// for anything narrower: a card or a square thumbnail of a 20:1
	// panorama already keeps a twentieth of it, and a 1:20 screenshot is
	// a 60 px strip at email width.
	MaxImageAspect = 20

	// MaxImageMemory is what decoding one image and making its
	// derivatives may allocate at its peak (see ImageCost; a progressive
	// JPEG's coefficients count too). It admits a 40 MP 8-bit RGBA PNG
	// (about 460 MiB) or baseline JPEG, and refuses a 40 MP 16-bit PNG
	// or progressive 4:2:0 JPEG, keeping one render well under 1 GiB.
	MaxImageMemory = 512 << 20
)

// ImageCost is an upper bound of the bytes decoding an image of w×h
// pixels in colour model m and then cropping and resizing it allocate at
// their peak: the decoded buffer, a 4-byte-per-pixel working copy (the
// crop for a card or square) plus the resizer's one-axis intermediate
// (at most the same size again), and the resizer's weight tables (16
// bytes per tap, Lanczos taps cover 6 source pixels per destination
// pixel on each axis, summed over the axis).
func ImageCost(w, h int, m color.Model) int64 {
	px := int64(w) * int64(h)
	const tapBytes, taps = 16, 2*3 + 2
	weights := tapBytes * taps * (int64(w) + int64(h))
	return px*decodedBytesPerPixel(m) + 8*px + weights
}

// decodedBytesPerPixel is what image.Decode keeps per pixel for a colour
// model; an unknown model is counted at the widest (16-bit RGBA).
func decodedBytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4; subsampled JPEGs keep less
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// CheckImage reports whether an image whose header declares cfg may be
// decoded and resized: it must have pixels, at most maxPixels of them,
// an aspect ratio within MaxImageAspect and an ImageCost within
// MaxImageMemory. A refusal is a limit error (ETooLarge).
func CheckImage(cfg image.Config, maxPixels int) error {
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return fmt.Errorf("the image declares %d×%d pixels", w, h)
	}
	if err := CheckAspect(w, h); err != nil {
		return err
	}
	if px := int64(w) * int64(h); px > int64(maxPixels) {
		return &limitError{fmt.Sprintf("%d×%d is %.1f megapixels; the limit is %.0f", w, h, float64(px)/1e6, float64(maxPixels)/1e6)}
	}
	if c := ImageCost(w, h, cfg.ColorModel); c > MaxImageMemory {
		return &limitError{fmt.Sprintf("%d×%d would take %d MiB to decode and resize; the limit is %d MiB", w, h, c>>20, MaxImageMemory>>20)}
	}
	return nil
}

// CheckAspect refuses a shape more than MaxImageAspect times longer than
// it is wide (w and h are positive). Vector logos, which have no pixel
// count, are held to it too: they are drawn in boxes of their shape.
func CheckAspect(w, h int) error {
	if long, short := max(w, h), min(w, h); long > MaxImageAspect*short {
		return &limitError{fmt.Sprintf("%d×%d is %d times longer than it is wide; the limit is %d:1", w, h, long/short, MaxImageAspect)}
	}
	return nil
}

// DecodeChecked decodes a JPEG, PNG or GIF after CheckImage has accepted
// its header, so it never allocates beyond the budget. It also catches
// truncated and corrupt files, whose header alone looks fine.
func DecodeChecked(data []byte, maxPixels int) (image.Image, string, error) {
	cfg, format, err := checkHeader(data, maxPixels)
	if err != nil {
		return nil, format, err
	}
	img, err := decodeAll(data, format, cfg)
	return img, format, err
}

// decodeAll decodes an image whose header checkHeader accepted, and
// refuses one whose pixels do not match that header.
func decodeAll(data []byte, format string, cfg image.Config) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the %s image is truncated or corrupt (%v)", format, err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, fmt.Errorf("the %s image decodes to %d×%d, not the %d×%d its header says", format, b.Dx(), b.Dy(), cfg.Width, cfg.Height)
	}
	return img, nil
}

// checkHeader reads a JPEG, PNG or GIF header and holds it to
// CheckImage and, for a progressive JPEG, to the budget with its
// coefficients; nothing is decoded.
func checkHeader(data []byte, maxPixels int) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return cfg, "", fmt.Errorf("not a JPEG, PNG or GIF image (%v)", err)
	}
	return cfg, format, checkConfig(data, cfg, maxPixels)
}

// checkConfig is checkHeader for a header already read (cfg, of data).
func checkConfig(data []byte, cfg image.Config, maxPixels int) error {
	if err := CheckImage(cfg, maxPixels); err != nil {
		return err
	}
	if extra := progressiveJPEGBytes(data); extra > 0 {
		if c := ImageCost(cfg.Width, cfg.Height, cfg.ColorModel) + extra; c > MaxImageMemory {
			return &limitError{fmt.Sprintf("%d×%d as a progressive JPEG would take %d MiB to decode and resize; the limit is %d MiB", cfg.Width, cfg.Height, c>>20, MaxImageMemory>>20)}
		}
	}
	return nil
}

// progressiveJPEGBytes is what Go's JPEG decoder keeps on top of the
// image for a progressive JPEG: every component's DCT coefficients until
// the last scan, 4 bytes per coefficient, one coefficient per pixel of
// the component at its sampling. It reads only the frame header; 0 for
// anything else.
func progressiveJPEGBytes(data []byte) int64 {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return 0
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return 0
		}
		marker := data[i+1]
		if marker == 0xff { // fill byte
			i++
			continue
		}
		if marker == 0x01 || marker >= 0xd0 && marker <= 0xd8 { // no length
			i += 2
			continue
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		seg := data[i+4 : min(len(data), i+2+n)]
		switch {
		case marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce: // progressive SOFs
			return coefficientBytes(seg)
		case marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc,
			marker == 0xda: // another frame type, or the first scan
			return 0
		}
		i += 2 + n
	}
	return 0
}

// coefficientBytes reads a frame header (precision, height, width,
// components with their sampling factors).
func coefficientBytes(sof []byte) int64 {
	if len(sof) < 6 {
		return 0
	}
	h, w, nc := int64(sof[1])<<8|int64(sof[2]), int64(sof[3])<<8|int64(sof[4]), int(sof[5])
	if len(sof) < 6+3*nc {
		return 0
	}
	var hmax, vmax int64 = 1, 1
	for c := range nc {
		f := sof[6+3*c+1]
		hmax, vmax = max(hmax, int64(f>>4)), max(vmax, int64(f&15))
	}
	var total int64
	for c := range nc {
		f := sof[6+3*c+1]
		hi, vi := max(1, int64(f>>4)), max(1, int64(f&15))
		// Whole 8×8 blocks of the component, of 64 int32 each.
		bw, bh := (w*hi/hmax+7)/8, (h*vi/vmax+7)/8
		total += (bw + 1) * (bh + 1) * 64 * 4
	}
	return total
}
