package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb}
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// bombPNG is a PNG header claiming 50000×50000 pixels with no pixel data.
func bombPNG() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 50000)
	binary.BigEndian.PutUint32(ihdr[4:], 50000)
	ihdr[8], ihdr[9] = 8, 2
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.WriteString("IHDR")
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
	return b.Bytes()
}

var (
	diagLine = regexp.MustCompile(`^[^:]+\.md:\d+:\d+: .+`)
	warnLine = regexp.MustCompile(`^[^:]+\.md:\d+:\d+: warning: .+`)
)

func TestRenderBadInput(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "huge-image")
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(bundle, "index.md"), []byte("---\ntitle: Big\nhero:\n  src: bomb.png\n  alt: x\n---\n"), 0o644)
	os.WriteFile(filepath.Join(bundle, "bomb.png"), bombPNG(), 0o644)

	tests := []struct{ name, item, want string }{
		{"unknown field", "testdata/bad/unknown-field.md", "testdata/bad/unknown-field.md:3:1: sumary: unknown field, did you mean `summary`?"},
		{"wrong type", "testdata/bad/wrong-type.md", "testdata/bad/wrong-type.md:3:8: draft: must be true or false, not `sometimes`\ntestdata/bad/wrong-type.md:5:3: tags: must be a list, not a mapping"},
		{"missing title", "testdata/bad/missing-title.md", "testdata/bad/missing-title.md:1:1: title: is required"},
		{"alias bomb", "testdata/bad/alias-bomb.md", "testdata/bad/alias-bomb.md:3:4: YAML anchors (&a) are not allowed"},
		{"oversized image header", bundle, filepath.Join(bundle, "index.md") + ":4:3: hero.src: image bomb.png: 50000×50000 is 2500.0 megapixels; the limit is 24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			// A good item in the same run is written all the same.
			code, stdout, stderr := run(t, "render", "../../examples/kestrel/items/holiday-hours.md", tt.item, "--brand", "../../examples/kestrel", "-o", out, "-q")
			if code != 1 {
				t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr\n%s\nlacks\n%s", stderr, tt.want)
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !diagLine.MatchString(line) {
					t.Errorf("line %q is not file:line:col: message", line)
				}
			}
			if strings.Contains(stderr, "panic") || !strings.HasPrefix(stdout, "rendered 1 item(s)") {
				t.Errorf("stdout %q, stderr %q", stdout, stderr)
			}
			entries, err := os.ReadDir(filepath.Join(out, "kestrel"))
			if err != nil || len(entries) != 1 || entries[0].Name() != "holiday-opening-hours" {
				t.Errorf("written: %v, %v; want the good item only", entries, err)
			}
			// Alone, the bad item leaves nothing behind.
			out = filepath.Join(t.TempDir(), "out")
			if code, stdout, _ := run(t, "render", tt.item, "--brand", "../../examples/kestrel", "-o", out); code != 1 || stdout != "" {
				t.Errorf("alone: exit %d, stdout %q", code, stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output folder was created: %v", err)
			}
		})
	}
}

func TestRenderExamples(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := run(t, "render", "../../examples/kestrel/items", "--brand", "../../examples/kestrel", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page := filepath.Join(out, "kestrel", "ridgeline-2-our-lightest-two-person-tent-yet", "portal", "index.html")
	if _, err := os.Stat(page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, page) || !strings.Contains(stdout, "rendered 4 item(s)") {
		t.Errorf("stdout: %s", stdout)
	}
	// Every warning is placed: the catalog's and the share cards' "no
	// hero image" alike.
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !warnLine.MatchString(l) {
			t.Errorf("warning without file:line:col: %s", l)
		}
	}
	// Rendering again replaces the folder wholesale: no stale files, no temp folders.
	stale := filepath.Join(filepath.Dir(page), "stale.txt")
	os.WriteFile(stale, []byte("x"), 0o644)
	if code, _, stderr := run(t, "render", "../../examples/kestrel/items/ridgeline-2-launch", "--brand", "../../examples/kestrel", "-o", out); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("stale file survived a re-render")
	}
	entries, _ := os.ReadDir(filepath.Join(out, "kestrel"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

func TestRenderUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"render"}, {"render", "x.md"}, {"render", "x.md", "--brand", "b", "--channels", "fax"}, {"frobnicate"}} {
		if code, _, _ := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestRenderCompat(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "post.md"), []byte("---\ntitle: From Hugo\ndescription: A summary.\ncategories: [News]\nweight: 3\n---\nHello.\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "render", filepath.Join(dir, "post.md"), "--compat", "hugo", "--brand", "../../examples/kestrel", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: hugo fields with no crosscast equivalent were ignored: weight") {
		t.Errorf("stderr: %s", stderr)
	}
	// Under compat the slug is the file's name, as Hugo gives it.
	page, err := os.ReadFile(filepath.Join(out, "kestrel", "post", "portal", "index.html"))
	if err != nil || !bytes.Contains(page, []byte(`<meta name="description" content="A summary.">`)) {
		t.Errorf("page: %v", err)
	}
}

// TestRenderManyInOrder renders items on several workers: every item is
// written, the list of pages and the warnings come in the order the items
// were given, a bad item in the middle costs only that item, and nothing
// of the run is left staged beside the output folder.
func TestRenderManyInOrder(t *testing.T) {
	dir := t.TempDir()
	items := filepath.Join(dir, "items")
	os.MkdirAll(items, 0o755)
	const n = 24
	var want []string
	for i := range n {
		name := filepath.Join(items, fmt.Sprintf("note-%02d.md", i))
		body := fmt.Sprintf("---\ntitle: Note %02d\n---\nA short note, number %d.\n", i, i)
		if i == 7 {
			body = "---\ntitle: Note 07\nsumary: typo\n---\nBroken.\n"
		} else {
			want = append(want, fmt.Sprintf("note-%02d", i))
		}
		os.WriteFile(name, []byte(body), 0o644)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := run(t, "render", "--brand", "../../examples/kestrel", "--channels", "portal,email", "--jobs", "4", "-o", out, items)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one bad item); stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "note-07.md:3:1: sumary: unknown field") {
		t.Errorf("stderr does not place the bad item's error:\n%s", stderr)
	}
	var got []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasSuffix(l, filepath.Join("portal", "index.html")) {
			got = append(got, filepath.Base(filepath.Dir(filepath.Dir(strings.TrimSpace(l)))))
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("pages listed as\n%v\nwant the input order\n%v", got, want)
	}
	for _, s := range want {
		for _, f := range []string{"portal/index.html", "email/email.html"} {
			if _, err := os.Stat(filepath.Join(out, "kestrel", s, filepath.FromSlash(f))); err != nil {
				t.Errorf("%s: %v", s, err)
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".out.render-*"))
	if len(left) > 0 {
		t.Errorf("staging left behind: %v", left)
	}
}
