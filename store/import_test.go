package store_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// importRows are n rows from line 2 on; every bad-th row (0: none) has
// a broken address. Odd rows state a basis, even rows do not.
func importRows(n, bad int) []store.ImportRow {
	rows := make([]store.ImportRow, n)
	for i := range rows {
		addr := fmt.Sprintf("reader%d@example.net", i)
		if bad > 0 && i%bad == bad-1 {
			addr = fmt.Sprintf("reader%d at example.net", i)
		}
		j := store.Join{BrandID: "kestrel", Address: addr, Lang: "en", Topics: []string{"guides"},
			Consent: store.Consent{Source: store.ConsentImport, Wording: "imported by test"}, QuietSuppressed: true, Confirm: confirmTask}
		if i%2 == 1 {
			j.Confirmed = true
			j.Consent.Wording = "bought at the shop (stated by test in an import)"
		}
		rows[i] = store.ImportRow{Line: i + 2, Join: j}
	}
	return rows
}

func count(t *testing.T, db *store.DB) int {
	t.Helper()
	n, after := 0, ""
	for {
		list, err := db.Subscribers(context.Background(), "kestrel", store.SubscriberFilter{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n += len(list)
		if len(list) < 1000 {
			return n
		}
		after = list[len(list)-1].Address
	}
}

// An import with bad rows reports each by line and imports nothing; a
// dry run counts exactly and writes nothing; the clean import is all
// there, with consent records, and leaves suppressed addresses alone.
func TestImportSubscribers(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := db.ImportSubscribers(ctx, importRows(1000, 50), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 20 {
			t.Fatalf("%d errors, want 20: %+v", len(res.Errors), res.Errors)
		}
		for k, e := range res.Errors {
			if want := 2 + 50*k + 49; e.Line != want {
				t.Errorf("error %d on line %d, want %d: %s", k, e.Line, want, e.Message)
			}
		}
		if n := count(t, db); n != 0 {
			t.Fatalf("a refused import left %d subscribers", n)
		}

		// One address that left the list before the import.
		j, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: "reader1@example.net", Lang: "en", Confirmed: true,
			Consent: store.Consent{Source: store.ConsentForm}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Unsubscribe(ctx, j.Subscriber.Token, store.Consent{Source: store.ConsentOneClick}); err != nil {
			t.Fatal(err)
		}
		rows := importRows(1000, 0)
		dry, err := db.ImportSubscribers(ctx, rows, true)
		if err != nil {
			t.Fatal(err)
		}
		want := store.ImportResult{Rows: 1000, Created: 999, Existing: 1, Active: 499, Pending: 500, Suppressed: 1, Errors: []store.RowError{}}
		if dry.Rows != want.Rows || dry.Created != want.Created || dry.Existing != want.Existing || dry.Active != want.Active ||
			dry.Pending != want.Pending || dry.Suppressed != want.Suppressed || len(dry.Tasks) != 0 {
			t.Fatalf("dry run: %+v, want %+v", dry, want)
		}
		if n := count(t, db); n != 1 {
			t.Fatalf("a dry run left %d subscribers, want 1", n)
		}
		res, err = db.ImportSubscribers(ctx, rows, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 999 || res.Active != 499 || res.Pending != 500 || res.Suppressed != 1 || len(res.Tasks) != 500 {
			t.Fatalf("import: %+v (%d tasks)", res, len(res.Tasks))
		}
		if n := count(t, db); n != 1000 {
			t.Fatalf("%d subscribers, want 1000", n)
		}
		if sb, _ := db.Subscriber(ctx, "kestrel", "reader1@example.net"); sb.Status != store.SubUnsubscribed {
			t.Errorf("an import with a basis reactivated an unsubscribed address: %s", sb.Status)
		}
		if got := actions(t, db, "reader3@example.net"); got != "import:opt_in→active" {
			t.Errorf("reader3's history: %s", got)
		}
		if got := actions(t, db, "reader2@example.net"); got != "import:signup→pending" {
			t.Errorf("reader2's history: %s", got)
		}
		// Importing the same file again changes no one's status.
		again, err := db.ImportSubscribers(ctx, rows, false)
		if err != nil || again.Created != 0 || again.Existing != 1000 {
			t.Fatalf("second import: %+v, %v", again, err)
		}
	})
}

// BenchmarkImport100k is the report's figure: 100,000 rows in one
// import, half with a basis. Set CROSSCAST_IMPORT_ROWS to change n.
func BenchmarkImport100k(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CROSSCAST_IMPORT_ROWS")); err == nil {
		n = v
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			dsn := testenv.SQLite(b)
			if kind == "postgres" {
				dsn = testenv.Postgres(b)
			}
			ctx := context.Background()
			b.StopTimer()
			for range b.N {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				rows := importRows(n, 0)
				b.StartTimer()
				start := time.Now()
				res, err := db.ImportSubscribers(ctx, rows, false)
				if err != nil || res.Created != n {
					b.Fatalf("%+v, %v", res, err)
				}
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
				b.StopTimer()
				db.Close()
			}
		})
	}
}

func TestCountAndSearchSubscribers(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rows := importRows(10, 0)
		rows[0].Join.Address = "under_score@example.net"
		if _, err := db.ImportSubscribers(ctx, rows, false); err != nil {
			t.Fatal(err)
		}
		c, err := db.CountSubscribers(ctx, "kestrel")
		if err != nil || c.Total != 10 || c.ByStatus[store.SubActive] != 5 || c.ByStatus[store.SubPending] != 5 || c.ByLang["en"] != 5 || c.ByTopic["guides"] != 5 {
			t.Fatalf("%+v, %v", c, err)
		}
		for q, want := range map[string]int{"READER": 9, "reader7@": 1, "_": 1, "%": 0, "": 10} {
			list, err := db.Subscribers(ctx, "kestrel", store.SubscriberFilter{Contains: q})
			if err != nil || len(list) != want {
				t.Errorf("%q: %d found, want %d (%v)", q, len(list), want, err)
			}
		}
	})
}

// A batched import keeps the rules a sign-up keeps: an erased address
// imported again, even with a stated basis, comes back suppressed (its
// hashed suppression under its address again) and is mailed nothing; an
// unsubscribed one on the list stays unsubscribed; the new rows around
// them are all there with a consent record each; the outbox has one
// confirmation per new pending row.
func TestImportKeepsSuppressions(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		api := store.Consent{Source: store.ConsentAPI, Wording: "basis"}
		var left *store.Joined
		for _, a := range []string{"reader3@example.net", "reader700@example.net"} {
			j, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: a, Confirmed: true, Consent: api})
			if err != nil {
				t.Fatal(err)
			}
			left = j
		}
		if err := db.EraseSubscriber(ctx, "kestrel", "reader3@example.net"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Unsubscribe(ctx, left.Subscriber.Token, store.Consent{Source: store.ConsentOneClick}); err != nil {
			t.Fatal(err)
		}
		rows := importRows(1200, 0) // three batches
		res, err := db.ImportSubscribers(ctx, rows, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 1199 || res.Existing != 1 || res.Suppressed != 2 || res.Active+res.Pending+res.Suppressed != 1200 {
			t.Errorf("counts: created %d, existing %d, active %d, pending %d, suppressed %d", res.Created, res.Existing, res.Active, res.Pending, res.Suppressed)
		}
		for _, a := range []string{"reader3@example.net", "reader700@example.net"} {
			sb, err := db.Subscriber(ctx, "kestrel", a)
			if err != nil || !store.SuppressedStatus(sb.Status) {
				t.Errorf("%s after the import: %+v, %v", a, sb, err)
			}
			if sup, _ := db.Suppressed(ctx, "kestrel", a); !sup {
				t.Errorf("%s: not suppressed", a)
			}
		}
		if n := count(t, db); n != 1200 {
			t.Errorf("%d subscribers, want 1200", n)
		}
		if got := actions(t, db, "reader1199@example.net"); got != "import:opt_in→active" {
			t.Errorf("the last row's consent log: %q", got)
		}
		if got := actions(t, db, "reader1198@example.net"); got != "import:signup→pending" {
			t.Errorf("a pending row's consent log: %q", got)
		}
		// Pending rows (even i) get a confirmation; reader700 (even,
		// suppressed, QuietSuppressed) does not, nor does the revived
		// reader3 (odd: stated basis).
		if want := 599; len(res.Tasks) != want {
			t.Errorf("%d confirmation tasks, want %d", len(res.Tasks), want)
		}
		ids := map[int64]bool{}
		for _, tk := range res.Tasks {
			if tk.OutboxID == 0 || ids[tk.OutboxID] {
				t.Fatalf("task %s has outbox id %d (twice or none)", tk.ID, tk.OutboxID)
			}
			ids[tk.OutboxID] = true
		}
	})
}
