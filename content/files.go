package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/crosscast/crosscast/internal/safefs"
)

// readInput reads one input file from fsys: only a regular file, and at
// most limit bytes (checked before reading and again while reading, in
// case the file grows). tooLarge words the error for a file of size bytes
// (-1: it grew past the limit while being read). A refused special file or
// a link out of the folder comes back as its bare reason, since the
// diagnostic already names the file.
func readInput(fsys fs.FS, name string, limit int64, tooLarge func(size int64) string) ([]byte, error) {
	if fsys == nil {
		return nil, fmt.Errorf("%w: no files were given", fs.ErrNotExist)
	}
	data, err := safefs.ReadFile(fsys, name, limit)
	var big *safefs.TooLargeError
	switch {
	case err == nil:
		return data, nil
	case errors.As(err, &big):
		return nil, &limitError{tooLarge(big.Size)}
	case errors.Is(err, safefs.ErrNotRegular):
		return nil, safefs.ErrNotRegular
	case errors.Is(err, safefs.ErrOutside):
		return nil, safefs.ErrOutside
	}
	return nil, err
}

// readLimited reads an item's Markdown file.
func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	return readInput(fsys, name, limit, func(size int64) string {
		if size < 0 {
			return fmt.Sprintf("the file grew past %d bytes, the most that fits the front matter and body limits, while it was read", limit)
		}
		return fmt.Sprintf("the file is %d bytes; at most %d bytes fit the front matter and body limits", size, limit)
	})
}

// ParseFile parses the item file at path on disk, reading it and its
// images only from inside its folder (see internal/safefs). The path is
// the name in diagnostics unless opts.Name is set.
func ParseFile(ctx context.Context, path string, opts ParseOptions) (*Item, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	dir, err := safefs.OpenDir(filepath.Dir(path))
	if err != nil {
		return nil, Errors{{File: opts.Name, Code: codeFor(err), Message: err.Error()}}
	}
	defer dir.Close()
	return ParseContext(ctx, dir, filepath.Base(path), opts)
}

// LoadBrandDir loads the brand kit in folder dir on disk, reading only
// regular files inside it. The brand id defaults to the folder's name.
func LoadBrandDir(dir string) (*Brand, error) {
	name := filepath.Join(dir, "brand.yaml")
	fsys, err := safefs.OpenDir(dir)
	if err != nil {
		return nil, Errors{{File: name, Code: codeFor(err), Message: err.Error()}}
	}
	defer fsys.Close()
	return LoadBrand(fsys, filepath.Base(filepath.Clean(dir)), name)
}
