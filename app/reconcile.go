package app

import (
	"context"
	"time"

	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
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
	// Experiments are A/B test decisions past due whose task was lost.
	Experiments int
	Digests     int // digest runs planned, or re-enqueued because their task was lost
	Sources     int // source polls that were due and enqueued
}

// Reconcile makes the queue agree with the store once: every outbox row
// is enqueued, and every unfinished rendering whose task is gone (Redis
// lost it) or orphaned (its worker died holding it) gets a replacement
// task; then one bounded pass of garbage collection runs. Only rows
// untouched for grace are considered, so work that is just being
// enqueued is left alone.
func (s *Service) Reconcile(ctx context.Context, grace time.Duration) (ReconcileStats, error) {
	var st ReconcileStats
	cut := time.Now().Add(-grace)
	const batch = 500
	for {
		rows, err := s.db.Outbox(ctx, cut, batch)
		if err != nil {
			return st, err
		}
		if err := s.Dispatch(ctx, rows); err != nil {
			return st, err
		}
		st.Outbox += len(rows)
		s.metrics.reenqueues.WithLabelValues("outbox").Add(float64(len(rows)))
		if len(rows) < batch {
			break
		}
	}

	orphaned, err := s.queue.Orphaned(ctx)
	if err != nil {
		return st, err
	}

	if st.Indexes, err = s.reconcileIndexes(ctx, cut); err != nil {
		return st, err
	}

	if st.Publish, err = s.reconcilePublications(ctx, cut); err != nil {
		return st, err
	}
	if st.Experiments, err = s.reconcileExperiments(ctx, cut); err != nil {
		return st, err
	}

	if st.Digests, err = s.reconcileDigests(ctx, cut, orphaned); err != nil {
		return st, err
	}

	if st.Sources, err = s.reconcileSources(ctx, cut); err != nil {
		return st, err
	}

	rs, err := s.db.UnfinishedRenderings(ctx, cut, 5000)
	if err != nil {
		return st, err
	}
	// The fan-out tasks asked about in this pass: a group's renderings
	// share one.
	fanOuts := map[string]TaskState{}
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return st, err // the queue may not heed ctx: stop between calls
		}
		info, err := s.queue.Task(ctx, r.Queue, r.TaskID)
		reason := ""
		switch {
		case err != nil:
			return st, err
		case info.State == TaskGone:
			if s.fanOutPending(ctx, r, orphaned, fanOuts) {
				continue // the fan-out has not run yet; it will enqueue this
			}
			reason = "lost"
		case info.State == TaskActive && orphaned[r.TaskID]:
			reason = "orphaned"
		case info.State == TaskArchived:
			// Out of retries, and the failure was never recorded (the
			// worker died in the error handler). Record it now.
			s.giveUp(ctx, r.RenderKey, r.BrandHash, "gave up: "+info.LastErr)
			st.Failed++
			continue
		default:
			continue // pending, scheduled, retrying or being worked on
		}
		if r.Unended() >= store.MaxUnended {
			// Its runs keep killing their worker: do not run it again.
			s.giveUp(ctx, r.RenderKey, r.BrandHash, store.DiedError)
			st.Failed++
			continue
		}
		t, err := tasks.NewRenderTask(renderPayload(r), r.Queue, tasks.NextGeneration(r.TaskID, r.Enqueues))
		if err != nil {
			return st, err
		}
		if err := s.queue.Enqueue(ctx, t); err != nil {
			return st, err
		}
		if err := s.db.Reenqueued(ctx, r.RenderKey, t.ID); err != nil {
			return st, err
		}
		s.metrics.reenqueues.WithLabelValues(reason).Inc()
		s.log.Info("re-enqueued", "item", r.ItemID, "version", r.Version, "channel", r.Channel, "reason", reason, "task", t.ID)
		if reason == "lost" {
			st.Lost++
		} else {
			st.Orphaned++
		}
	}
	st.Garbage, err = s.collectGarbage(ctx)
	return st, err
}

// fanOutPending reports whether a task that renders the rendering
// inline is still waiting to run or running: its item's item:render, or
// the brand change's items:render that it records (FanOut). A missing
// render task is then not lost. States are looked up once per pass, in
// seen.
func (s *Service) fanOutPending(ctx context.Context, r store.Rendering, orphaned map[string]bool, seen map[string]TaskState) bool {
	ids := []string{tasks.ItemRenderTaskID(r.ItemID, r.Version, r.BrandHash)}
	if r.FanOut != "" {
		ids = append(ids, r.FanOut)
	}
	for _, id := range ids {
		state, ok := seen[id]
		if !ok {
			info, err := s.queue.Task(ctx, r.Queue, id)
			if err != nil {
				continue
			}
			state = info.State
			seen[id] = state
		}
		switch state {
		case TaskPending, TaskScheduled, TaskRetry:
			return true
		case TaskActive:
			if !orphaned[id] {
				return true
			}
		}
	}
	return false
}
