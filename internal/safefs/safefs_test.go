package safefs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

func TestDir(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "in", "images"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "in", "index.md"), []byte("# hi"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "in", "images", "a.png"), []byte("png"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "secret"), []byte("s"), 0o644))
	must(t, os.Symlink("images/a.png", filepath.Join(root, "in", "b.png")))

	d, err := OpenDir(filepath.Join(root, "in"))
	must(t, err)
	defer d.Close()
	if err := fstest.TestFS(d, "index.md", "images/a.png", "b.png"); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink("../secret", filepath.Join(root, "in", "up")))
	must(t, os.Symlink("/dev/zero", filepath.Join(root, "in", "zero")))
	must(t, syscall.Mkfifo(filepath.Join(root, "in", "fifo"), 0o644))
	for name, want := range map[string]error{"up": ErrOutside, "zero": ErrOutside, "fifo": ErrNotRegular, "../secret": fs.ErrInvalid, "nope": fs.ErrNotExist} {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(d, name, 1<<20); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, want) {
				t.Errorf("%s: got %v, want %v", name, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: read did not return", name)
		}
	}
	if data, err := ReadFile(d, "b.png", 3); err != nil || string(data) != "png" {
		t.Errorf("link inside: %q %v", data, err)
	}
	var big *TooLargeError
	if _, err := ReadFile(d, "b.png", 2); !errors.As(err, &big) || big.Size != 3 || big.Limit != 2 {
		t.Errorf("over the limit: %v", err)
	}
}

// A file that is larger than its Stat says (it grew) is cut off one byte
// past the limit.
func TestReadFileGrowing(t *testing.T) {
	fsys := growing{"f": make([]byte, 1000)}
	var big *TooLargeError
	if _, err := ReadFile(fsys, "f", 100); !errors.As(err, &big) || big.Size != -1 {
		t.Fatalf("got %v, want a TooLargeError for a grown file", err)
	}
	if data, err := ReadFile(fsys, "f", 1000); err != nil || len(data) != 1000 {
		t.Fatalf("at the limit: %d bytes, %v", len(data), err)
	}
}

// growing is an FS whose files claim to be empty.
type growing map[string][]byte

func (g growing) Open(name string) (fs.File, error) {
	f, err := fstest.MapFS{name: {Data: g[name]}}.Open(name)
	if err != nil {
		return nil, err
	}
	return emptyStat{f}, nil
}

func (g growing) Stat(name string) (fs.FileInfo, error) {
	f, err := g.Open(name)
	if err != nil {
		return nil, err
	}
	return f.Stat()
}

type emptyStat struct{ fs.File }

func (e emptyStat) Stat() (fs.FileInfo, error) {
	st, err := e.File.Stat()
	return zeroSize{st}, err
}

type zeroSize struct{ fs.FileInfo }

func (zeroSize) Size() int64 { return 0 }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
