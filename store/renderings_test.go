package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// finishCase is the results an inline render might record for items a
// and b, mixed: a channel already final, a failure given up, a channel
// named twice, identical files within a rendering and across them.
func finishCase(a, b string) []store.Result {
	style := store.FileData{Name: "style.css", MediaType: "text/css", Data: []byte("p { margin: 0 }")}
	// The same bytes for either pair of items, so their files compare.
	page := func(id, ch string) []store.FileData {
		body := []byte("<p>" + ch + " of " + map[string]string{a: "a", b: "b"}[id])
		return []store.FileData{{Name: "index.html", MediaType: "text/html", Data: body}, {Name: "copy.html", MediaType: "text/html", Data: body}, style}
	}
	key := func(id, ch string) store.RenderKey { return store.RenderKey{ItemID: id, Version: 1, Channel: ch} }
	return []store.Result{
		{Key: key(a, "email"), RenderResult: store.RenderResult{Files: page(a, "email"), Warnings: []string{"alt text missing"}, Metrics: map[string]float64{"bytes": 3}, Duration: 5 * time.Millisecond}},
		{Key: key(a, "portal"), RenderResult: store.RenderResult{Err: "late duplicate"}},
		{Key: key(b, "email"), RenderResult: store.RenderResult{Files: page(b, "email")}},
		{Key: key(a, "social"), RenderResult: store.RenderResult{Err: "gave up", Files: []store.FileData{style}, GivenUp: true}},
		{Key: key(a, "email"), RenderResult: store.RenderResult{Files: page(a, "email twice")}},
		{Key: key(b, "portal"), RenderResult: store.RenderResult{Files: page(b, "portal")}},
		{Key: key(b, "social"), RenderResult: store.RenderResult{Files: page(b, "social")}},
	}
}

// FinishRenderings records several results exactly as FinishRendering
// does for each in turn: the same Finished for each, the same
// renderings, files, statuses and events.
func TestFinishRenderingsAsInTurn(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, id := range []string{"a", "b", "turn-a", "turn-b"} {
			if _, err := db.Submit(ctx, submission(id, "body of "+id, nil), plan("critical")); err != nil {
				t.Fatal(err)
			}
			for _, ch := range channels {
				if st, err := db.StartRendering(ctx, store.RenderKey{ItemID: id, Version: 1, Channel: ch}, "b1"); err != nil || st != store.StartRun {
					t.Fatalf("start %s %s: %v %v", id, ch, st, err)
				}
			}
		}
		// Item a's portal is final already.
		for _, id := range []string{"a", "turn-a"} {
			if fin, err := db.FinishRendering(ctx, store.RenderKey{ItemID: id, Version: 1, Channel: "portal"}, "b1", store.RenderResult{}, indexPlan); err != nil || !fin.Recorded {
				t.Fatalf("finish %s portal: %+v %v", id, fin, err)
			}
		}
		batch, err := db.FinishRenderings(ctx, "b1", finishCase("a", "b"), indexPlan)
		if err != nil {
			t.Fatal(err)
		}
		var turn []*store.Finished
		for _, r := range finishCase("turn-a", "turn-b") {
			fin, err := db.FinishRendering(ctx, r.Key, "b1", r.RenderResult, indexPlan)
			if err != nil {
				t.Fatal(err)
			}
			turn = append(turn, fin)
		}
		want := []struct {
			recorded bool
			status   string
			outbox   int
		}{
			{true, store.StatusRendering, 0},
			{false, "", 0},
			{true, store.StatusRendering, 0},
			{true, store.StatusFailed, 1},
			{false, "", 0},
			{true, store.StatusRendering, 0},
			{true, store.StatusRendered, 1},
		}
		for i, w := range want {
			for name, fins := range map[string][]*store.Finished{"batch": batch, "in turn": turn} {
				f := fins[i]
				if f.Recorded != w.recorded || f.VersionStatus != w.status || len(f.Outbox) != w.outbox {
					t.Errorf("%s, result %d: %+v, want %+v", name, i, f, w)
				}
			}
		}
		for _, ids := range [][2]string{{"a", "turn-a"}, {"b", "turn-b"}} {
			got, wantRs := renderingsOf(t, db, ids[0]), renderingsOf(t, db, ids[1])
			if !reflect.DeepEqual(got, wantRs) {
				t.Errorf("renderings of %s:\n%+v\nin turn:\n%+v", ids[0], got, wantRs)
			}
			it, _ := db.Item(ctx, ids[0])
			other, _ := db.Item(ctx, ids[1])
			if it.Status != other.Status {
				t.Errorf("item %s is %q, in turn %q", ids[0], it.Status, other.Status)
			}
			if got, want := eventKinds(t, db, ids[0]), eventKinds(t, db, ids[1]); !reflect.DeepEqual(got, want) {
				t.Errorf("events of %s: %v, in turn %v", ids[0], got, want)
			}
		}
		if rs := renderingsOf(t, db, "a"); rs[0].Warnings != `["alt text missing"]` || rs[0].Ended != 1 || rs[2].Ended != 0 || rs[2].Error != "gave up" {
			t.Errorf("renderings of a: %+v", rs)
		}
		if _, data, err := db.RenderingFile(ctx, store.RenderKey{ItemID: "b", Version: 1, Channel: "social"}, "copy.html"); err != nil || string(data) != "<p>social of b" {
			t.Errorf("a file stored twice in one rendering: %q %v", data, err)
		}
		bi, err := db.BrandIndex(ctx, "kestrel")
		if err != nil || bi.Wanted != 4 {
			t.Errorf("index wanted once per finished version: %+v %v", bi, err)
		}
	})
}

// renderingView is what a rendering records, without its times.
type renderingView struct {
	Channel, Status, Error, Warnings, Metrics string
	Attempts, Ended, Renders                  int
	Duration                                  time.Duration
	Files                                     []store.RenderedFile
}

func renderingsOf(t *testing.T, db *store.DB, id string) []renderingView {
	t.Helper()
	rs, err := db.Renderings(context.Background(), id, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []renderingView
	for _, r := range rs {
		out = append(out, renderingView{r.Channel, r.Status, r.Error, string(r.Warnings), fmt.Sprint(r.Metrics), r.Attempts, r.Ended, r.Renders, r.Duration, r.Files})
	}
	return out
}

func eventKinds(t *testing.T, db *store.DB, id string) []string {
	t.Helper()
	es, err := db.Events(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Actor+" "+e.Kind)
	}
	return out
}

// A rendering finished again while it still has files (none does
// through the store's API today, which drops them when it reopens one)
// replaces them, and the blobs only they used are collected.
func TestFinishReplacesFiles(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			driver, dsn := "pgx", ""
			if kind == "sqlite" {
				dsn = testenv.SQLite(t)
				driver = "sqlite"
			} else {
				dsn = testenv.Postgres(t)
			}
			db := open(t, dsn)
			if _, err := db.Submit(ctx, submission("tent", "body", nil), plan("critical")); err != nil {
				t.Fatal(err)
			}
			renderAll(t, db, "tent", 1, "b1", "first render")
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.ExecContext(ctx, `UPDATE renderings SET status = 'rendering' WHERE item_id = 'tent' AND channel IN ('email', 'portal')`); err != nil {
				t.Fatal(err)
			}
			k := func(ch string) store.RenderKey { return store.RenderKey{ItemID: "tent", Version: 1, Channel: ch} }
			fins, err := db.FinishRenderings(ctx, "b1", []store.Result{
				{Key: k("email"), RenderResult: store.RenderResult{Files: []store.FileData{{Name: "new.html", MediaType: "text/html", Data: []byte("email: second render")}}}},
				{Key: k("portal"), RenderResult: store.RenderResult{Files: []store.FileData{{Name: "out.html", MediaType: "text/html", Data: []byte("portal: second render")},
					{Name: "shared.txt", MediaType: "text/plain", Data: []byte("the same in every rendering")}}}},
			}, indexPlan)
			if err != nil || !fins[0].Recorded || !fins[1].Recorded || fins[1].VersionStatus != store.StatusRendered || len(fins[1].Outbox) != 1 || len(fins[0].Outbox) != 0 {
				t.Fatalf("finish again: %+v %+v %v", fins[0], fins[1], err)
			}
			if st := collectAll(t, db, store.GCLimits{}); st.Blobs != 2 {
				t.Errorf("collected %+v, want the two replaced rendered files", st)
			}
			if !blobGone(t, db, []byte("email: first render")) || !blobGone(t, db, []byte("portal: first render")) ||
				blobGone(t, db, []byte("social: first render")) || blobGone(t, db, []byte("the same in every rendering")) {
				t.Error("the wrong rendered blobs were collected")
			}
			rs := renderingsOf(t, db, "tent")
			if len(rs[0].Files) != 1 || rs[0].Files[0].Name != "new.html" || len(rs[1].Files) != 2 || len(rs[2].Files) != 2 {
				t.Errorf("files after the second finish: %+v", rs)
			}
		})
	}
}

// A brand change keeps a version's rendered files, unseen, until its
// re-render's results replace them; a file that comes out the same
// stays, the changed ones' and a dropped channel's blobs go.
func TestBrandChangeKeepsFilesUntilRendered(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kit := map[string][]byte{"brand.yaml": []byte("name: Kestrel")}
		brandWithItems(t, db, kit, []string{"tent"})
		first, err := db.Brand(ctx, "kestrel")
		if err != nil {
			t.Fatal(err)
		}
		renderAll(t, db, "tent", 1, first.Hash, "first render")

		// The brand no longer has a social channel.
		kit["brand.yaml"] = []byte("name: Kestrel Outdoor")
		twoChannels := func(itemID string, v int, hash string) (store.Plan, error) {
			p, err := plan("low")(itemID, v, hash)
			p.Renderings = p.Renderings[:2]
			return p, err
		}
		next, err := db.PutBrand(ctx, "kestrel", "Kestrel", kit, "admin", twoChannels, store.Grouping{})
		if err != nil {
			t.Fatal(err)
		}
		portal := store.RenderKey{ItemID: "tent", Version: 1, Channel: "portal"}
		rs := renderingsOf(t, db, "tent")
		if len(rs) != 2 || rs[0].Files != nil || rs[1].Files != nil {
			t.Fatalf("renderings waiting for the new brand: %+v, want email and portal, no files shown", rs)
		}
		if _, _, err := db.RenderingFile(ctx, portal, "out.html"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the old brand's page while the new one renders: %v, want not found", err)
		}
		if st := collectAll(t, db, store.GCLimits{}); st.Blobs != 1 || !blobGone(t, db, []byte("social: first render")) {
			t.Fatalf("collected %+v, want the dropped social channel's page", st)
		}

		// The email comes out the same, the portal page changes.
		for _, ch := range []string{"email", "portal"} {
			k := store.RenderKey{ItemID: "tent", Version: 1, Channel: ch}
			if st, err := db.StartRendering(ctx, k, next.Hash); err != nil || st != store.StartRun {
				t.Fatalf("start %s: %v %v", k, st, err)
			}
			body := map[string]string{"email": "email: first render", "portal": "portal: second render"}[ch]
			if _, err := db.FinishRendering(ctx, k, next.Hash, store.RenderResult{Files: []store.FileData{
				{Name: "out.html", MediaType: "text/html", Data: []byte(body)},
				{Name: "shared.txt", MediaType: "text/plain", Data: []byte("the same in every rendering")},
			}}, indexPlan); err != nil {
				t.Fatal(err)
			}
		}
		if st := collectAll(t, db, store.GCLimits{}); st.Blobs != 1 || !blobGone(t, db, []byte("portal: first render")) {
			t.Errorf("collected %+v, want only the replaced portal page", st)
		}
		for ch, want := range map[string]string{"email": "email: first render", "portal": "portal: second render"} {
			_, data, err := db.RenderingFile(ctx, store.RenderKey{ItemID: "tent", Version: 1, Channel: ch}, "out.html")
			if err != nil || string(data) != want {
				t.Errorf("%s page after the re-render: %q %v, want %q", ch, data, err, want)
			}
		}
		if rs := renderingsOf(t, db, "tent"); len(rs[0].Files) != 2 || len(rs[1].Files) != 2 || rs[1].Status != store.StatusRendered {
			t.Errorf("renderings after the re-render: %+v", rs)
		}
	})
}
