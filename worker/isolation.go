package worker

import (
	"context"
	"sync"

	"golang.org/x/sync/semaphore"
)

// isolation runs a suspect task alone in its process. A worker that dies
// (out of memory, a crash in a library) takes every task it held with it,
// and each of them is charged one run that never ended; a task charged
// once is suspect, and it waits until it can run with no other render or
// delivery beside it. A poison task then dies alone, while the tasks that
// merely shared its process's death finish at their next run instead of
// being given up with it.
type isolation struct{ sem *semaphore.Weighted }

// whole is more than any worker's concurrency: a suspect takes all of it.
const whole = 1 << 30

func newIsolation() *isolation { return &isolation{sem: semaphore.NewWeighted(whole)} }

// enter waits for a share of the process, or for all of it when suspect,
// and returns the function that gives it back. The semaphore is FIFO, so
// a waiting suspect keeps new tasks from starting until it has run. The
// share is given back when ctx ends too: a task past its deadline that
// does not return (a loop that never looks at ctx) has been abandoned
// by asynq, and must not keep every suspect in the process waiting.
func (i *isolation) enter(ctx context.Context, suspect bool) (func(), error) {
	n := int64(1)
	if suspect {
		n = whole
	}
	if err := i.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	var once sync.Once
	release := func() { once.Do(func() { i.sem.Release(n) }) }
	stop := context.AfterFunc(ctx, release)
	return func() { stop(); release() }, nil
}
