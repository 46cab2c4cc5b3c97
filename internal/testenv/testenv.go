// Package testenv holds what tests share about the machine they run on:
// the PostgreSQL and Redis they use (a fresh schema or database each), the
// repository's folder and its example kits, values made once per test
// binary, and the rules for skipping. A test that needs an outside service
// or tool skips on a developer's machine that lacks it and fails in CI,
// where CROSSCAST_REQUIRE_SERVICES=1 says everything must be there; a slow
// test skips under -short wherever it runs.
package testenv

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// RequireVar is the environment variable CI sets.
const RequireVar = "CROSSCAST_REQUIRE_SERVICES"

// Missing skips the test, or fails it when services are required.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(RequireVar) == "1" {
		t.Fatalf("required by "+RequireVar+"=1: "+format, args...)
	}
	t.Skipf(format, args...)
}

// SkipIfShort skips the test under -short (make test-short) and says why:
// for a test that takes minutes or starts a browser. It never fails, not
// even under CROSSCAST_REQUIRE_SERVICES=1: -short is the runner's choice,
// not a missing service. make test and CI run these tests in full.
func SkipIfShort(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip(why + "; run without -short")
	}
}

// RepoRoot returns the repository's top folder.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// CopyKit copies the example brand kit examples/<brand> (brand.yaml and
// its two logos) into a new folder named for the brand, and returns it:
// for a test that changes or breaks a kit on disk.
func CopyKit(t testing.TB, brand string) string {
	t.Helper()
	src := filepath.Join(RepoRoot(t), "examples", brand)
	dir := filepath.Join(t.TempDir(), brand)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"brand.yaml", "logo.svg", "logo-dark.svg"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// SilentServer listens on a loopback port, accepts connections and never
// reads or answers: a server that hangs. It returns the address; the
// listener and its connections close when the test ends.
func SilentServer(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held sync.WaitGroup
	t.Cleanup(held.Wait)
	t.Cleanup(func() { l.Close() })
	held.Go(func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	})
	return l.Addr().String()
}
