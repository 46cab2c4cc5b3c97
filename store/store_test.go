package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// Every test runs against both back ends: the embedded SQLite file and a
// real PostgreSQL, each in its own database or schema.
func backends(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var dsn string
			if kind == "sqlite" {
				dsn = testenv.SQLite(t)
			} else {
				dsn = testenv.Postgres(t)
			}
			db := open(t, dsn)
			fn(t, db)
		})
	}
}

// benchBackends runs a benchmark against both back ends, as backends
// runs a test.
func benchBackends(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			dsn := testenv.SQLite(b)
			if kind == "postgres" {
				dsn = testenv.Postgres(b)
			}
			fn(b, open(b, dsn))
		})
	}
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

var channels = []string{"email", "portal", "social"}

// plan mimics the worker's: one rendering per channel, one fan-out task.
func plan(queue string) store.PlanFunc {
	return func(itemID string, v int, brandHash string) (store.Plan, error) {
		var p store.Plan
		for _, ch := range channels {
			p.Renderings = append(p.Renderings, store.NewRendering{Channel: ch, Queue: queue, TaskID: fmt.Sprintf("render:%s:%d:%s:%s", itemID, v, ch, brandHash)})
		}
		p.Tasks = []store.Task{{Type: "item:render", ID: fmt.Sprintf("item:%s:%d:%s", itemID, v, brandHash), Queue: queue, Payload: []byte(`{}`)}}
		return p, nil
	}
}

func indexPlan(brand string, gen int) (store.Task, error) {
	return store.Task{Type: "index:build", ID: fmt.Sprintf("index:%s:%d", brand, gen), Queue: "default", Payload: []byte(`{}`)}, nil
}

func submission(id, source string, assets map[string][]byte) store.Submission {
	return store.Submission{
		ItemID: id, Brand: "kestrel", BrandHash: "b1", Lang: "en", Slug: id, ContentID: id, Title: "Title of " + id,
		Path: "index.md", Source: []byte(source), VersionHash: source + fmt.Sprint(len(assets)), Assets: assets, Actor: "tester",
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		// open already migrated; several processes starting at once
		// must neither fail nor apply a migration twice.
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				applied, err := db.Migrate(context.Background())
				if err == nil && len(applied) > 0 {
					err = fmt.Errorf("applied %v again", applied)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}

func TestSubmitVersionsAndDedupe(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		img := []byte("pretend this is a JPEG")
		res, err := db.Submit(ctx, submission("tent", "v1", map[string][]byte{"hero.jpg": img}), plan("critical"))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.Version != 1 || len(res.Outbox) != 1 || res.Outbox[0].OutboxID == 0 {
			t.Fatalf("first submit: %+v", res)
		}
		again, err := db.Submit(ctx, submission("tent", "v1", map[string][]byte{"hero.jpg": img}), plan("critical"))
		if err != nil {
			t.Fatal(err)
		}
		if again.Created || again.Version != 1 || len(again.Outbox) != 0 {
			t.Fatalf("resubmitting the same version must create nothing: %+v", again)
		}
		v2, err := db.Submit(ctx, submission("tent", "v2 with the same image", map[string][]byte{"hero.jpg": img}), plan("critical"))
		if err != nil {
			t.Fatal(err)
		}
		if !v2.Created || v2.Version != 2 {
			t.Fatalf("changed source must make version 2: %+v", v2)
		}
		ver, err := db.Version(ctx, "tent", 2)
		if err != nil {
			t.Fatal(err)
		}
		if string(ver.Source) != "v2 with the same image" || ver.Brand != "kestrel" || len(ver.Assets) != 1 {
			t.Fatalf("version 2: %+v", ver)
		}
		data, err := db.Blob(ctx, ver.Assets["hero.jpg"])
		if err != nil || string(data) != string(img) {
			t.Fatalf("asset: %q, %v", data, err)
		}
		it, err := db.Item(ctx, "tent")
		if err != nil {
			t.Fatal(err)
		}
		if it.LatestVersion != 2 || it.Status != store.StatusQueued {
			t.Fatalf("item: %+v", it)
		}
		if _, err := db.Item(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing item: %v", err)
		}
		evs, err := db.Events(ctx, "tent", 0)
		if err != nil || len(evs) != 2 || evs[0].Kind != "submitted" || evs[0].Actor != "tester" {
			t.Fatalf("events: %+v %v", evs, err)
		}
		list, err := db.Items(ctx, store.ItemFilter{Query: "TITLE OF t"})
		if err != nil || len(list) != 1 {
			t.Fatalf("search by title: %+v %v", list, err)
		}
		if n, err := db.CountItems(ctx, store.ItemFilter{Brand: "kestrel", Status: store.StatusQueued}); n != 1 || err != nil {
			t.Fatalf("count: %d %v", n, err)
		}
	})
}

func TestRenderJoin(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Submit(ctx, submission("guide", "body", nil), plan("critical")); err != nil {
			t.Fatal(err)
		}
		// All channels finish at once, each in its own transaction; the
		// last one to commit must see the others and close the version.
		var wg sync.WaitGroup
		for _, ch := range channels {
			wg.Go(func() {
				k := store.RenderKey{ItemID: "guide", Version: 1, Channel: ch}
				if ok, err := db.StartRendering(ctx, k, "b1"); err != nil || ok != store.StartRun {
					t.Errorf("start %s: %v %v", ch, ok, err)
					return
				}
				fin, err := db.FinishRendering(ctx, k, "b1", store.RenderResult{
					Files:   []store.FileData{{Name: "index.html", MediaType: "text/html", Data: []byte("<p>" + ch)}},
					Metrics: map[string]float64{"bytes": 7},
				}, indexPlan)
				if err != nil || !fin.Recorded {
					t.Errorf("finish %s: %+v %v", ch, fin, err)
				}
			})
		}
		wg.Wait()
		it, _ := db.Item(ctx, "guide")
		if it.Status != store.StatusRendered {
			t.Fatalf("after every channel finished the item is %q", it.Status)
		}
		// The join also asked, once, for the brand's index to be rebuilt.
		bi, err := db.BrandIndex(ctx, "kestrel")
		if err != nil || bi.Wanted != 1 || bi.Built != 0 {
			t.Fatalf("index after the join: %+v %v", bi, err)
		}
		due, _ := db.DueIndexes(ctx, time.Now().Add(time.Hour))
		if len(due) != 1 {
			t.Fatalf("due indexes: %+v", due)
		}
		stored, err := db.FinishIndex(ctx, "kestrel", 1, []store.FileData{{Name: "feed.xml", MediaType: "application/rss+xml", Data: []byte("<rss/>")}}, "")
		if err != nil || !stored {
			t.Fatalf("finish index: %v %v", stored, err)
		}
		if stored, _ := db.FinishIndex(ctx, "kestrel", 1, nil, ""); stored {
			t.Error("a second build of the same change replaced the files")
		}
		if _, data, err := db.IndexFile(ctx, "kestrel", "feed.xml"); err != nil || string(data) != "<rss/>" {
			t.Fatalf("index file: %q %v", data, err)
		}
		// A second worker finishing the same task changes nothing.
		k := store.RenderKey{ItemID: "guide", Version: 1, Channel: "portal"}
		if ok, _ := db.StartRendering(ctx, k, "b1"); ok != store.StartSkip {
			t.Error("a final rendering must not start again")
		}
		fin, err := db.FinishRendering(ctx, k, "b1", store.RenderResult{Err: "late duplicate"}, nil)
		if err != nil || fin.Recorded {
			t.Fatalf("duplicate finish: %+v err=%v", fin, err)
		}
		rs, err := db.Renderings(ctx, "guide", 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Status != store.StatusRendered || r.Renders != 1 || len(r.Files) != 1 || r.Metrics["bytes"] != 7 {
				t.Errorf("%s: %+v", r.Channel, r)
			}
		}
		f, data, err := db.RenderingFile(ctx, k, "index.html")
		if err != nil || string(data) != "<p>portal" || f.MediaType != "text/html" {
			t.Fatalf("file: %+v %q %v", f, data, err)
		}
		if _, _, err := db.RenderingFile(ctx, k, "missing.html"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing file: %v", err)
		}
	})
}

func TestFailedChannelFailsVersion(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Submit(ctx, submission("x", "body", nil), plan("critical"))
		for i, ch := range channels {
			k := store.RenderKey{ItemID: "x", Version: 1, Channel: ch}
			r := store.RenderResult{}
			if i == 1 {
				r.Err = "index.md:3: hero: no such file"
			}
			fin, err := db.FinishRendering(ctx, k, "b1", r, nil)
			if err != nil {
				t.Fatal(err)
			}
			st := fin.VersionStatus
			want := store.StatusRendering
			if i == len(channels)-1 {
				want = store.StatusFailed
			}
			if st != want {
				t.Fatalf("after %s the version is %q, want %q", ch, st, want)
			}
		}
		rs, _ := db.Renderings(ctx, "x", 1)
		if rs[1].Error != "index.md:3: hero: no such file" {
			t.Fatalf("the error is kept on the rendering: %+v", rs[1])
		}
	})
}

func TestBrandChangeRerenders(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kit := map[string][]byte{"brand.yaml": []byte("name: Kestrel"), "logo.svg": []byte("<svg/>")}
		first, err := db.PutBrand(ctx, "kestrel", "Kestrel", kit, "admin", plan("low"), store.Grouping{})
		if err != nil || !first.Changed || first.Items != 0 {
			t.Fatalf("first put: %+v %v", first, err)
		}
		sub := submission("tent", "body", nil)
		sub.BrandHash = first.Hash
		db.Submit(ctx, sub, plan("critical"))
		same, _ := db.PutBrand(ctx, "kestrel", "Kestrel", kit, "admin", plan("low"), store.Grouping{})
		if same.Changed || len(same.Outbox) != 0 {
			t.Fatalf("the same kit again must change nothing: %+v", same)
		}
		kit["brand.yaml"] = []byte("name: Kestrel Outdoor")
		next, err := db.PutBrand(ctx, "kestrel", "Kestrel Outdoor", kit, "admin", plan("low"), store.Grouping{})
		if err != nil || !next.Changed || next.Items != 1 || len(next.Outbox) != 1 || next.Outbox[0].Queue != "low" {
			t.Fatalf("changed kit: %+v %v", next, err)
		}
		rs, _ := db.Renderings(ctx, "tent", 1)
		for _, r := range rs {
			if r.BrandHash != next.Hash || r.Status != store.StatusQueued || r.Queue != "low" {
				t.Errorf("%s after the brand change: %+v", r.Channel, r)
			}
		}
		// The old kit stays, so old renderings can be reproduced.
		old, err := db.BrandFiles(ctx, "kestrel", first.Hash)
		if err != nil || string(old["brand.yaml"]) != "name: Kestrel" {
			t.Fatalf("old kit: %v %v", old, err)
		}
		// A worker still holding the old brand version is superseded.
		k := store.RenderKey{ItemID: "tent", Version: 1, Channel: "portal"}
		if ok, _ := db.StartRendering(ctx, k, first.Hash); ok != store.StartSkip {
			t.Error("a task for the old brand version must not start")
		}
	})
}

// brandWithItems stores brand kestrel with kit and one item for each of
// ids, made with it.
func brandWithItems(t *testing.T, db *store.DB, kit map[string][]byte, ids []string) {
	t.Helper()
	ctx := context.Background()
	first, err := db.PutBrand(ctx, "kestrel", "Kestrel", kit, "admin", plan("low"), store.Grouping{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		sub := submission(id, "body of "+id, nil)
		sub.BrandHash = first.Hash
		if _, err := db.Submit(ctx, sub, plan("critical")); err != nil {
			t.Fatal(err)
		}
	}
}

// With a grouping, a brand change plans one task per group of items,
// which each rendering of the group names as its fan-out, and none per
// item.
func TestBrandChangeRendersInGroups(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kit := map[string][]byte{"brand.yaml": []byte("name: Kestrel")}
		ids := []string{"a", "b", "c", "d", "e"}
		brandWithItems(t, db, kit, ids)
		var groups [][]store.ItemVersion
		group := store.Grouping{Size: 2, Task: func(hash string, items []store.ItemVersion) (store.Task, error) {
			groups = append(groups, items)
			return store.Task{Type: "items:render", ID: "items:" + hash + ":" + items[0].ItemID, Queue: "low", Payload: []byte("{}")}, nil
		}}
		kit["brand.yaml"] = []byte("name: Kestrel Outdoor")
		next, err := db.PutBrand(ctx, "kestrel", "Kestrel", kit, "admin", plan("low"), group)
		if err != nil {
			t.Fatal(err)
		}
		if next.Items != 5 || len(next.Outbox) != 3 || len(groups) != 3 || len(groups[2]) != 1 {
			t.Fatalf("5 items in groups of 2: want 3 tasks and 5 items, got %d tasks, %d items, groups %v", len(next.Outbox), next.Items, groups)
		}
		for _, task := range next.Outbox {
			if task.Type != "items:render" || task.OutboxID == 0 {
				t.Errorf("a grouped brand change must enqueue only its group tasks, through the outbox: %+v", task)
			}
		}
		for i, id := range ids {
			want := "items:" + next.Hash + ":" + ids[i/2*2]
			rs, err := db.Renderings(ctx, id, 1)
			if err != nil || len(rs) == 0 {
				t.Fatalf("%s: %v %v", id, rs, err)
			}
			for _, r := range rs {
				if r.FanOut != want || r.Status != store.StatusQueued || r.BrandHash != next.Hash {
					t.Errorf("%s/%s: fan-out %q, status %s; want %q, queued", id, r.Channel, r.FanOut, r.Status, want)
				}
			}
		}
		// A re-render of one item is its own item's fan-out again.
		if _, err := db.Rerender(ctx, "a", "editor", plan("default")); err != nil {
			t.Fatal(err)
		}
		rs, _ := db.Renderings(ctx, "a", 1)
		for _, r := range rs {
			if r.FanOut != "" {
				t.Errorf("a/%s after an editor's re-render still names the group task %q", r.Channel, r.FanOut)
			}
		}
	})
}

// A brand change of more items than one statement can name resets them
// all, with or without groups, however large a group.
func TestBrandChangeOfManyItems(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kit := map[string][]byte{"brand.yaml": []byte("name: Kestrel")}
		const n = 1001 // SQLite refuses an expression deeper than 1,000
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("note-%04d", i)
		}
		brandWithItems(t, db, kit, ids)
		big := store.Grouping{Size: 600, Task: func(hash string, items []store.ItemVersion) (store.Task, error) {
			return store.Task{Type: "items:render", ID: "items:" + hash + ":" + items[0].ItemID, Queue: "low", Payload: []byte("{}")}, nil
		}}
		for i, group := range []store.Grouping{{}, big} {
			kit["brand.yaml"] = fmt.Appendf(nil, "name: Kestrel %d", i)
			res, err := db.PutBrand(ctx, "kestrel", "Kestrel", kit, "admin", plan("low"), group)
			if err != nil {
				t.Fatalf("brand change %d (groups of %d): %v", i, group.Size, err)
			}
			if res.Items != n {
				t.Fatalf("brand change %d (groups of %d): %d of %d items re-rendered", i, group.Size, res.Items, n)
			}
		}
		rs, err := db.Renderings(ctx, fmt.Sprintf("note-%04d", n-1), 1)
		if err != nil || len(rs) == 0 || rs[0].Status != store.StatusQueued || !strings.HasPrefix(rs[0].FanOut, "items:") {
			t.Fatalf("the last item after the brand change: %+v %v", rs, err)
		}
	})
}

func TestTokens(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret, tok, err := db.CreateToken(ctx, "ci", store.RoleWriter)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.TokenBySecret(ctx, secret)
		if err != nil || got.ID != tok.ID || got.Role != store.RoleWriter {
			t.Fatalf("lookup: %+v %v", got, err)
		}
		if _, err := db.TokenBySecret(ctx, secret+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("wrong secret: %v", err)
		}
		if _, _, err := db.CreateToken(ctx, "x", "root"); err == nil {
			t.Fatal("unknown role accepted")
		}
	})
}

func TestOutbox(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Submit(ctx, submission("a", "a", nil), plan("critical"))
		rows, err := db.Outbox(ctx, time.Now().Add(time.Hour), 10)
		if err != nil || len(rows) != 1 || rows[0].Type != "item:render" || rows[0].ID != "item:a:1:b1" {
			t.Fatalf("outbox: %+v %v", rows, err)
		}
		if err := db.DeleteOutbox(ctx, rows[0].OutboxID); err != nil {
			t.Fatal(err)
		}
		rows, _ = db.Outbox(ctx, time.Now().Add(time.Hour), 10)
		if len(rows) != 0 {
			t.Fatalf("deleted row still there: %+v", rows)
		}
	})
}

func TestDerivatives(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Derivative(ctx, "abc/480/hero"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing derivative: %v", err)
		}
		d := store.Derivative{Name: "hero-1a2b3c4d-480.jpg", MediaType: "image/jpeg", Width: 480, Height: 320, Data: []byte("jpeg bytes")}
		for range 2 { // a second worker storing the same key is fine
			if err := db.PutDerivative(ctx, "abc/480/hero", d); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Derivative(ctx, "abc/480/hero")
		if err != nil || got.Name != d.Name || got.Height != 320 || string(got.Data) != "jpeg bytes" {
			t.Fatalf("derivative: %+v %v", got, err)
		}
	})
}

func TestSlugTakenByAnotherItem(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Submit(ctx, submission("a", "one", nil), plan("critical")); err != nil {
			t.Fatal(err)
		}
		other := submission("b", "two", nil)
		other.Slug = "a" // same brand, language and slug as item a
		_, err := db.Submit(ctx, other, plan("critical"))
		var ce content.Errors
		if !errors.As(err, &ce) || ce[0].Field != "slug" || !strings.Contains(ce[0].Message, "already used by item a") {
			t.Fatalf("want a slug error naming item a, got %v", err)
		}
		if _, err := db.Item(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the rejected item was stored: %v", err)
		}
	})
}

func TestUsersAndSessions(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, _, err := db.CreateUser(ctx, "ann", store.RoleEditor, "too short"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("short password: %v", err)
		}
		_, pw, err := db.CreateUser(ctx, "ann", store.RoleEditor, "")
		if err != nil || len(pw) < store.MinPassword {
			t.Fatalf("create: %q %v", pw, err)
		}
		if _, _, err := db.CreateUser(ctx, "ann", store.RoleWriter, "another long one"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate name: %v", err)
		}
		if _, _, err := db.Login(ctx, "ann", pw+"x", "", time.Hour); !errors.Is(err, store.ErrBadLogin) {
			t.Errorf("wrong password: %v", err)
		}
		u, s1, err := db.Login(ctx, "ann", pw, "", time.Hour)
		if err != nil || u.Role != store.RoleEditor {
			t.Fatalf("login: %+v %v", u, err)
		}
		if got, err := db.SessionUser(ctx, s1); err != nil || got.Name != "ann" {
			t.Fatalf("session: %+v %v", got, err)
		}
		// A new login replaces the old session; an expired one is gone.
		_, s2, err := db.Login(ctx, "ann", pw, s1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, s1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old session after a new login: %v", err)
		}
		_, s3, _ := db.Login(ctx, "ann", pw, "", -time.Minute)
		if _, err := db.SessionUser(ctx, s3); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session: %v", err)
		}
		// A new password ends every session.
		if _, err := db.SetPassword(ctx, "ann", "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, s2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after a password change: %v", err)
		}
		// Settings are created once and then the same for everyone.
		a, _ := db.Setting(ctx, "k", func() string { return "first" })
		b, _ := db.Setting(ctx, "k", func() string { return "second" })
		if a != "first" || b != "first" {
			t.Errorf("setting: %q then %q", a, b)
		}
	})
}
