package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// digestStore is a SQLite store holding the Kestrel kit with a weekly
// digest and one published item.
func digestStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dsn := testenv.SQLite(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kit := testenv.CopyKit(t, "kestrel")
	f, _ := os.OpenFile(filepath.Join(kit, "brand.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("digests:\n  weekly:\n    schedule: Mon 08:00\n    timezone: Europe/Amsterdam\n")
	f.Close()
	if _, _, err := app.New(app.Config{Store: db}).ImportBrand(ctx, kit, "test"); err != nil {
		t.Fatal(err)
	}
	_, hash, err := app.NewBrands(db).Current(ctx, "kestrel")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "holiday-hours.md"))
	if err != nil {
		t.Fatal(err)
	}
	id := "kestrel.en.holiday-opening-hours"
	plan := func(string, int, string) (store.Plan, error) {
		return store.Plan{Renderings: []store.NewRendering{{Channel: "portal", Queue: "default", TaskID: "r"}}}, nil
	}
	sub := store.Submission{ItemID: id, Brand: "kestrel", BrandHash: hash, Lang: "en", Slug: "holiday-opening-hours", ContentID: "holiday-opening-hours",
		Title: "Holiday opening hours", Path: "index.md", Source: src, VersionHash: "v1", Actor: "test"}
	if _, err := db.Submit(ctx, sub, plan); err != nil {
		t.Fatal(err)
	}
	k := store.RenderKey{ItemID: id, Version: 1, Channel: "portal"}
	if _, err := db.StartRendering(ctx, k, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FinishRendering(ctx, k, hash, store.RenderResult{Files: []store.FileData{{Name: "index.html", MediaType: "text/html", Data: []byte("x")}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Schedule(ctx, store.ScheduleRequest{ItemID: id, Version: 1, At: time.Now(), Actor: "editor",
		Task: func(gen int) (store.Task, error) {
			return store.Task{Type: "publish:item", ID: fmt.Sprint("p", gen), Queue: "default", Payload: []byte(`{}`)}, nil
		}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartPublication(ctx, id, 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishPublication(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// digest preview renders the digest of what the store has published,
// writing only to the output folder; a period with nothing published
// says so and writes nothing.
func TestDigestPreview(t *testing.T) {
	dsn := digestStore(t)
	before, err := os.ReadFile(dsn)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	runEnv := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		m := &Main{Stdout: &o, Stderr: &e, Getenv: func(k string) string {
			if k == "DATABASE_URL" {
				return dsn
			}
			return ""
		}}
		return m.Run(context.Background(), args), o.String(), e.String()
	}
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	code, stdout, stderr := runEnv("digest", "preview", "--brand", "kestrel", "--since", since, "-o", out)
	if code != exitOK || !strings.Contains(stdout, "weekly: 1 item(s)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	page, err := os.ReadFile(filepath.Join(out, "weekly", "email", "email.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Holiday opening hours", `src="images/logo-`, "utm_content=pos-1"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	for _, f := range []string{"email/email.txt", "email/email.eml", "item/index.md"} {
		if _, err := os.Stat(filepath.Join(out, "weekly", filepath.FromSlash(f))); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	code, stdout, _ = runEnv("digest", "preview", "--brand", "kestrel", "--since", time.Now().Add(time.Hour).Format("2006-01-02T15:04:05Z07:00"), "-o", t.TempDir())
	if code != exitOK || !strings.Contains(stdout, "weekly: nothing published") {
		t.Errorf("an empty period: exit %d, %s", code, stdout)
	}
	for _, bad := range [][]string{
		{"digest", "preview"}, {"digest", "preview", "--brand", "kestrel", "--since", "last week"},
		{"digest", "preview", "--brand", "kestrel", "--digest", "daily"}, {"digest", "send"},
	} {
		if code, _, stderr := runEnv(bad...); code != exitUsage {
			t.Errorf("%q: exit %d (%s), want a usage error", bad, code, stderr)
		}
	}
	if code, _, stderr := runEnv("digest", "preview", "--brand", "nope"); code != exitError || !strings.Contains(stderr, `no brand "nope"`) {
		t.Errorf("unknown brand: %d %s", code, stderr)
	}
	after, _ := os.ReadFile(dsn)
	if !bytes.Equal(before, after) {
		t.Error("the preview wrote to the store")
	}
}
