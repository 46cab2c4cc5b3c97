package content

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	_ "image/gif" // register the formats DecodeConfig may meet
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
)

func isLimit(err error) bool {
	var le *limitError
	return errors.As(err, &le)
}

// collectImages gathers the hero and body images, checks each local file's
// header against the limits before anything decodes its pixels, and warns
// about missing alt text.
func collectImages(d *diags, it *Item, fsys fs.FS, name string, opts ParseOptions, fm []byte) {
	lim := opts.limits()
	it.Assets = map[string]*Asset{}
	if h := it.Hero; h != nil && h.Src != "" {
		it.Images = append(it.Images, ImageRef{Src: h.Src, Alt: strings.TrimSpace(h.Alt), Hero: true, Line: 0})
	}
	extra := 0 // images past the limit: counted, not collected, since each line costs a scan
	walkImages(it.Doc, func(im *ast.Image) {
		if len(it.Images) > lim.Images {
			extra++
			return
		}
		it.Images = append(it.Images, ImageRef{
			Src:   string(im.Destination),
			Alt:   PlainText(im, it.Body),
			Title: string(im.Title),
			Line:  it.BodyLine - 1 + lineOf(im, it.Body),
		})
	})
	if len(it.Images) > lim.Images {
		// Positioned at the first image over the limit.
		d.errorf(it.Images[lim.Images].Line, 0, "", ETooLarge, "the item has %d images; the limit is %d", len(it.Images)+extra, lim.Images)
		return
	}
	dir := path.Dir(name)
	for i := range it.Images {
		ref := &it.Images[i]
		field := ""
		if ref.Hero {
			field = "hero.src"
		}
		// The hero's position costs a second YAML parse: only on a problem.
		pos := func() (int, int) {
			if ref.Hero {
				return fmPos(fm, field)
			}
			return ref.Line, 0
		}
		if ref.Alt == "" {
			line, col := pos()
			d.warnf(line, col, field, "image %s has no alt text; screen readers and blocked-image email clients will show nothing", ref.Src)
		}
		u, err := url.Parse(ref.Src)
		if err != nil {
			line, col := pos()
			d.errorf(line, col, field, EInvalid, "image %q is not a valid URL or path", ref.Src)
			continue
		}
		if u.Scheme != "" || u.Host != "" {
			if u.Scheme != "https" && u.Scheme != "http" {
				line, col := pos()
				d.errorf(line, col, field, EInvalid, "image %q: only http(s) URLs and files in the item's folder can be used", ref.Src)
			}
			continue // remote: rendered as a plain link to it
		}
		p := path.Clean(path.Join(dir, u.Path))
		if strings.HasPrefix(u.Path, "/") || !fs.ValidPath(p) || p == "." {
			line, col := pos()
			d.errorf(line, col, field, EInvalid, "image %q is outside the item's folder", ref.Src)
			continue
		}
		if a, ok := it.Assets[p]; ok {
			ref.Asset = a
			continue
		}
		a, err := loadAsset(fsys, p, lim, !opts.StoredAssets, opts.AssetHashes[p])
		if err != nil {
			line, col := pos()
			d.errorf(line, col, field, codeFor(err), "image %s: %v", ref.Src, err)
			continue
		}
		it.Assets[p] = a
		ref.Asset = a
	}
}

// loadAsset reads an image file and checks the size its header declares
// against the limits and the memory budget (CheckImage) before a single
// pixel is decoded: a decompression bomb or a 40,000,000×1 strip is
// refused without allocating for it. With decode, the whole file is then
// decoded once to refuse a truncated or corrupt one. sha, when known
// (the store's key of a stored file), is the file's SHA-256 in hex.
func loadAsset(fsys fs.FS, name string, lim Limits, decode bool, sha string) (*Asset, error) {
	if fsys == nil {
		return nil, fmt.Errorf("%w: the item was submitted without files", fs.ErrNotExist)
	}
	data, err := readInput(fsys, name, lim.ImageBytes, func(size int64) string {
		if size < 0 {
			return fmt.Sprintf("the file grew past the limit of %d MB while it was read", lim.ImageBytes>>20)
		}
		return fmt.Sprintf("the file is %d MB; the limit is %d MB", size>>20, lim.ImageBytes>>20)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no such file next to the item", fs.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	// The header is checked against the memory budget before any pixel
	// is decoded; then the whole file is decoded once, so a truncated or
	// corrupt image is refused here rather than failing every channel.
	cfg, format, err := checkHeader(data, lim.Pixels)
	if err == nil && decode {
		_, err = decodeAll(data, format, cfg)
	}
	if err != nil {
		return nil, err
	}
	if sha == "" {
		sum := sha256.Sum256(data)
		sha = hex.EncodeToString(sum[:])
	}
	return &Asset{Name: name, Data: data, Format: format, Width: cfg.Width, Height: cfg.Height, SHA256: sha}, nil
}
