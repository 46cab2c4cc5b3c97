package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
)

// `crosscast source check` prints what a poll would make and writes
// nothing; `source list` shows the declared sources.
func TestSourceCheckAndList(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<rss version="2.0"><channel><title>Notes</title><link>https://notes.example/</link>
<item><title>Waxed &lt;i&gt;cotton&lt;/i&gt; care</title><guid>wax-1</guid><pubDate>Mon, 02 Nov 2026 09:30:00 +0000</pubDate><description>Brush, then wax.</description></item>
<item><title>Tent seams</title><guid>seams-1</guid><pubDate>not a date</pubDate><description>Seal them.</description></item>
</channel></rss>`))
	}))
	t.Cleanup(feed.Close)
	dsn := filepath.Join(t.TempDir(), "cc.db")
	t.Setenv(envDatabase, dsn)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, n := range []string{"brand.yaml", "logo.svg", "logo-dark.svg"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "kestrel", n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = data
	}
	files["brand.yaml"] = append(files["brand.yaml"], "\nsources:\n  notes:\n    kind: feed\n    url: "+feed.URL+"/feed.xml\n    allow_hosts: [127.0.0.1]\n"...)
	if _, _, err := app.New(app.Config{Store: db}).UploadBrand(ctx, "kestrel", files, "test"); err != nil {
		t.Fatal(err)
	}

	code, out, errs := run(t, "source", "check", "notes", "--brand", "kestrel")
	if code != exitOK {
		t.Fatalf("source check: %d %s", code, errs)
	}
	for _, want := range []string{"create  kestrel.en.notes-", "Waxed cotton care", "fetch time is used", "would create 2, update 0; 0 unchanged, 0 skipped (nothing was written)"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if n, _ := db.CountItems(ctx, store.ItemFilter{}); n != 0 {
		t.Errorf("check wrote %d items", n)
	}
	code, out, errs = run(t, "source", "list")
	if code != exitOK || !strings.Contains(out, "kestrel  notes   feed  draft   new") {
		t.Errorf("source list: %d %s\n%s", code, errs, out)
	}
	if code, _, errs := run(t, "source", "check", "notes"); code != exitUsage || !strings.Contains(errs, "--brand is required") {
		t.Errorf("check without --brand: %d %s", code, errs)
	}
	if code, _, errs := run(t, "source", "check", "nope", "--brand", "kestrel"); code != exitError || !strings.Contains(errs, `no source "nope"`) {
		t.Errorf("an undeclared source: %d %s", code, errs)
	}
}
