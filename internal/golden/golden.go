// Package golden compares renderings with the files in a test package's
// testdata folder. `go test -update` rewrites them; review the diff.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is registered once here, so every test package using golden
// files takes the same -update flag.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Check compares got with testdata/name (a slash-separated path), or
// writes it there with -update.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path, want, updated := read(t, name, got)
	if updated {
		return
	}
	if string(got) == string(want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		if g, w := at(gl, i), at(wl, i); g != w {
			t.Fatalf("%s differs from the rendering at line %d:\n got: %s\nwant: %s\n(run go test -update and review the diff)", path, i+1, g, w)
		}
	}
}

// read returns testdata/name's path and contents, or, with -update,
// writes got there and reports that it did.
func read(t testing.TB, name string, got []byte) (path string, want []byte, updated bool) {
	t.Helper()
	path = filepath.Join("testdata", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return path, nil, true
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return path, want, false
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<EOF>"
}
