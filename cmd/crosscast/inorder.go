package main

import (
	"context"
	"sync"
)

// inOrder runs work(i) for i in [0, n) with at most jobs at once, and
// hands each result to done in order of i, on the calling goroutine, so
// what a command prints reads in the order its inputs were given however
// they finished. Results that finish early wait for the ones before
// them, so T should be small (a summary, with the bulk on disk or sent).
// Once ctx is done no more work is handed out and done is not called
// again; inOrder returns the context's cause when the running work ends.
func inOrder[T any](ctx context.Context, jobs, n int, work func(context.Context, int) T, done func(int, T)) error {
	jobs = max(1, min(jobs, n))
	type result struct {
		i int
		v T
	}
	next := make(chan int)
	results := make(chan result, jobs)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results <- result{i, work(ctx, i)}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	held := map[int]T{}
	want := 0
	for r := range results {
		held[r.i] = r.v
		for {
			v, ok := held[want]
			if !ok {
				break
			}
			delete(held, want)
			if ctx.Err() == nil {
				done(want, v)
			}
			want++
		}
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}
