package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/images"
)

// longNote is an item with a body of about size bytes, unlike any other
// item's.
func longNote(i, size int) map[string][]byte {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: Long read %d\ntags: [notes, series-%d]\n---\n", i, i%5)
	for p := 0; b.Len() < size; p++ {
		fmt.Fprintf(&b, "Note %d, paragraph %d. The wind came from the west, the tent held, and the stove boiled water in four minutes.\n\n", i, p)
	}
	return map[string][]byte{"index.md": []byte(b.String())}
}

// measure collects garbage through the reconciler until a pass finds
// none, then returns the database's size as an installation sees it:
// the SQLite file after a checkpoint, or the tables' total size on
// PostgreSQL after the VACUUM autovacuum would run.
func measure(t *testing.T, e *env) int64 {
	t.Helper()
	ctx := context.Background()
	for pass := 0; ; pass++ {
		st, err := e.Service.Reconcile(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if st.Garbage == 0 {
			break
		}
		if pass == 50 {
			t.Fatal("garbage collection did not finish in 50 passes")
		}
	}
	if e.DB.Kind() == "postgres" {
		raw, err := sql.Open("pgx", e.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, table := range []string{"assets", "rendering_files", "index_files", "gc_candidates", "derivatives"} {
			if _, err := raw.ExecContext(ctx, "VACUUM "+table); err != nil {
				t.Fatal(err)
			}
		}
		n, err := e.DB.Size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	raw, err := sql.Open("sqlite", e.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(e.DSN)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Re-rendering every item and rebuilding the index again and again must
// not grow the database: what a change replaced is collected, and the
// feeds stay small however long the items are. 50 items of 200 KB are
// rendered, then re-rendered twice with a changed brand kit (each
// time every portal page, catalog page and card changes, and the index
// is rebuilt as each item finishes). Afterwards the database may be at
// most 1.5 times (SQLite) or twice (PostgreSQL, which keeps a round's
// worth of freed space for reuse) its size after the first rendering.
func TestDatabaseStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 200 items of 200 KB")
	}
	items, size, rounds := 50, 200<<10, 2
	if raceEnabled {
		items, rounds = 10, 1 // the race detector makes rendering ten times slower
	}
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			cr, err := catalog.New(&images.Cache{})
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, s, cr)
			e.ImportBrand(t, "kestrel")
			e.Start(t)
			ctx := context.Background()
			var ids []string
			for i := range items {
				res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: longNote(i, size), Actor: "test"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, res.ItemID)
			}
			indexBuilt := func() (bool, string) {
				bi, err := e.DB.BrandIndex(ctx, "kestrel")
				if err != nil {
					return false, err.Error()
				}
				return bi.Built == bi.Wanted, fmt.Sprintf("index built through change %d of %d", bi.Built, bi.Wanted)
			}
			waitFor(t, 5*time.Minute, "items rendered", allRendered(e, ids))
			waitFor(t, time.Minute, "index built", indexBuilt)
			base := measure(t, e)
			_, blobs0, _ := e.DB.BlobUsage(ctx)

			_, kit, err := app.ReadBrandDir(filepath.Join(testenv.RepoRoot(t), "examples", "kestrel"))
			if err != nil {
				t.Fatal(err)
			}
			yaml := string(kit["brand.yaml"])
			for round := 1; round <= rounds; round++ {
				kit["brand.yaml"] = []byte(strings.NewReplacer(`primary: "#1f5f4a"`, fmt.Sprintf(`primary: "#1f5f%02d"`, round),
					"All prices include VAT.", fmt.Sprintf("All prices include VAT (round %d).", round)).Replace(yaml))
				if _, res, err := e.Service.UploadBrand(ctx, "kestrel", kit, "test"); err != nil || res.Items != items {
					t.Fatalf("round %d: brand change: %+v %v", round, res, err)
				}
				waitFor(t, 5*time.Minute, fmt.Sprintf("round %d rendered", round), allRendered(e, ids))
				waitFor(t, time.Minute, fmt.Sprintf("round %d index", round), indexBuilt)
				if round < rounds {
					measure(t, e) // the reconciler runs between rounds
				}
			}
			final := measure(t, e)
			_, blobs, _ := e.DB.BlobUsage(ctx)
			bi, _ := e.DB.BrandIndex(ctx, "kestrel")
			limit := base * 3 / 2 // SQLite gives freed pages back
			if e.DB.Kind() == "postgres" {
				limit = base * 2 // freed space is kept for reuse, not given back
			}
			t.Logf("%s: %d items of %d KB: %.1f MB after the first rendering (blobs %.1f MB), %.1f MB after %d brand changes and %d index builds (blobs %.1f MB); bound %.1f MB",
				e.DB.Kind(), items, size>>10, mb(base), mb(blobs0), mb(final), rounds, bi.Builds, mb(blobs), mb(limit))
			if final > limit {
				t.Errorf("the database grew from %.1f MB to %.1f MB, more than the bound of %.1f MB", mb(base), mb(final), mb(limit))
			}
			if blobs > blobs0*11/10 {
				t.Errorf("stored blobs grew from %.1f MB to %.1f MB", mb(blobs0), mb(blobs))
			}
			_, feed, err := e.DB.IndexFile(ctx, "kestrel", "feed.json")
			if err != nil || len(feed) > 2*catalog.FeedFullItems*catalog.FeedContentMax+100<<10 {
				t.Errorf("feed.json: %d bytes, %v", len(feed), err)
			}
		})
	}
}

func mb(n int64) float64 { return float64(n) / 1e6 }
