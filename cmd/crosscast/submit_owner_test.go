package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// `crosscast submit` with another writer's token cannot add a version to
// an item a first writer token started; the first token still can.
func TestSubmitCommandOwnership(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	e.ImportBrand(t, "kestrel")
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service}))
	defer srv.Close()
	first, _, err := e.DB.CreateToken(context.Background(), "cli-ann", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := e.DB.CreateToken(context.Background(), "cli-bob", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	item := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "holiday-hours.md")
	t.Setenv(envToken, first)
	if code, out, errs := run(t, "submit", item, "--server", srv.URL); code != 0 {
		t.Fatalf("first writer: exit %d\n%s\n%s", code, out, errs)
	}
	t.Setenv(envToken, second)
	if code, _, errs := run(t, "submit", item, "--server", srv.URL); code != exitError || !strings.Contains(errs, "started by someone else") {
		t.Errorf("second writer: exit %d\n%s", code, errs)
	}
	t.Setenv(envToken, first)
	if code, _, errs := run(t, "submit", item, "--server", srv.URL); code != 0 {
		t.Errorf("first writer again: exit %d\n%s", code, errs)
	}
}
