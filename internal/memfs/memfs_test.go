package memfs

import (
	"testing"
	"testing/fstest"
)

func TestFS(t *testing.T) {
	m := FS{"index.md": []byte("# hi"), "images/a.jpg": []byte("jpeg")}
	if err := fstest.TestFS(m, "index.md", "images/a.jpg"); err != nil {
		t.Fatal(err)
	}
}
