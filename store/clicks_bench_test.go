package store_test

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// benchClicks is how many clicks BenchmarkAnalytics stores for one brand:
// CROSSCAST_BENCH_CLICKS, else 10,000,000.
func benchClicks() int64 {
	if n, err := strconv.ParseInt(os.Getenv("CROSSCAST_BENCH_CLICKS"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 10_000_000
}

// The seeded brand: 1,000 links (200 items × 5 channels, two variants)
// clicked on each of the last 90 days, 1 to 221 clicks a day (111 on
// average), so 90,000 rollup rows hold 10 million clicks. The rows a
// report adds up grow with links × days, not with clicks.
const (
	benchLinks = 1000
	benchSQL   = `WITH RECURSIVE l(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM l WHERE n < $1 - 1),
		d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 89)
		INSERT INTO click_days (code, day, brand_id, item_id, channel, variant, dest, clicks)
		SELECT 'c' || l.n, $3 - d.n, 'kestrel', 'item' || (l.n / 5),
			CASE l.n % 5 WHEN 0 THEN 'email' WHEN 1 THEN 'mastodon' WHEN 2 THEN 'bluesky' WHEN 3 THEN 'catalog' ELSE 'print' END,
			CASE WHEN l.n % 10 = 0 THEN 'b' ELSE '' END,
			CASE l.n % 3 WHEN 0 THEN 'catalog' ELSE 'portal' END,
			1 + (l.n * 7 + d.n * 13) % $2
		FROM l, d`
	benchLinksSQL = `WITH RECURSIVE l(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM l WHERE n < $1 - 1)
		INSERT INTO links (code, item_id, version, channel, variant, url, clicks, created_at, dest, brand_id)
		SELECT 'c' || l.n, 'item' || (l.n / 5), 1, 'email', '', 'https://kestrel.example/en/item-' || (l.n / 5) || '/', 0, $2, 'portal', 'kestrel' FROM l`
)

// seedClicks writes the rollup rows straight into the database, in one
// statement (a recursive CTE on both back ends, which PostgreSQL runs
// as fast as generate_series), and returns how many clicks they hold.
func seedClicks(b *testing.B, dsn string, kind string) int64 {
	b.Helper()
	driver, src := "pgx", dsn
	if kind == "sqlite" {
		driver, src = "sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)"
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	spread := max(1, 2*benchClicks()/(benchLinks*90)-1) // clicks a day: 1 to spread
	today := time.Now().Unix() / 86400
	began := time.Now()
	if _, err := db.ExecContext(ctx, benchLinksSQL, benchLinks, time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, benchSQL, benchLinks, spread, today); err != nil {
		b.Fatal(err)
	}
	analyze := "ANALYZE"
	if _, err := db.ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	var total int64
	if err := db.QueryRowContext(ctx, `SELECT SUM(clicks) FROM click_days`).Scan(&total); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: seeded %d clicks in %d rollup rows in %v", kind, total, benchLinks*90, time.Since(began).Round(time.Millisecond))
	return total
}

// BenchmarkAnalytics times the queries of a brand's Analytics page (the
// two it runs: the breakdown by day, channel, variant and destination,
// and the top links) on 10 million stored clicks, for the default 30
// days and for 90.
//
//	go test ./store/ -run '^$' -bench BenchmarkAnalytics -benchtime 10x
func BenchmarkAnalytics(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var dsn string
			if kind == "sqlite" {
				dsn = testenv.SQLite(b)
			} else {
				dsn = testenv.Postgres(b)
			}
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			total := seedClicks(b, dsn, kind)
			ctx := context.Background()
			for _, days := range []int{30, 90} {
				b.Run(strconv.Itoa(days)+"d", func(b *testing.B) {
					now := time.Now()
					sc := store.ClickScope{Brand: "kestrel", Since: now.AddDate(0, 0, 1-days), Until: now.AddDate(0, 0, 1)}
					var seen int64
					for b.Loop() {
						byDay, err := db.ClickBreakdown(ctx, sc)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := db.ClickLinks(ctx, sc, 15); err != nil {
							b.Fatal(err)
						}
						seen = 0
						for _, d := range byDay {
							seen += d.Clicks
						}
					}
					b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
					b.Logf("%d days: %d of the %d stored clicks in range", days, seen, total)
				})
			}
		})
	}
}
