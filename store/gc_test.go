package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func blobGone(t *testing.T, db *store.DB, data []byte) bool {
	t.Helper()
	_, err := db.Blob(context.Background(), hashOf(data))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err != nil
}

// collectAll runs passes until one finds nothing left.
func collectAll(t *testing.T, db *store.DB, lim store.GCLimits) store.GCStats {
	t.Helper()
	var total store.GCStats
	for range 100 {
		st, err := db.CollectGarbage(context.Background(), lim)
		if err != nil {
			t.Fatal(err)
		}
		total.Checked += st.Checked
		total.Blobs += st.Blobs
		total.Bytes += st.Bytes
		total.Derivatives += st.Derivatives
		if !st.More {
			return total
		}
	}
	t.Fatal("garbage collection never finished")
	return total
}

func buildIndex(t *testing.T, db *store.DB, gen int, files ...store.FileData) {
	t.Helper()
	stored, err := db.FinishIndex(context.Background(), "kestrel", gen, files, "")
	if err != nil || !stored {
		t.Fatalf("index build %d: stored=%v %v", gen, stored, err)
	}
}

func renderAll(t *testing.T, db *store.DB, id string, v int, hash string, body string) {
	t.Helper()
	ctx := context.Background()
	for _, ch := range channels {
		k := store.RenderKey{ItemID: id, Version: v, Channel: ch}
		if st, err := db.StartRendering(ctx, k, hash); err != nil || st != store.StartRun {
			t.Fatalf("start %s: %v %v", k, st, err)
		}
		if _, err := db.FinishRendering(ctx, k, hash, store.RenderResult{Files: []store.FileData{
			{Name: "out.html", MediaType: "text/html", Data: []byte(ch + ": " + body)},
			{Name: "shared.txt", MediaType: "text/plain", Data: []byte("the same in every rendering")},
		}}, indexPlan); err != nil {
			t.Fatal(err)
		}
	}
}

// Rebuilding an index with the same files stores nothing new; replaced
// index files, re-rendered files and derivatives of images nothing keeps
// are deleted by the collector, and nothing still in use is.
func TestGarbageCollection(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.PutBrand(ctx, "kestrel", "Kestrel", map[string][]byte{"brand.yaml": []byte("name: Kestrel")}, "tester", plan("critical"), store.Grouping{}); err != nil {
			t.Fatal(err)
		}
		b, _ := db.Brand(ctx, "kestrel")
		img := []byte("pretend this is a JPEG")
		if _, err := db.Submit(ctx, submission("tent", "v1", map[string][]byte{"hero.jpg": img}), plan("critical")); err != nil {
			t.Fatal(err)
		}
		renderAll(t, db, "tent", 1, "b1", "first render")

		feed1 := []byte("<rss>" + strings.Repeat("one ", 1000) + "</rss>")
		sitemap := []byte("<urlset/>")
		buildIndex(t, db, 1, store.FileData{Name: "feed.xml", MediaType: "application/rss+xml", Data: feed1},
			store.FileData{Name: "sitemap.xml", MediaType: "application/xml", Data: sitemap},
			store.FileData{Name: "catalog/tags/old/index.html", MediaType: "text/html", Data: []byte("<p>a tag no item has any more")})
		if st := collectAll(t, db, store.GCLimits{}); st.Blobs != 0 {
			t.Fatalf("collected %d blobs while everything was in use: %+v", st.Blobs, st)
		}
		n0, bytes0, err := db.BlobUsage(ctx)
		if err != nil {
			t.Fatal(err)
		}

		// The same files again: not a byte more, nothing to collect.
		buildIndex(t, db, 2, store.FileData{Name: "feed.xml", MediaType: "application/rss+xml", Data: feed1},
			store.FileData{Name: "sitemap.xml", MediaType: "application/xml", Data: sitemap},
			store.FileData{Name: "catalog/tags/old/index.html", MediaType: "text/html", Data: []byte("<p>a tag no item has any more")})
		if n, bytes, _ := db.BlobUsage(ctx); n != n0 || bytes != bytes0 {
			t.Fatalf("an unchanged rebuild went from %d blobs (%d bytes) to %d (%d)", n0, bytes0, n, bytes)
		}

		// A changed feed and a dropped tag page: their old blobs go.
		feed2 := []byte("<rss>two</rss>")
		buildIndex(t, db, 3, store.FileData{Name: "feed.xml", MediaType: "application/rss+xml", Data: feed2},
			store.FileData{Name: "sitemap.xml", MediaType: "application/xml", Data: sitemap})
		st := collectAll(t, db, store.GCLimits{})
		if st.Blobs != 2 || st.Bytes != int64(len(feed1)+len("<p>a tag no item has any more")) {
			t.Errorf("after a rebuild: %+v, want the old feed and tag page collected", st)
		}
		if !blobGone(t, db, feed1) || blobGone(t, db, feed2) || blobGone(t, db, sitemap) {
			t.Error("the wrong index blobs were collected")
		}
		if _, data, err := db.IndexFile(ctx, "kestrel", "feed.xml"); err != nil || string(data) != string(feed2) {
			t.Fatalf("feed after collection: %q %v", data, err)
		}
		bi, _ := db.BrandIndex(ctx, "kestrel")
		if len(bi.Files) != 2 {
			t.Errorf("index files after the tag page was dropped: %+v", bi.Files)
		}

		// A re-render replaces the rendered files; the old ones go, the
		// source image and a file the new rendering shares stay.
		if _, err := db.Rerender(ctx, "tent", "tester", plan("critical")); err != nil {
			t.Fatal(err)
		}
		renderAll(t, db, "tent", 1, b.Hash, "second render")
		st = collectAll(t, db, store.GCLimits{})
		if st.Blobs != len(channels) {
			t.Errorf("after a re-render: %+v, want the %d old rendered files collected", st, len(channels))
		}
		if !blobGone(t, db, []byte("portal: first render")) || blobGone(t, db, []byte("portal: second render")) ||
			blobGone(t, db, []byte("the same in every rendering")) || blobGone(t, db, img) {
			t.Error("the wrong rendered blobs were collected")
		}
		if _, data, err := db.RenderingFile(ctx, store.RenderKey{ItemID: "tent", Version: 1, Channel: "portal"}, "out.html"); err != nil || string(data) != "portal: second render" {
			t.Fatalf("rendered file after collection: %q %v", data, err)
		}

		// Derivatives: one of the item's image stays; one of an image no
		// item or brand has (a live preview's) goes once old enough.
		kept := store.Derivative{Name: "hero-320.jpg", MediaType: "image/jpeg", Width: 320, Height: 200, Data: []byte("small hero")}
		preview := store.Derivative{Name: "draft-320.jpg", MediaType: "image/jpeg", Width: 320, Height: 200, Data: []byte("small draft image")}
		if err := db.PutDerivative(ctx, hashOf(img)+"/320/hero.jpg", kept); err != nil {
			t.Fatal(err)
		}
		if err := db.PutDerivative(ctx, hashOf([]byte("never stored"))+"/320/draft.jpg", preview); err != nil {
			t.Fatal(err)
		}
		if st := collectAll(t, db, store.GCLimits{}); st.Derivatives != 0 {
			t.Fatalf("a fresh derivative was collected: %+v", st)
		}
		time.Sleep(2 * time.Millisecond) // let the derivatives be older than DerivativeAge below
		st = collectAll(t, db, store.GCLimits{DerivativeAge: time.Millisecond})
		if st.Derivatives != 1 || st.Blobs != 1 {
			t.Errorf("derivatives: %+v, want the preview's and its blob collected", st)
		}
		if _, err := db.Derivative(ctx, hashOf(img)+"/320/hero.jpg"); err != nil {
			t.Errorf("the item image's derivative: %v", err)
		}
		if _, err := db.Derivative(ctx, hashOf([]byte("never stored"))+"/320/draft.jpg"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the preview's derivative: %v", err)
		}
		if !blobGone(t, db, preview.Data) || blobGone(t, db, kept.Data) {
			t.Error("the wrong derivative blobs were collected")
		}
	})
}

// One pass does bounded work and says when some is left.
func TestGarbageCollectionIsBounded(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Submit(ctx, submission("tent", "v1", nil), plan("critical")); err != nil {
			t.Fatal(err)
		}
		renderAll(t, db, "tent", 1, "b1", "render")
		n0, _, _ := db.BlobUsage(ctx)
		for gen := 1; gen <= 5; gen++ {
			buildIndex(t, db, gen, store.FileData{Name: "feed.xml", MediaType: "application/rss+xml", Data: []byte(strings.Repeat("x", gen))})
		}
		st, err := db.CollectGarbage(ctx, store.GCLimits{Blobs: 2})
		if err != nil {
			t.Fatal(err)
		}
		if st.Checked != 2 || st.Blobs != 2 || !st.More {
			t.Fatalf("first pass: %+v, want 2 of the 4 old feeds and more to do", st)
		}
		st = collectAll(t, db, store.GCLimits{Blobs: 2})
		if st.Blobs != 2 {
			t.Fatalf("the rest: %+v", st)
		}
		if n, _, _ := db.BlobUsage(ctx); n != n0+1 {
			t.Fatalf("%d blobs left, want the current feed", n)
		}
	})
}

// On SQLite the space collected goes back to the file system (a new file
// has incremental auto-vacuum); on PostgreSQL autovacuum makes it
// reusable, so only the blob bytes are compared there.
func TestGarbageCollectionShrinksSQLite(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Submit(ctx, submission("tent", "v1", nil), plan("critical")); err != nil {
			t.Fatal(err)
		}
		renderAll(t, db, "tent", 1, "b1", "render")
		big := make([]byte, 8<<20)
		for i := range big {
			big[i] = byte(i * 7919 >> 8)
		}
		buildIndex(t, db, 1, store.FileData{Name: "feed.json", MediaType: "application/feed+json", Data: big})
		before, err := db.Size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		buildIndex(t, db, 2, store.FileData{Name: "feed.json", MediaType: "application/feed+json", Data: []byte("{}")})
		st := collectAll(t, db, store.GCLimits{VacuumPages: 1 << 20})
		if st.Bytes != int64(len(big)) {
			t.Fatalf("collected %+v, want the 8 MiB feed", st)
		}
		after, err := db.Size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if db.Kind() == "sqlite" && after > before-7<<20 {
			t.Errorf("the SQLite file went from %d to %d bytes after collecting 8 MiB", before, after)
		}
		t.Logf("%s: %d bytes before, %d after collecting 8 MiB", db.Kind(), before, after)
	})
}
