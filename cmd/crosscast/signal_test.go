package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTicks is the CPU time, in clock ticks, process pid has used so far
// (Linux /proc), or -1.
func cpuTicks(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// Fields after the command name in parentheses: utime is the 14th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

// SIGTERM and SIGINT stop `crosscast render` promptly, with a failure
// status and nothing written: it once went on parsing for 8 minutes.
func TestRenderStopsOnSignal(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to see the process at work")
	}
	bin := buildBinary(t)
	items := t.TempDir()
	// Many large items: rendering them all takes minutes of CPU.
	body := strings.Repeat("A paragraph with *emphasis* and a [link](https://kestrel.example/a).\n\n", 3000)
	for i := range 60 {
		src := fmt.Sprintf("---\ntitle: Item %d\n---\n%s", i, body)
		if err := os.WriteFile(filepath.Join(items, fmt.Sprintf("item-%02d.md", i)), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(bin, "render", items, "--brand", "../../examples/kestrel", "-o", out)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Signal once it is at work: a second of CPU is well past
			// start-up (the signal handler is installed first thing).
			deadline := time.Now().Add(2 * time.Minute)
			for cpuTicks(cmd.Process.Pid) < 100 {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the render never got going")
				}
				select {
				case err := <-done:
					t.Fatalf("render finished before the signal: %v\n%s", err, stderr.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				took := time.Since(sent)
				if took > time.Second {
					t.Errorf("exited %v after %v; want within 1 s", err, took)
				}
				if cmd.ProcessState.ExitCode() != 1 {
					t.Errorf("exit status %d, want 1; stderr:\n%s", cmd.ProcessState.ExitCode(), stderr.String())
				}
				if !strings.Contains(stderr.String(), "stopped before writing anything") {
					t.Errorf("stderr does not say it stopped:\n%s", stderr.String())
				}
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 30 s after %v", sig)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written: %v", out, err)
			}
		})
	}
}
