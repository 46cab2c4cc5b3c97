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
