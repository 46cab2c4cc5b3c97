package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every subcommand answers -h and --help with its usage on stdout and
// exit 0, doing nothing else; an unknown flag or a stray argument is a
// usage error (exit 2).
func TestSubcommandFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cc.db")
	t.Setenv(envDatabase, db)
	t.Setenv(envToken, "x")
	commands := [][]string{
		{"render"}, {"preview"}, {"serve"}, {"worker"}, {"submit"}, {"migrate"}, {"bench"}, {"config"},
		{"token"}, {"token", "create"}, {"user"}, {"user", "add"}, {"user", "add", "ann"}, {"user", "passwd", "ann"},
	}
	for _, cmd := range commands {
		for _, help := range []string{"-h", "--help", "-help"} {
			args := append(append([]string{}, cmd...), help)
			code, stdout, stderr := runWithin(t, 20*time.Second, args...)
			if code != exitOK || !strings.Contains(stdout, "Usage:") || !strings.Contains(stdout, "crosscast "+cmd[0]) {
				t.Errorf("%s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
			}
		}
		args := append(append([]string{}, cmd...), "--no-such-flag")
		code, stdout, stderr := runWithin(t, 20*time.Second, args...)
		if code != exitUsage || !strings.Contains(stderr, "no-such-flag") || stdout != "" {
			t.Errorf("%s: exit %d, want %d; stdout %q, stderr %q", strings.Join(args, " "), code, exitUsage, stdout, stderr)
		}
	}
	for _, args := range [][]string{{"serve", "extra"}, {"worker", "extra"}, {"migrate", "extra"}, {"bench", "extra"}, {"config", "extra"}, {"token", "create", "extra"}, {"user", "add", "ann", "bob"}} {
		if code, _, stderr := runWithin(t, 20*time.Second, args...); code != exitUsage {
			t.Errorf("%s: exit %d, want %d; %s", strings.Join(args, " "), code, exitUsage, stderr)
		}
	}
	// --help acted on nothing: no database, so certainly no user named --help.
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a --help run opened the database: %v", err)
	}
}
