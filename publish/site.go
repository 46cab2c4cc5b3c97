package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
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
