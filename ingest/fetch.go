package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // hero images may be any of the formats items take
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Conditional is what the last fetch of a feed said, for a conditional
// request.
type Conditional struct {
	ETag         string
	LastModified string
}

// Fetched is a feed response.
type Fetched struct {
	NotModified  bool // 304: nothing changed since Conditional
	Body         []byte
	ETag         string
	LastModified string
}

// Fetch gets a feed with a conditional request. The client bounds time,
// addresses and body size (publish.NewHTTPClient); a body over
// MaxFeedBytes is refused here too.
func Fetch(ctx context.Context, c *http.Client, feedURL string, cond Conditional) (*Fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
	req.Header.Set("User-Agent", "crosscast-source/1")
	if cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	defer resp.Body.Close()
	f := &Fetched{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		f.NotModified = true
		if f.ETag == "" {
			f.ETag = cond.ETag
		}
		if f.LastModified == "" {
			f.LastModified = cond.LastModified
		}
		return f, nil
	case resp.StatusCode != http.StatusOK:
		return nil, &StatusError{URL: feedURL, Code: resp.StatusCode}
	}
	if f.Body, err = readCapped(resp.Body, MaxFeedBytes); err != nil {
		return nil, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	return f, nil
}

// StatusError is a feed or image answering other than 200 or 304.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered %d %s", e.URL, e.Code, http.StatusText(e.Code))
}

// Permanent tells a status that retrying soon will not fix (a 4xx other
// than 408 and 429).
func (e *StatusError) Permanent() bool {
	return e.Code >= 400 && e.Code < 500 && e.Code != 408 && e.Code != 429
}

// MaxImageBytes bounds a fetched hero image.
const MaxImageBytes = 10 << 20

// MaxImagePixels bounds a fetched hero image's declared size.
const MaxImagePixels = 40_000_000

// ImageCheck checks an image header before it is decoded (content.CheckImage).
type ImageCheck func(cfg image.Config, maxPixels int) error

// FetchImage gets an entry's hero image: its declared length and then its
// body are held to MaxImageBytes, and its header's pixel size is checked
// by check before anything decodes it. It returns the bytes and a file
// extension.
func FetchImage(ctx context.Context, c *http.Client, imageURL string, check ImageCheck) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, imageURL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("image %s: %w", imageURL, err)
	}
	req.Header.Set("Accept", "image/jpeg, image/png, image/gif")
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("image %s: %w", imageURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", &StatusError{URL: imageURL, Code: resp.StatusCode}
	}
	if resp.ContentLength > MaxImageBytes {
		return nil, "", fmt.Errorf("image %s is %d bytes; the limit is %d", imageURL, resp.ContentLength, MaxImageBytes)
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "" && !strings.HasPrefix(ct, "image/") {
		return nil, "", fmt.Errorf("image %s is %s, not an image", imageURL, ct)
	}
	data, err := readCapped(resp.Body, MaxImageBytes)
	if err != nil {
		return nil, "", fmt.Errorf("image %s: %w", imageURL, err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("image %s is not a JPEG, PNG or GIF: %w", imageURL, err)
	}
	if check != nil {
		if err := check(cfg, MaxImagePixels); err != nil {
			return nil, "", fmt.Errorf("image %s: %w", imageURL, err)
		}
	}
	ext := map[string]string{"jpeg": ".jpg", "png": ".png", "gif": ".gif"}[format]
	return data, ext, nil
}

var errTooBig = errors.New("response body too large")

func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: over %d bytes", errTooBig, max)
	}
	return data, nil
}
