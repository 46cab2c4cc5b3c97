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
