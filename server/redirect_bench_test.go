package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// BenchmarkRedirect loads the click redirect, /r/<code>, through the
// whole server over loopback: CROSSCAST_BENCH_CLIENTS concurrent clients
// (default 32) with keep-alive connections click 100 links in turn, each
// click counted in the database. It reports requests per second and the
// 99th percentile latency, on SQLite and on PostgreSQL.
//
//	go test ./server/ -run '^$' -bench BenchmarkRedirect -benchtime 20000x
func BenchmarkRedirect(b *testing.B) {
	clients := 32
	if n, err := strconv.Atoi(os.Getenv("CROSSCAST_BENCH_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	for _, s := range pipetest.Setups {
		name := map[string]string{"embedded": "sqlite", "real": "postgres"}[s.DB]
		b.Run(name, func(b *testing.B) {
			e := pipetest.New(b, s)
			var links []store.Link
			for i := range 100 {
				u := fmt.Sprintf("https://kestrel.example/en/item-%d/?utm_source=newsletter", i)
				links = append(links, store.Link{Code: store.LinkCode("bench.item", 1, "email", "", u), ItemID: "bench.item", Version: 1, Channel: "email", URL: u})
			}
			if err := e.DB.PutLinks(context.Background(), links); err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service}))
			defer srv.Close()
			c := &http.Client{
				Transport:     &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}
			var next atomic.Int64
			lat := make([][]time.Duration, clients)
			var failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			began := time.Now()
			for w := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						t0 := time.Now()
						resp, err := c.Get(srv.URL + "/r/" + links[i%int64(len(links))].Code)
						if err != nil {
							failed.Add(1)
							continue
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusFound {
							failed.Add(1)
						}
						lat[w] = append(lat[w], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(began)
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d clicks failed", n, b.N)
			}
			all := slices.Concat(lat...)
			slices.Sort(all)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
			var total int64
			ls, err := e.DB.Links(context.Background(), "bench.item")
			if err != nil {
				b.Fatal(err)
			}
			for _, l := range ls {
				total += l.Clicks
			}
			if total != int64(b.N) {
				b.Fatalf("%d clicks counted, want %d", total, b.N)
			}
		})
	}
}
