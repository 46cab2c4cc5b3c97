package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
)

// `crosscast preview` serves the item's four channels and renders again
// when the file changes, errors included.
func TestPreviewWatchesTheItem(t *testing.T) {
	root := testenv.RepoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, "examples", "kestrel", "items", "holiday-hours.md"))
	if err != nil {
		t.Fatal(err)
	}
	item := filepath.Join(t.TempDir(), "holiday-hours.md")
	if err := os.WriteFile(item, src, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errs bytes.Buffer
	go func() {
		m := &Main{Stdout: &out, Stderr: &errs}
		done <- m.Run(ctx, []string{"preview", item, "--brand", filepath.Join(root, "examples", "kestrel"), "--addr", addr, "--poll", "20ms"})
	}()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	pipetest.WaitFor(t, 30*time.Second, "the first rendering", func() (bool, string) {
		code, page := get("/")
		return code == 200 && strings.Contains(page, "Holiday opening hours"), page
	})
	for _, ch := range []string{"email/email.html", "portal/index.html", "catalog/card.html", "social/social.txt"} {
		resp, err := http.Get("http://" + addr + "/files/1/" + ch)
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "sandbox;") {
			t.Errorf("%s: %v %v", ch, resp.Status, err)
		}
		resp.Body.Close()
	}

	// Saving a change re-renders it.
	if err := os.WriteFile(item, bytes.Replace(src, []byte("title: Holiday opening hours"), []byte("title: Winter opening hours"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	pipetest.WaitFor(t, 30*time.Second, "the re-rendering", func() (bool, string) {
		_, gen := get("/gen")
		_, page := get("/")
		return gen == "2" && strings.Contains(page, "Winter opening hours"), gen
	})
	// A broken front matter shows its error with the line.
	if err := os.WriteFile(item, []byte("---\ntitle: [unclosed\n---\nText.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pipetest.WaitFor(t, 30*time.Second, "the error", func() (bool, string) {
		_, page := get("/")
		return strings.Contains(page, `class="err"`) && strings.Contains(page, "holiday-hours.md:2"), page
	})
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("preview exited %d: %s", code, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Error("preview did not stop")
	}
}
