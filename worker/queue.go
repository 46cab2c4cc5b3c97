// Package worker is crosscast's queue glue over asynq: the Queue the
// application service enqueues through, the Handler that decodes each
// task's payload and calls the service, the isolation of suspect tasks,
// the asynq server set-up, the reconciler loop and the queue's metrics.
// What a task does is the service's (package app); which tasks there are
// is package tasks'.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// QueueConfig holds a queue's parts.
type QueueConfig struct {
	Redis  asynq.RedisConnOpt
	Logger *slog.Logger
	// RenderTimeout is a render task's deadline, in whole seconds; 0
	// means 2 minutes. A render that runs past it twice is given up. Web
	// nodes and workers should agree: the web node sets it when it
	// enqueues.
	RenderTimeout time.Duration
	// MaxRetry bounds retries of a task that fails for a passing reason
	// (the database or Redis away); 0 means 8.
	MaxRetry int
}

// Queue is app.Queue over asynq. It is safe for concurrent use.
type Queue struct {
	client        *asynq.Client
	inspector     *asynq.Inspector
	probe         redis.UniversalClient // for Ping, which needs a context the inspector does not take; nil if the options make another kind
	log           *slog.Logger
	maxRetry      int
	renderTimeout time.Duration // a render task's deadline
}

var _ app.Queue = (*Queue)(nil)

// NewQueue returns a queue over cfg.Redis. Close it to release its
// Redis connections.
func NewQueue(cfg QueueConfig) *Queue {
	q := &Queue{
		client:        asynq.NewClient(cfg.Redis),
		inspector:     asynq.NewInspector(cfg.Redis),
		log:           cfg.Logger,
		maxRetry:      cfg.MaxRetry,
		renderTimeout: cfg.RenderTimeout,
	}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	if q.renderTimeout <= 0 {
		q.renderTimeout = 2 * time.Minute
	}
	q.renderTimeout = max(q.renderTimeout.Truncate(time.Second), time.Second) // asynq counts whole seconds
	if q.maxRetry <= 0 {
		q.maxRetry = 8
	}
	q.probe, _ = cfg.Redis.MakeRedisClient().(redis.UniversalClient)
	return q
}

// Close releases the Redis connections.
func (q *Queue) Close() error {
	err := errors.Join(q.client.Close(), q.inspector.Close())
	if q.probe != nil {
		err = errors.Join(err, q.probe.Close())
	}
	return err
}

// Inspector gives the queue monitor and tests access to Redis.
func (q *Queue) Inspector() *asynq.Inspector { return q.inspector }

// Enqueue adds t with its derived ID; a task with that ID already queued
// counts as enqueued.
func (q *Queue) Enqueue(ctx context.Context, t store.Task) error {
	timeout := q.timeout(t.Type)
	if t.Timeout > 0 {
		timeout = t.Timeout // the task's own (a batch's fits its size)
	}
	opts := []asynq.Option{
		asynq.TaskID(t.ID), asynq.Queue(t.Queue), asynq.Timeout(timeout), asynq.MaxRetry(q.maxRetry),
	}
	if !t.ProcessAt.IsZero() {
		opts = append(opts, asynq.ProcessAt(t.ProcessAt))
	}
	_, err := q.client.EnqueueContext(ctx, asynq.NewTask(t.Type, t.Payload), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", t.ID, err)
	}
	return nil
}

// Delete removes a queued task; a task already gone is fine.
func (q *Queue) Delete(_ context.Context, queue, id string) error {
	err := q.inspector.DeleteTask(queue, id)
	if err != nil && !gone(err) {
		return fmt.Errorf("delete task %s: %w", id, err)
	}
	return nil
}

// gone reports whether err says the task or its queue is not in Redis.
func gone(err error) bool {
	return errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound)
}

// Task reports a task's state; asynq's inspector takes no context.
func (q *Queue) Task(_ context.Context, queue, id string) (app.TaskInfo, error) {
	info, err := q.inspector.GetTaskInfo(queue, id)
	if gone(err) {
		return app.TaskInfo{State: app.TaskGone}, nil
	}
	if err != nil {
		return app.TaskInfo{}, err
	}
	ti := app.TaskInfo{LastErr: info.LastErr}
	switch info.State {
	case asynq.TaskStatePending:
		ti.State = app.TaskPending
	case asynq.TaskStateScheduled:
		ti.State = app.TaskScheduled
	case asynq.TaskStateRetry:
		ti.State = app.TaskRetry
	case asynq.TaskStateActive:
		ti.State = app.TaskActive
	case asynq.TaskStateArchived:
		ti.State = app.TaskArchived
	default:
		ti.State = app.TaskCompleted
	}
	return ti, nil
}

// Orphaned returns the IDs of active tasks, in every queue a worker
// serves, whose worker died holding them.
func (q *Queue) Orphaned(_ context.Context) (map[string]bool, error) {
	orphaned := map[string]bool{}
	for qn := range tasks.Queues() {
		for page := 1; ; page++ {
			ts, err := q.inspector.ListActiveTasks(qn, asynq.Page(page), asynq.PageSize(500))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				if t.IsOrphaned {
					orphaned[t.ID] = true
				}
			}
			if len(ts) < 500 {
				break
			}
		}
	}
	return orphaned, nil
}

// Ping checks Redis answers before ctx ends. asynq's inspector takes no
// context, so the probe uses a go-redis client of its own, made once from
// the same connection options and reused by every probe. That client does
// not honour ctx deadlines on reads either (asynq leaves
// ContextTimeoutEnabled off), so the probe runs aside and Ping returns
// when ctx ends; the probe then ends within its own dial and read
// timeouts.
func (q *Queue) Ping(ctx context.Context) error {
	if q.probe == nil {
		return errors.New("redis: the connection options make no go-redis client to probe with")
	}
	done := make(chan error, 1)
	go func() { done <- q.probe.Ping(ctx).Err() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// timeout bounds one run of a task of the given type: a render may
// resize a dozen large images.
func (q *Queue) timeout(taskType string) time.Duration {
	switch {
	case taskType == tasks.TypeItemRender, taskType == tasks.TypeItemsRender:
		// A fan-out of a bulk re-render renders its channels itself
		// (app.Service.RenderInline), each within a render's deadline;
		// a group hands on what does not fit (app.Service.RenderItems).
		return 4*q.renderTimeout + 30*time.Second
	case strings.HasPrefix(taskType, tasks.TypeRenderPrefix):
		return q.renderTimeout
	default:
		return 5 * time.Minute
	}
}
