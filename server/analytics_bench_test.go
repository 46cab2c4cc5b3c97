package server_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// seedBrandClicks stores 10 million clicks for kestrel straight into the
// rollup (1,000 links, each clicked on each of the last 90 days, 1 to 221
// times a day), in two statements, and returns the total.
func seedBrandClicks(b *testing.B, e *pipetest.Env) int64 {
	b.Helper()
	driver, src := "pgx", e.DSN
	if e.DB.Kind() == "sqlite" {
		driver, src = "sqlite", "file:"+e.DSN+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)"
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`WITH RECURSIVE l(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM l WHERE n < 999)
			INSERT INTO links (code, item_id, version, channel, variant, url, clicks, created_at, dest, brand_id)
			SELECT 'c' || l.n, 'item' || (l.n / 5), 1,
				CASE l.n % 5 WHEN 0 THEN 'email' WHEN 1 THEN 'mastodon' WHEN 2 THEN 'bluesky' WHEN 3 THEN 'catalog' ELSE 'print' END,
				CASE WHEN l.n % 10 = 0 THEN 'b' ELSE '' END, 'https://kestrel.example/en/item-' || l.n || '/', 0, $1, 'portal', 'kestrel' FROM l`,
			[]any{time.Now().UTC()}},
		{`WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 89)
			INSERT INTO click_days (brand_id, day, code, item_id, channel, variant, dest, clicks)
			SELECT 'kestrel', $1 - d.n, l.code, l.item_id, l.channel, l.variant,
				CASE WHEN l.channel = 'email' AND l.variant = 'b' THEN 'catalog' ELSE 'portal' END,
				1 + (CAST(SUBSTR(l.code, 2) AS INTEGER) * 7 + d.n * 13) % 221
			FROM links l, d WHERE l.brand_id = 'kestrel'`,
			[]any{time.Now().Unix() / 86400}},
		{`ANALYZE`, nil},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			b.Fatal(err)
		}
	}
	var total int64
	if err := db.QueryRowContext(ctx, `SELECT SUM(clicks) FROM click_days`).Scan(&total); err != nil {
		b.Fatal(err)
	}
	return total
}

// BenchmarkAnalyticsPage times a brand's Analytics page, queries and
// charts, through the server on 10 million stored clicks, for 30 and 90
// days, on SQLite and PostgreSQL.
//
//	go test ./server/ -run '^$' -bench BenchmarkAnalyticsPage -benchtime 10x
func BenchmarkAnalyticsPage(b *testing.B) {
	for _, s := range pipetest.Setups {
		name := map[string]string{"embedded": "sqlite", "real": "postgres"}[s.DB]
		b.Run(name, func(b *testing.B) {
			e := pipetest.New(b, s)
			e.ImportBrand(b, "kestrel")
			began := time.Now()
			total := seedBrandClicks(b, e)
			b.Logf("%s: seeded %d clicks in %v", name, total, time.Since(began).Round(time.Millisecond))
			srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service}))
			defer srv.Close()
			if _, _, err := e.DB.CreateUser(context.Background(), "editor", store.RoleEditor, uiPassword); err != nil {
				b.Fatal(err)
			}
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(url.Values{"name": {"editor"}, "password": {uiPassword}, "next": {"/"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			for _, days := range []int{30, 90} {
				b.Run(strconv.Itoa(days)+"d", func(b *testing.B) {
					var page []byte
					for b.Loop() {
						resp, err := c.Get(srv.URL + "/analytics/kestrel?days=" + strconv.Itoa(days))
						if err != nil {
							b.Fatal(err)
						}
						page, _ = io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Fatalf("%d: %s", resp.StatusCode, page)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
					if days == 90 && !strings.Contains(string(page), `<strong class="total">`+strconv.FormatInt(total, 10)+`</strong>`) {
						b.Errorf("the 90-day page does not show all %d clicks", total)
					}
				})
			}
		})
	}
}
