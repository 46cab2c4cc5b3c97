package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// benchSubscribers is how many subscribers BenchmarkSegment puts on one
// brand's list: CROSSCAST_BENCH_SUBSCRIBERS, else 1,000,000.
func benchSubscribers() int {
	if n, err := strconv.Atoi(os.Getenv("CROSSCAST_BENCH_SUBSCRIBERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchRow is subscriber i of a fixed mix: 40% nl, 30% de, 20% en, 10%
// fr; 90% active, 5% pending, 5% unsubscribed; 2% paused; each of five
// topics chosen by 30%.
func benchRow(r *rand.Rand, i int) []any {
	langs := []string{"nl", "nl", "nl", "nl", "de", "de", "de", "en", "en", "fr"}
	status := store.SubActive
	switch x := r.IntN(100); {
	case x < 5:
		status = store.SubPending
	case x < 10:
		status = store.SubUnsubscribed
	}
	var topics []string
	for _, t := range []string{"deals", "gear", "guides", "product", "trips"} {
		if r.IntN(100) < 30 {
			topics = append(topics, t)
		}
	}
	paused := 0
	if r.IntN(100) < 2 {
		paused = 1
	}
	return []any{"kestrel", fmt.Sprintf("r%07d@example.net", i), fmt.Sprintf("tok%07d", i), status, langs[r.IntN(len(langs))],
		strings.Join(topics, " "), paused, time.Unix(1_700_000_000, 0).UTC()}
}

var benchCols = []string{"brand_id", "address", "token", "status", "lang", "topics", "paused", "created_at"}

// fillSQLite inserts n subscribers in one transaction through one
// prepared statement; the triggers of migration 0010 fill the topics.
func fillSQLite(b *testing.B, path string, n int) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO subscribers (brand_id, address, token, status, lang, topics, paused, created_at, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		if _, err := st.Exec(benchRow(r, i)...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// fillPostgres copies n subscribers in with COPY.
func fillPostgres(b *testing.B, dsn string, n int) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		r := rand.New(rand.NewPCG(1, 2))
		i := 0
		_, err := pc.CopyFrom(context.Background(), pgx.Identifier{"subscribers"}, benchCols, pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			row := benchRow(r, i)
			i++
			return row, nil
		}))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// VACUUM sets the visibility map, as autovacuum does after a load,
	// so index-only scans need not visit the table.
	if _, err := conn.ExecContext(context.Background(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSegment counts an email's segment on a list of
// benchSubscribers() subscribers: by language alone, by language and
// topic through subscriber_topics (what the store does), the same with a
// pattern match on the topics column (the alternative migration 0010
// was measured against), and the item page's breakdown. On a million
// (2 shared cores): nl + one topic 25 ms SQLite, 38 ms PostgreSQL; the
// pattern match 430 and 192 ms; nl alone 71 and 34 ms; the breakdown
// 145 and 121 ms.
func BenchmarkSegment(b *testing.B) {
	n := benchSubscribers()
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var dsn string
			if kind == "sqlite" {
				dsn = testenv.SQLite(b)
			} else {
				dsn = testenv.Postgres(b)
			}
			ctx := context.Background()
			db, err := store.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			began := time.Now()
			if kind == "sqlite" {
				fillSQLite(b, dsn, n)
			} else {
				fillPostgres(b, dsn, n)
			}
			b.Logf("%s: %d subscribers in %v", kind, n, time.Since(began).Round(time.Millisecond))
			nl := store.Segment{BrandID: "kestrel", Langs: []string{"nl"}}
			nlGuides := store.Segment{BrandID: "kestrel", Langs: []string{"nl"}, Topics: []string{"guides"}}
			count := func(b *testing.B, seg store.Segment) {
				var got int
				for b.Loop() {
					if got, err = db.CountSegment(ctx, seg); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(got), "subscribers")
			}
			b.Run("lang", func(b *testing.B) { count(b, nl) })
			b.Run("lang+topic", func(b *testing.B) { count(b, nlGuides) })
			b.Run("lang+2topics", func(b *testing.B) {
				count(b, store.Segment{BrandID: "kestrel", Langs: []string{"nl"}, Topics: []string{"guides", "trips"}})
			})
			b.Run("all-but-de+topic", func(b *testing.B) {
				count(b, store.Segment{BrandID: "kestrel", Langs: []string{"de"}, OtherLangs: true, Topics: []string{"guides"}})
			})
			b.Run("lang+topic-pattern", func(b *testing.B) {
				raw, err := sql.Open(map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[kind], map[string]string{"sqlite": "file:" + dsn, "postgres": dsn}[kind])
				if err != nil {
					b.Fatal(err)
				}
				defer raw.Close()
				var got int
				for b.Loop() {
					err := raw.QueryRow(`SELECT COUNT(*) FROM subscribers sb WHERE sb.brand_id = $1 AND sb.lang IN ($2)
						AND sb.status = 'active' AND sb.paused = 0
						AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.brand_id = sb.brand_id AND x.address = sb.address)
						AND (' ' || sb.topics || ' ') LIKE $3`, "kestrel", "nl", "% guides %").Scan(&got)
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(got), "subscribers")
			})
			b.Run("breakdown", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.SegmentCounts(ctx, nlGuides); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
