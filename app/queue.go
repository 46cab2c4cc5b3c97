package app

import (
	"context"

	"github.com/crosscast/crosscast/store"
)

// Queue is what the service needs of the task queue. The worker package
// implements it over asynq; the store's outbox, not the queue, is the
// record of work to do, so every method may fail and the reconciler
// puts right what a failure left.
type Queue interface {
	// Enqueue adds t, to run at t.ProcessAt when that is set. A task
	// with t's ID already queued counts as enqueued.
	Enqueue(ctx context.Context, t store.Task) error
	// Delete removes a queued task; one already gone is not an error.
	Delete(ctx context.Context, queue, id string) error
	// Task reports the state of a task; a task the queue does not hold
	// is TaskGone, not an error.
	Task(ctx context.Context, queue, id string) (TaskInfo, error)
	// Orphaned returns the IDs of running tasks whose worker died
	// holding them.
	Orphaned(ctx context.Context) (map[string]bool, error)
	// Ping checks the queue answers before ctx ends.
	Ping(ctx context.Context) error
}

// TaskState is where a task is in the queue.
type TaskState int

// Task states. A task the queue no longer holds (done, deleted, or lost
// with Redis) is TaskGone.
const (
	TaskGone TaskState = iota
	TaskPending
	TaskScheduled
	TaskRetry
	TaskActive
	TaskArchived // out of retries, or failed for good
	TaskCompleted
)

// TaskInfo is what the queue knows of one task.
type TaskInfo struct {
	State   TaskState
	LastErr string // the last run's error
}
