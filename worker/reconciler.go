package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/crosscast/crosscast/app"
)

// RunReconciler has svc reconcile the store with the queue at once and
// then every interval until ctx ends. It returns only once the pass
// under way has stopped, so a caller that waits for it may then close
// the store and the queue.
func RunReconciler(ctx context.Context, svc *app.Service, log *slog.Logger, interval, grace time.Duration) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		st, err := svc.Reconcile(ctx, grace)
		if err != nil && ctx.Err() == nil {
			log.Warn("reconcile failed", "err", err)
		} else if st != (app.ReconcileStats{}) {
			log.Info("reconciled", "outbox", st.Outbox, "lost", st.Lost, "orphaned", st.Orphaned, "failed", st.Failed, "indexes", st.Indexes, "publish", st.Publish, "garbage", st.Garbage)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
