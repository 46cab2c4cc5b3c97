package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/imagetest"
)

// The crash-loop PNG of issue 15 through the real binary: `crosscast
// render` exits 1 with the positioned error, writes nothing, and its
// peak RSS stays far below 1 GiB (it took ~3.8 GB and died before).
func TestRenderCrashLoopPNGProcess(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "strip")
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(bundle, "index.md"), []byte("---\ntitle: Strip\nhero:\n  src: strip.png\n  alt: x\n---\nBody.\n"), 0o644)
	os.WriteFile(filepath.Join(bundle, "strip.png"), imagetest.CraftPNG(t, 40_000_000, 1, 0), 0o644)
	bin := buildBinary(t)
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(bin, "render", bundle, "--brand", "../../examples/kestrel", "-o", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
	}
	want := filepath.Join(bundle, "index.md") + ":4:3: hero.src: image strip.png: 40000000×1 is 40000000 times longer than it is wide"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr\n%s\nlacks\n%s", stderr.String(), want)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // Linux reports KiB
	t.Logf("exit 1 in %v (start-up included, on a loaded machine), peak RSS %d MiB", took, rss>>20)
	if rss > 256<<20 {
		t.Errorf("peak RSS %d MiB", rss>>20)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder was created: %v", err)
	}
}
