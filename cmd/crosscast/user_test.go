package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// `crosscast user add` makes a user who can sign in: with a made-up
// password printed once, or one read from stdin; a short one or a
// duplicate name is refused with a usage error.
func TestUserAdd(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "cc.db")
	t.Setenv(envDatabase, dsn)
	code, out, errs := run(t, "user", "add", "ann", "--role", "editor")
	if code != exitOK {
		t.Fatalf("user add: %d %s", code, errs)
	}
	made := strings.TrimSpace(out)
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader("a long enough secret\n"), Stdout: &stdout, Stderr: &stderr}
	if code := m.Run(context.Background(), []string{"user", "add", "bob", "--password-stdin"}); code != exitOK || stdout.Len() != 0 {
		t.Fatalf("user add --password-stdin: %d, stdout %q, %s", code, stdout.String(), stderr.String())
	}
	if code, _, errs := run(t, "user", "add", "ann"); code != exitError || !strings.Contains(errs, "exists") {
		t.Errorf("duplicate user: %d %s", code, errs)
	}
	m = &Main{Stdin: strings.NewReader("short\n"), Stdout: &stdout, Stderr: &stderr}
	if code := m.Run(context.Background(), []string{"user", "add", "cat", "--password-stdin"}); code != exitUsage {
		t.Errorf("short password: exit %d", code)
	}

	// passwd gives ann a new password.
	code, out, errs = run(t, "user", "passwd", "ann")
	if code != exitOK || strings.TrimSpace(out) == made {
		t.Fatalf("passwd: %d %s", code, errs)
	}
	made = strings.TrimSpace(out)

	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, pw := range map[string]string{"ann": made, "bob": "a long enough secret"} {
		u, _, err := db.Login(context.Background(), name, pw, "", time.Hour)
		if err != nil {
			t.Errorf("%s cannot sign in: %v", name, err)
		} else if name == "ann" && u.Role != store.RoleEditor {
			t.Errorf("ann is %s", u.Role)
		}
	}
}
