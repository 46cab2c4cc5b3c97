package publish

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/social"
)

// Site writes brands' static sites: one folder per brand under Root,
// served as /sites/<brand>/ and ready to copy to any static host.
type Site struct {
	Root string
}

// File is one file to publish, by its path below the brand's site root.
type File struct {
	Name string
	Data []byte
}

// Dir returns the folder of a brand's site.
func (s *Site) Dir(brand string) string { return filepath.Join(s.Root, brand) }

// Write publishes files into a brand's site. Each file is written to a
// temporary file beside it and renamed into place, so a reader sees the
// old file or the new one, never half of one.
func (s *Site) Write(brand string, files []File) error {
	for _, f := range files {
		name, err := s.path(brand, f.Name)
		if err != nil {
			return err
		}
		if err := writeAtomic(name, f.Data); err != nil {
			return fmt.Errorf("site %s: %w", brand, err)
		}
	}
	return nil
}

// Remove deletes a folder of a brand's site (an unpublished page and its
// images).
func (s *Site) Remove(brand, dir string) error {
	name, err := s.path(brand, dir)
	if err != nil {
		return err
	}
	if name == s.Dir(brand) {
		return errors.New("site: refusing to remove the whole site")
	}
	return os.RemoveAll(name)
}

func (s *Site) path(brand, name string) (string, error) {
	clean := path.Clean(strings.TrimPrefix(name, "/"))
	if clean == "." {
		return s.Dir(brand), nil
	}
	if !fs.ValidPath(clean) || strings.Contains(brand, "/") || brand == "" || brand == ".." {
		return "", fmt.Errorf("site: %q is not a path inside brand %q's site", name, brand)
	}
	return filepath.Join(s.Dir(brand), filepath.FromSlash(clean)), nil
}

func writeAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// IndexRenderer renders a brand's collection pages (catalog, feeds,
// sitemaps) from the catalog entries of its items; the catalog channel's
// renderer is one.
type IndexRenderer interface {
	RenderIndex(ctx context.Context, b *content.Brand, entries []catalog.Entry, opts ...catalog.IndexOptions) (*renderers.Output, error)
}

// IndexBuilder makes a brand's index files (catalog pages, feeds) from
// the catalog entries of the items on its site, by item id. The
// application service has the one builder, shared with the index it
// stores; a failure retrying cannot fix is permanent.
type IndexBuilder func(ctx context.Context, brand *content.Brand, entries map[string][]byte) ([]File, error)

// SitePublisher publishes to the brand's static site: an item's portal
// page with the email's images and the social cards beside it, or its
// catalog card, after which the site's catalog pages and feeds are
// rebuilt.
type SitePublisher struct {
	Site *Site // nil: this worker has no site folder
	// Index builds the catalog pages and feeds; nil: the site has none.
	Index IndexBuilder
	// Channels are those rendered here; the page takes files only from
	// them.
	Channels []string
}

// Kind is content.TargetSite.
func (s *SitePublisher) Kind() string { return content.TargetSite }

// Deliver writes the portal page or the catalog card.
func (s *SitePublisher) Deliver(ctx context.Context, j Job) (*Posted, error) {
	if s.Site == nil {
		return nil, ErrPermanentf("this worker has no site folder configured")
	}
	dir := content.PortalPath(j.Item, j.Brand)
	switch j.Delivery.Channel {
	case content.ChanPortal:
		var out []File
		for ch, prefix := range map[string]string{content.ChanPortal: "", email.Channel: email.Channel + "/", social.Channel: ""} {
			if !slices.Contains(s.Channels, ch) {
				continue
			}
			fs, err := j.Files(ctx, ch)
			if err != nil {
				return nil, err
			}
			for _, name := range slices.Sorted(maps.Keys(fs)) {
				keep := ch == content.ChanPortal || (ch == email.Channel && strings.HasPrefix(name, email.ImageDir)) ||
					(ch == social.Channel && strings.HasSuffix(name, ".jpg"))
				if keep {
					out = append(out, File{Name: dir + prefix + name, Data: fs[name]})
				}
			}
		}
		if err := s.Site.Write(j.Brand.ID, out); err != nil {
			return nil, err
		}
		var former []string
		if j.FormerPages != nil {
			var err error
			if former, err = j.FormerPages(ctx); err != nil {
				return nil, err
			}
		}
		if err := s.Site.writeAliases(j.Brand.ID, aliasPages(j.Item, j.Brand, j.Links.Canonical), former); err != nil {
			return nil, err
		}
		return &Posted{ID: dir, URL: j.Links.Canonical}, nil
	case content.ChanCatalog:
		// The item's card, thumbnails, JSON and print snippet go where
		// catalog.AssetBase says (cards embedded elsewhere point there),
		// then the index is rebuilt with the item on it.
		fs, err := j.Files(ctx, content.ChanCatalog)
		if err != nil {
			return nil, err
		}
		var out []File
		for _, name := range slices.Sorted(maps.Keys(fs)) {
			if name != catalog.EntryFile {
				out = append(out, File{Name: "catalog/items" + dir + name, Data: fs[name]})
			}
		}
		if err := s.Site.Write(j.Brand.ID, out); err != nil {
			return nil, err
		}
		if err := s.buildIndex(ctx, j.Brand, j.Published); err != nil {
			return nil, err
		}
		return &Posted{ID: "/catalog/#" + j.Item.Slug, URL: j.Links.Catalog}, nil
	}
	return nil, ErrPermanentf("the site takes portal and catalog, not %s", j.Delivery.Channel)
}

// Unpublish takes an item's page and catalog card off the brand's site
// and rebuilds the site's catalog and feeds from published, which no
// longer lists it.
func (s *SitePublisher) Unpublish(ctx context.Context, brand *content.Brand, it *content.Item, published func(ctx context.Context, channel, name string) (map[string][]byte, error)) error {
	if s.Site == nil {
		return nil
	}
	dir := content.PortalPath(it, brand)
	for _, d := range []string{dir, "catalog/items" + dir} {
		if err := s.Site.Remove(brand.ID, d); err != nil {
			return err
		}
	}
	if err := s.Site.removeAliases(brand.ID, aliasPages(it, brand, "")); err != nil {
		return err
	}
	return s.buildIndex(ctx, brand, published)
}

// buildIndex writes the site's catalog pages and feeds from the items
// on it.
func (s *SitePublisher) buildIndex(ctx context.Context, brand *content.Brand, published func(ctx context.Context, channel, name string) (map[string][]byte, error)) error {
	if s.Index == nil {
		return nil
	}
	raw, err := published(ctx, catalog.Channel, catalog.EntryFile)
	if err != nil {
		return err
	}
	files, err := s.Index(ctx, brand, raw)
	if err != nil {
		return err
	}
	return s.Site.Write(brand.ID, files)
}
