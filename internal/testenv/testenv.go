// Package testenv lets tests that need an outside service or tool skip on
// a developer's machine that lacks it, and fail in CI, where
// CROSSCAST_REQUIRE_SERVICES=1 says everything must be there.
package testenv

import (
	"os"
	"path/filepath"
	"runtime"
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
