package app

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/testenv"
)

// serve --brands reads kits as render does: a logo linked to /dev/zero or
// a FIFO brand.yaml is an error naming the file, not a hang or a
// runaway read.
func TestReadBrandDirRefusesSpecialFiles(t *testing.T) {
	for name, setup := range map[string]func(dir string) error{
		"logo to /dev/zero": func(dir string) error {
			os.Remove(filepath.Join(dir, "logo.svg"))
			return os.Symlink("/dev/zero", filepath.Join(dir, "logo.svg"))
		},
		"brand.yaml fifo": func(dir string) error {
			os.Remove(filepath.Join(dir, "brand.yaml"))
			return syscall.Mkfifo(filepath.Join(dir, "brand.yaml"), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := testenv.CopyKit(t, "kestrel")
			if err := setup(dir); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, _, err := ReadBrandDir(dir); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "brand.yaml")) {
					t.Fatalf("got %v, want an error naming %s", err, filepath.Join(dir, "brand.yaml"))
				}
			case <-time.After(20 * time.Second):
				t.Fatal("ReadBrandDir did not return")
			}
		})
	}
}
