package images

import (
	"image"
	"image/jpeg"
	"io"
)

// EncodeJPEG writes img, opaque, as a baseline 4:2:0 JPEG.
func EncodeJPEG(w io.Writer, img *image.RGBA, quality int) error {
	return jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
}
