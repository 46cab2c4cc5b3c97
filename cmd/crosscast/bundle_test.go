package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/testenv"
)

// runWithin is run with a deadline: a read that never ends (a FIFO,
// /dev/zero) fails the test instead of hanging it.
func runWithin(t *testing.T, d time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type res struct {
		code     int
		out, err string
	}
	done := make(chan res, 1)
	go func() {
		c, o, e := run(t, args...)
		done <- res{c, o, e}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.err
	case <-time.After(d):
		t.Fatalf("crosscast %s did not finish within %s", strings.Join(args, " "), d)
		return 0, "", ""
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A bundle names its files; which files those are is not its choice: a
// link out of the folder, a device, a FIFO or an oversized file is an
// error naming the file, promptly, with nothing written.
func TestRenderBundleFiles(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.png")
	if err := os.WriteFile(outside, tinyPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, bundle string) // makes bundle/hero.png
		want  string
	}{
		{"symlink out", func(t *testing.T, b string) { must(t, os.Symlink(outside, filepath.Join(b, "hero.png"))) }, "image hero.png: leads outside the folder"},
		{"relative symlink out", func(t *testing.T, b string) {
			must(t, os.Symlink(filepath.Join("..", "..", filepath.Base(filepath.Dir(outside)), "secret.png"), filepath.Join(b, "hero.png")))
		}, "image hero.png: leads outside the folder"},
		{"symlink to /dev/zero", func(t *testing.T, b string) { must(t, os.Symlink("/dev/zero", filepath.Join(b, "hero.png"))) }, "image hero.png: leads outside the folder"},
		{"fifo", func(t *testing.T, b string) { must(t, syscall.Mkfifo(filepath.Join(b, "hero.png"), 0o644)) }, "image hero.png: is not a regular file"},
		{"oversized", func(t *testing.T, b string) {
			f, err := os.Create(filepath.Join(b, "hero.png"))
			must(t, err)
			must(t, f.Truncate(33<<20)) // sparse: costs no disk
			f.Close()
		}, "image hero.png: the file is 33 MB; the limit is 32 MB"},
		{"symlink inside is fine", func(t *testing.T, b string) {
			must(t, os.WriteFile(filepath.Join(b, "real.png"), tinyPNG(t), 0o644))
			must(t, os.Symlink("real.png", filepath.Join(b, "hero.png")))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bundle := filepath.Join(t.TempDir(), "items", "post")
			must(t, os.MkdirAll(bundle, 0o755))
			must(t, os.WriteFile(filepath.Join(bundle, "index.md"), []byte("---\ntitle: Post\nhero:\n  src: hero.png\n  alt: x\n---\nBody.\n"), 0o644))
			tt.setup(t, bundle)
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := runWithin(t, 20*time.Second, "render", bundle, "--brand", "../../examples/kestrel", "-o", out, "--channels", "portal")
			if tt.want == "" {
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				return
			}
			want := filepath.Join(bundle, "index.md") + ":4:3: hero.src: " + tt.want
			if code != exitError || !strings.Contains(stderr, want) {
				t.Fatalf("exit %d, stderr\n%s\nwant\n%s", code, stderr, want)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output folder was created: %v", err)
			}
		})
	}
}

// The item file itself gets the same treatment.
func TestRenderItemFile(t *testing.T) {
	t.Run("fifo index.md", func(t *testing.T) {
		bundle := filepath.Join(t.TempDir(), "post")
		must(t, os.MkdirAll(bundle, 0o755))
		must(t, syscall.Mkfifo(filepath.Join(bundle, "index.md"), 0o644))
		code, _, stderr := runWithin(t, 20*time.Second, "render", bundle, "--brand", "../../examples/kestrel", "-o", t.TempDir())
		if code != exitError || !strings.Contains(stderr, filepath.Join(bundle, "index.md")+": is not a regular file") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
	t.Run("item linked out of a folder of items", func(t *testing.T) {
		dir := t.TempDir()
		must(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.md")))
		code, _, stderr := runWithin(t, 20*time.Second, "render", dir, "--brand", "../../examples/kestrel", "-o", t.TempDir())
		if code != exitError || !strings.Contains(stderr, filepath.Join(dir, "zero.md")+": leads outside the folder") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
}

// A brand kit folder is read the same way, for render and preview.
func TestRenderBrandKitFiles(t *testing.T) {
	item := "../../examples/kestrel/items/holiday-hours.md"
	tests := []struct {
		name  string
		setup func(t *testing.T, kit string)
		want  string
	}{
		{"logo to /dev/zero", func(t *testing.T, k string) { replaceWith(t, filepath.Join(k, "logo.svg"), "/dev/zero") }, "brand.yaml:22:3: logo.src: logo.svg: leads outside the folder"},
		{"logo fifo", func(t *testing.T, k string) {
			must(t, os.Remove(filepath.Join(k, "logo.svg")))
			must(t, syscall.Mkfifo(filepath.Join(k, "logo.svg"), 0o644))
		}, "brand.yaml:22:3: logo.src: logo.svg: is not a regular file"},
		{"brand.yaml fifo", func(t *testing.T, k string) {
			must(t, os.Remove(filepath.Join(k, "brand.yaml")))
			must(t, syscall.Mkfifo(filepath.Join(k, "brand.yaml"), 0o644))
		}, "brand.yaml: is not a regular file"},
		{"brand.yaml out", func(t *testing.T, k string) { replaceWith(t, filepath.Join(k, "brand.yaml"), "/etc/hostname") }, "brand.yaml: leads outside the folder"},
		{"oversized logo", func(t *testing.T, k string) { must(t, os.Truncate(filepath.Join(k, "logo.svg"), 5<<20)) }, "logo.src: logo.svg: the file is 5242880 bytes; the limit is 4194304 bytes (4 MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kit := testenv.CopyKit(t, "kestrel")
			tt.setup(t, kit)
			code, _, stderr := runWithin(t, 20*time.Second, "render", item, "--brand", kit, "-o", t.TempDir())
			if code != exitError || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr\n%s\nwant %q", code, stderr, tt.want)
			}
			res := renderLocal(t.Context(), item, kit, "", nil)
			if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].String(), tt.want) {
				t.Errorf("preview: %v", res.Errors)
			}
		})
	}
}

// submit reads a bundle's files the same way, before it sends anything.
func TestSubmitBundleFiles(t *testing.T) {
	t.Setenv(envToken, "not-used")
	for name, setup := range map[string]func(t *testing.T, b string){
		"fifo":        func(t *testing.T, b string) { must(t, syscall.Mkfifo(filepath.Join(b, "hero.png"), 0o644)) },
		"symlink out": func(t *testing.T, b string) { must(t, os.Symlink("/dev/zero", filepath.Join(b, "hero.png"))) },
		"oversized": func(t *testing.T, b string) {
			must(t, os.WriteFile(filepath.Join(b, "hero.png"), nil, 0o644))
			must(t, os.Truncate(filepath.Join(b, "hero.png"), 33<<20))
		},
		"lone file in": func(t *testing.T, b string) { must(t, os.Symlink("/dev/zero", filepath.Join(b, "hero.png"))) },
	} {
		t.Run(name, func(t *testing.T) {
			bundle := filepath.Join(t.TempDir(), "post")
			must(t, os.MkdirAll(bundle, 0o755))
			md := filepath.Join(bundle, "index.md")
			if name == "lone file in" {
				md = filepath.Join(bundle, "post.md")
			}
			must(t, os.WriteFile(md, []byte("---\ntitle: Post\nhero: hero.png\n---\n"), 0o644))
			setup(t, bundle)
			arg := bundle
			if name == "lone file in" {
				arg = md
			}
			code, _, stderr := runWithin(t, 20*time.Second, "submit", arg, "--server", "http://127.0.0.1:1")
			if code != exitError || !strings.Contains(stderr, filepath.Join(bundle, "hero.png")+": ") || strings.Contains(stderr, "cannot reach the server") {
				t.Fatalf("exit %d: %s", code, stderr)
			}
		})
	}
}

func replaceWith(t *testing.T, path, target string) {
	t.Helper()
	must(t, os.Remove(path))
	must(t, os.Symlink(target, path))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
