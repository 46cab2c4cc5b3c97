// Package safefs reads input files from disk without letting the input
// choose what is read: a folder's files are opened only inside it (a
// symbolic link out of it is refused), only regular files are read (not
// /dev/zero, a FIFO or a socket), and never more than a stated limit.
package safefs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

var (
	// ErrNotRegular is returned for devices, pipes, sockets and other
	// files that are not plain files.
	ErrNotRegular = errors.New("is not a regular file (a device, pipe or socket cannot be read as input)")
	// ErrOutside is returned for a path that leads out of the folder,
	// through a symbolic link.
	ErrOutside = errors.New("leads outside the folder (through a symbolic link); copy the file into the folder instead")
)

// TooLargeError reports a file over its limit. Size is -1 when the file
// grew past the limit while it was being read.
type TooLargeError struct {
	Name        string
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s is over %d bytes", e.Name, e.Limit)
	}
	return fmt.Sprintf("%s is %d bytes; the limit is %d", e.Name, e.Size, e.Limit)
}

// Dir is a read-only fs.FS over a folder on disk. It is an os.Root, so no
// name, however it is spelled or linked, opens anything outside the
// folder, and it opens only folders and regular files: Open looks at a
// file before opening it, so a FIFO cannot block it. Close it when done.
type Dir struct {
	root *os.Root
}

// OpenDir opens the folder dir.
func OpenDir(dir string) (*Dir, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Dir{root: r}, nil
}

// Close releases the folder.
func (d *Dir) Close() error { return d.root.Close() }

// Open implements fs.FS.
func (d *Dir) Open(name string) (fs.File, error) {
	if _, err := d.Stat(name); err != nil {
		return nil, withOp("open", err)
	}
	f, err := d.root.Open(name)
	if err != nil {
		return nil, d.explain("open", name, err)
	}
	// Look again at what was opened: the file may have been swapped
	// between the look and the open.
	st, err := f.Stat()
	if err == nil && !st.IsDir() && !st.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: name, Err: ErrNotRegular}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Stat implements fs.StatFS. It follows symbolic links that stay inside
// the folder and refuses special files.
func (d *Dir) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	st, err := d.root.Stat(name)
	if err != nil {
		return nil, d.explain("stat", name, err)
	}
	if !st.IsDir() && !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: ErrNotRegular}
	}
	return st, nil
}

// ReadDir implements fs.ReadDirFS. Entries are listed as they are
// (a symbolic link is a link); reading one goes through Open.
func (d *Dir) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(d.root.FS(), name)
}

// ReadFile implements fs.ReadFileFS. It has no limit of its own: callers
// reading input use the package's ReadFile.
func (d *Dir) ReadFile(name string) ([]byte, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// explain turns os.Root's "path escapes from parent" into ErrOutside.
// os does not export that error, so a failure on a path that Lstat sees
// as a symbolic link (or cannot see past one) is taken as one.
func (d *Dir) explain(op, name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return err
	}
	if st, lerr := d.root.Lstat(name); (lerr == nil && st.Mode()&fs.ModeSymlink != 0) || (lerr != nil && !errors.Is(lerr, fs.ErrNotExist)) {
		return &fs.PathError{Op: op, Path: name, Err: ErrOutside}
	}
	return err
}

func withOp(op string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: op, Path: pe.Path, Err: pe.Err}
	}
	return err
}

// ReadFile reads name from fsys, refusing anything but a regular file
// and more than limit bytes: the size is checked before reading, and the
// read stops one byte past the limit in case the file grows meanwhile.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if err := check(name, st, limit); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(name, st, limit); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Name: name, Size: -1, Limit: limit}
	}
	return data, nil
}

func check(name string, st fs.FileInfo, limit int64) error {
	switch {
	case st.IsDir():
		return &fs.PathError{Op: "read", Path: name, Err: errors.New("is a folder, not a file")}
	case !st.Mode().IsRegular():
		return &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	case st.Size() > limit:
		return &TooLargeError{Name: name, Size: st.Size(), Limit: limit}
	}
	return nil
}
