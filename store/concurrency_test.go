package store_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// 200 submissions at once, each with a large image: every one is stored
// (on PostgreSQL this deadlocked the pool), none sees a busy database,
// and SQLite keeps answering reads (what /healthz asks, with a 2 s
// deadline) while they queue.
func TestConcurrentSubmissionsKeepReadsQuick(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 200
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			img := make([]byte, 256<<10)
			rand.Read(img)
			wg.Go(func() {
				id := fmt.Sprintf("load-%d", i)
				if _, err := db.Submit(ctx, submission(id, "body of "+id, map[string][]byte{"hero.jpg": img}), plan("critical")); err != nil {
					errs <- fmt.Errorf("%s: %w", id, err)
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		var worst time.Duration
		for loop := true; loop; {
			select {
			case <-done:
				loop = false
			case <-time.After(20 * time.Millisecond):
				start := time.Now()
				pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				_, err := db.Items(pctx, store.ItemFilter{Limit: 1})
				cancel()
				worst = max(worst, time.Since(start))
				if err != nil {
					t.Errorf("a read during the load: %v", err)
				}
			}
		}
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n2, _ := db.CountItems(ctx, store.ItemFilter{}); n2 != n {
			t.Errorf("%d items stored, want %d", n2, n)
		}
		t.Logf("slowest read during %d concurrent submissions: %v", n, worst.Round(time.Millisecond))
		// On SQLite the writers queue apart from the readers; PostgreSQL's
		// one pool is shared as before, so there it is only logged.
		if db.Kind() == "sqlite" && worst > 2*time.Second {
			t.Errorf("a read took %v while submissions queued (the health check gives up at 2 s)", worst)
		}
	})
}
