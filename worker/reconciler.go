package worker

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/store"
)

// ReconcileStats counts what one reconciler pass did.
type ReconcileStats struct {
	Outbox   int // outbox rows enqueued
	Lost     int // unfinished renderings whose task Redis no longer had
	Orphaned int // unfinished renderings whose task a dead worker held
	Failed   int // unfinished renderings given up: out of retries, or their runs kept killing the worker
	Indexes  int // brand index builds that were due and had no task
	Publish  int // publications and deliveries whose task was lost
	Garbage  int // blobs and derivatives garbage collection deleted
}

// Reconcile makes Redis agree with the store once: every outbox row is
// enqueued, and every unfinished rendering whose task is gone (Redis
// lost it) or orphaned (its worker died holding it) gets a replacement
// task. Only rows untouched for grace are considered, so work that is
// just being enqueued is left alone.
func (p *Pipeline) Reconcile(ctx context.Context, grace time.Duration) (ReconcileStats, error) {
	var st ReconcileStats
	cut := time.Now().Add(-grace)
	const batch = 500
	for {
		rows, err := p.db.Outbox(ctx, cut, batch)
		if err != nil {
			return st, err
		}
		if err := p.Dispatch(ctx, rows); err != nil {
			return st, err
		}
		st.Outbox += len(rows)
		p.metrics.reenqueues.WithLabelValues("outbox").Add(float64(len(rows)))
		if len(rows) < batch {
			break
		}
	}

	orphaned := map[string]bool{}
	for q := range Queues() {
		for page := 1; ; page++ {
			tasks, err := p.inspector.ListActiveTasks(q, asynq.Page(page), asynq.PageSize(500))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return st, err
			}
			for _, t := range tasks {
				if t.IsOrphaned {
					orphaned[t.ID] = true
				}
			}
			if len(tasks) < 500 {
				break
			}
		}
	}

	var err error
	if st.Indexes, err = p.reconcileIndexes(ctx, cut); err != nil {
		return st, err
	}

	if st.Publish, err = p.reconcilePublications(ctx, cut); err != nil {
		return st, err
	}

	rs, err := p.db.UnfinishedRenderings(ctx, cut, 5000)
	if err != nil {
		return st, err
	}
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return st, err // the inspector takes no context: stop between calls
		}
		info, err := p.inspector.GetTaskInfo(r.Queue, r.TaskID)
		reason := ""
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
			if p.fanOutPending(r, orphaned) {
				continue // the fan-out has not run yet; it will enqueue this
			}
			reason = "lost"
		case err != nil:
			return st, err
		case info.State == asynq.TaskStateActive && orphaned[r.TaskID]:
			reason = "orphaned"
		case info.State == asynq.TaskStateArchived:
			// Out of retries, and the failure was never recorded (the
			// worker died in the error handler). Record it now.
			p.giveUp(ctx, r.RenderKey, r.BrandHash, "gave up: "+info.LastErr)
			st.Failed++
			continue
		default:
			continue // pending, scheduled, retrying or being worked on
		}
		if r.Unended() >= store.MaxUnended {
			// Its runs keep killing their worker: do not run it again.
			p.giveUp(ctx, r.RenderKey, r.BrandHash, store.DiedError)
			st.Failed++
			continue
		}
		t, err := NewRenderTask(renderPayload(r), r.Queue, nextGeneration(r.TaskID, r.Enqueues))
		if err != nil {
			return st, err
		}
		if err := p.enqueue(ctx, t); err != nil {
			return st, err
		}
		if err := p.db.Reenqueued(ctx, r.RenderKey, t.ID); err != nil {
			return st, err
		}
		p.metrics.reenqueues.WithLabelValues(reason).Inc()
		p.log.Info("re-enqueued", "item", r.ItemID, "version", r.Version, "channel", r.Channel, "reason", reason, "task", t.ID)
		if reason == "lost" {
			st.Lost++
		} else {
			st.Orphaned++
		}
	}
	st.Garbage, err = p.collectGarbage(ctx)
	return st, err
}

// RunReconciler reconciles at once and then every interval until ctx
// ends. It returns only once the pass under way has stopped, so a caller
// that waits for it may then close the store and the pipeline.
func (p *Pipeline) RunReconciler(ctx context.Context, interval, grace time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		st, err := p.Reconcile(ctx, grace)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("reconcile failed", "err", err)
		} else if st != (ReconcileStats{}) {
			p.log.Info("reconciled", "outbox", st.Outbox, "lost", st.Lost, "orphaned", st.Orphaned, "failed", st.Failed, "indexes", st.Indexes, "publish", st.Publish, "garbage", st.Garbage)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// fanOutPending reports whether the version's item:render task is still
// waiting to run, in which case a missing render task is not lost.
func (p *Pipeline) fanOutPending(r store.Rendering, orphaned map[string]bool) bool {
	id := ItemRenderTaskID(r.ItemID, r.Version, r.BrandHash)
	info, err := p.inspector.GetTaskInfo(r.Queue, id)
	if err != nil {
		return false
	}
	switch info.State {
	case asynq.TaskStatePending, asynq.TaskStateScheduled, asynq.TaskStateRetry:
		return true
	case asynq.TaskStateActive:
		return !orphaned[id]
	}
	return false
}
