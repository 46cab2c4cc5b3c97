package worker_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/worker"
)

// Three limiters, as three worker processes would hold, share one
// target's rate through Redis: together they send at the rate, not three
// times it. The embedded Redis (miniredis, as `make run` uses) runs the
// same script.
func TestRateLimiterHoldsTheRateAcrossProcesses(t *testing.T) {
	addr, db := testenv.Redis(t)
	mr := miniredis.RunT(t)
	for name, opt := range map[string]*redis.Options{"redis": {Addr: addr, DB: db}, "miniredis": {Addr: mr.Addr()}} {
		t.Run(name, func(t *testing.T) {
			const perSecond, want = 200.0, 120
			var sent atomic.Int64
			ctx := context.Background()
			start := time.Now()
			var wg sync.WaitGroup
			for range 3 {
				rdb := redis.NewClient(opt)
				defer rdb.Close()
				l := worker.NewRateLimiter(rdb, "test:"+t.Name()+":")
				for range 4 { // connections per process
					wg.Add(1)
					go func() {
						defer wg.Done()
						for sent.Load() < want {
							if err := l.Wait(ctx, "kestrel/newsletter", perSecond); err != nil {
								t.Error(err)
								return
							}
							sent.Add(1)
						}
					}()
				}
			}
			wg.Wait()
			got := float64(sent.Load()) / time.Since(start).Seconds()
			if got > perSecond*1.05 || got < perSecond*0.8 {
				t.Errorf("%d messages at %.0f/s, want %.0f/s", sent.Load(), got, perSecond)
			}
		})
	}
}

// Redis away: Wait fails at once, so the sender leaves its message
// pending instead of sending it unpaced.
func TestRateLimiterRedisAway(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	defer rdb.Close()
	mr.Close()
	l := worker.NewRateLimiter(rdb, "")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Wait(ctx, "k", 10); err == nil {
		t.Error("Wait went ahead with Redis away")
	}
}

// Two allowances, as two worker processes would hold, each with
// goroutines taking from one target's day: together they get exactly
// the day's cap, never more; another day has its own. Given-back
// messages can be taken again. Both Redis servers run the same script.
func TestDailyAllowanceHoldsTheCapAcrossProcesses(t *testing.T) {
	addr, db := testenv.Redis(t)
	mr := miniredis.RunT(t)
	for name, opt := range map[string]*redis.Options{"redis": {Addr: addr, DB: db}, "miniredis": {Addr: mr.Addr()}} {
		t.Run(name, func(t *testing.T) {
			const limit = 1000
			ctx := context.Background()
			prefix := "test:" + t.Name() + ":"
			var got atomic.Int64
			var wg sync.WaitGroup
			var as []*worker.DailyAllowance
			for range 2 {
				rdb := redis.NewClient(opt)
				defer rdb.Close()
				a := worker.NewDailyAllowance(rdb, prefix)
				as = append(as, a)
				for g := range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 40 {
							n, err := a.Take(ctx, "smtp:kestrel/newsletter", "2026-12-01", limit, 7+g)
							if err != nil {
								t.Error(err)
								return
							}
							if n < 0 || n > 7+g {
								t.Errorf("took %d of %d wanted", n, 7+g)
							}
							got.Add(int64(n))
						}
					}()
				}
			}
			wg.Wait()
			// 2 × 8 goroutines × 40 takes want far more than the cap.
			if got.Load() != limit {
				t.Fatalf("took %d in all, want the cap %d", got.Load(), limit)
			}
			if n, err := as[1].Take(ctx, "smtp:kestrel/newsletter", "2026-12-01", limit, 1); err != nil || n != 0 {
				t.Errorf("after the cap: took %d, %v", n, err)
			}
			if err := as[0].Give(ctx, "smtp:kestrel/newsletter", "2026-12-01", 30); err != nil {
				t.Fatal(err)
			}
			if n, err := as[1].Take(ctx, "smtp:kestrel/newsletter", "2026-12-01", limit, 50); err != nil || n != 30 {
				t.Errorf("after 30 given back: took %d, %v; want 30", n, err)
			}
			// The next day's cap (larger) is its own.
			if n, err := as[1].Take(ctx, "smtp:kestrel/newsletter", "2026-12-02", 2*limit, 3*limit); err != nil || n != 2*limit {
				t.Errorf("the next day: took %d, %v; want %d", n, err, 2*limit)
			}
			// Giving back more than was taken (the key dropped) makes no
			// credit.
			if err := as[0].Give(ctx, "smtp:kestrel/newsletter", "2026-11-30", 100); err != nil {
				t.Fatal(err)
			}
			if n, err := as[0].Take(ctx, "smtp:kestrel/newsletter", "2026-11-30", 10, 20); err != nil || n != 10 {
				t.Errorf("a day given back before anything was taken: took %d, %v; want 10", n, err)
			}
			rdb := redis.NewClient(opt)
			defer rdb.Close()
			ttl, err := rdb.TTL(ctx, prefix+"smtp:kestrel/newsletter:2026-12-01").Result()
			if err != nil || ttl < 2*24*time.Hour || ttl > 3*24*time.Hour {
				t.Errorf("the day's key expires in %s (%v); want about 3 days", ttl, err)
			}
		})
	}
}

// Redis away: Take fails, so the batch sends nothing and is retried.
func TestDailyAllowanceRedisAway(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	defer rdb.Close()
	mr.Close()
	a := worker.NewDailyAllowance(rdb, "")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if n, err := a.Take(ctx, "k", "2026-12-01", 10, 5); err == nil || n != 0 {
		t.Errorf("Take with Redis away: %d, %v", n, err)
	}
}
