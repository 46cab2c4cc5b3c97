package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// planBatches fixes an email delivery's recipients (the target's
// address, or the item's segment of the list, unless rows are there
// already, as an A/B test's are), splits them into batches and queues a
// deliver:batch task for each batch not done. The delivery stays
// sending; the last batch to finish makes it final. Planning again
// (a retry, a reconciled task) finds the same batches.
func (s *Service) planBatches(ctx context.Context, d *store.Delivery, log *slog.Logger) error {
	j, err := s.job(ctx, d, true)
	if err != nil {
		return err
	}
	t := j.Target
	var addrs []string
	if t.To != content.ToSubscribers {
		addrs = []string{t.To}
	}
	var seg *store.Segment
	if rc, ok := j.Recipients.(*recipients); ok && t.To == content.ToSubscribers {
		seg = rc.seg
	}
	if err := s.db.FixRecipients(ctx, d, addrs, seg); err != nil {
		return err
	}
	bs, err := s.db.PlanBatches(ctx, d, publish.BatchSize(t))
	if err != nil {
		return err
	}
	keep := context.WithoutCancel(ctx)
	if err := s.db.DeliveryPlanned(keep, d.Key); err != nil {
		return err
	}
	open := 0
	for _, b := range bs {
		if b.Status == store.BatchDone {
			continue
		}
		open++
		if b.Attempts > 0 {
			// Run before (this is a re-run of the delivery's task after a
			// crash): its own task or continuation holds it, or the
			// reconciler requeues it; queueing the first run again would
			// run it twice at once.
			continue
		}
		if err := s.enqueueBatch(ctx, &b, tasks.DeliverBatchTaskID(d.Key, b.N), time.Time{}); err != nil {
			// The batch is planned: the reconciler queues it.
			log.Warn("batch not queued; the reconciler will", "batch", b.N, "err", err)
		}
	}
	if open == 0 {
		// No recipients, or every batch done before a crash.
		fd, err := s.db.FinishEmptyBatches(keep, d, j.Links.Canonical)
		if err != nil {
			return err
		}
		s.deliveryFinal(fd)
		return nil
	}
	log.Info("planned", "batches", len(bs), "open", open)
	return nil
}

func (s *Service) enqueueBatch(ctx context.Context, b *store.Batch, id string, at time.Time) error {
	t, err := tasks.NewDeliverBatchTask(tasks.DeliverBatchPayload{Key: b.DeliveryKey, Batch: b.N}, b.Size, id)
	if err != nil {
		return err
	}
	t.ProcessAt = at
	return s.queue.Enqueue(ctx, t)
}

// DeliverBatch sends one batch of an email delivery: it claims the
// batch, sends its pending recipients through the target's connection
// pool under the shared rate, and records it done; the last batch
// makes the delivery final. A run near its deadline, or with messages a
// busy server kept refusing (4xx), hands the rest to a new task of the
// batch rather than fail. A temporary failure (the server or Redis
// away) puts the batch back and returns the error, so the task is
// retried; on the last attempt (last) or a permanent one, the batch's
// unsent recipients are recorded failed.
func (s *Service) DeliverBatch(ctx context.Context, key string, n int, last bool) error {
	claim, d, b, err := s.db.ClaimBatch(ctx, key, n)
	if err != nil {
		return err
	}
	switch claim {
	case store.ClaimUnknown:
		s.log.Warn("batch given up: its runs kept killing the worker", "delivery", key, "batch", n)
		return nil
	case store.ClaimDone:
		return nil
	}
	log := s.log.With("delivery", key, "batch", n)
	keep := context.WithoutCancel(ctx)
	began := time.Now()
	res, err := s.sendBatch(ctx, d, b)
	s.metrics.batch(d, res, time.Since(began))
	if err != nil {
		if publish.IsPermanent(err) || last {
			log.Warn("batch failed", "err", err)
			fd, ferr := s.db.FailBatch(keep, d, n, err.Error(), res.url)
			if ferr != nil {
				return errors.Join(err, ferr)
			}
			s.deliveryFinal(fd)
			return permanent(err)
		}
		log.Warn("batch failed; will retry", "err", err, "sent", res.Sent)
		if rerr := s.db.ReleaseBatch(keep, d, n, err.Error()); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	if res.Left > 0 || res.waitUntil != (time.Time{}) {
		// Deadline near, outside the sending window, the warm-up's cap
		// for today used up, or 4xx retries used up: the rest goes in a
		// new task of this batch.
		why := fmt.Sprintf("%d left for the next run", res.Left)
		if err := s.db.ReleaseBatch(keep, d, n, why); err != nil {
			return err
		}
		at := res.waitUntil
		if at.IsZero() {
			if b.Attempts >= maxBatchRuns {
				err := fmt.Errorf("batch %d: %d runs, and a busy server still refused %d messages", n, b.Attempts, res.Left)
				fd, ferr := s.db.FailBatch(keep, d, n, err.Error(), res.url)
				s.deliveryFinal(fd)
				return errors.Join(permanent(err), ferr)
			}
			// A batch refused again and again waits longer each time.
			at = time.Now().Add(min(time.Duration(1<<min(b.Attempts, 9))*time.Second, 5*time.Minute))
		}
		id := tasks.NextGeneration(tasks.DeliverBatchTaskID(key, n), b.Attempts)
		log.Info("batch continues", "left", res.Left, "at", at, "task", id)
		return s.enqueueBatch(keep, b, id, at)
	}
	fd, err := s.db.FinishBatch(keep, d, n, "", res.url)
	if err != nil {
		return err
	}
	s.deliveryFinal(fd)
	if fd.Status == store.DelSending && s.progress.due(key) {
		if _, err := s.DeliveryProgress(keep, fd); err != nil {
			log.Warn("progress", "err", err)
		}
	}
	return nil
}

// maxBatchRuns bounds the runs of one batch that a busy server refuses
// (each continuation waits longer, up to 5 minutes).
const maxBatchRuns = 100

// batchRun is what one run of a batch did.
type batchRun struct {
	publish.BatchResult
	waitUntil time.Time // outside the sending window, or today's warm-up cap used up: run again then
	url       string    // where the email can be read (the delivery's external URL)
}

// sendBatch builds the batch's job and sends it.
func (s *Service) sendBatch(ctx context.Context, d *store.Delivery, b *store.Batch) (batchRun, error) {
	var run batchRun
	j, err := s.job(ctx, d, false)
	if err != nil {
		return run, err
	}
	run.url = j.Links.Canonical
	if at := windowOpens(j.Target.Window, s.now()); !at.IsZero() {
		run.waitUntil = at
		return run, nil
	}
	rs, err := s.db.BatchRecipients(ctx, d, b)
	if err != nil {
		return run, err
	}
	// Under a warm-up schedule the run sends only what today's cap has
	// left; the rest stay pending, counted in Left.
	wd, capped := j.Target.Warmup.On(s.now())
	capped = capped && len(rs) > 0
	key := warmupKey(d.BrandID, j.Target.ID)
	allowed := len(rs)
	if capped {
		if allowed, err = s.allowance.Take(ctx, key, wd.Day, wd.Cap, len(rs)); err != nil {
			return run, fmt.Errorf("warm-up: %w", err)
		}
		allowed = min(max(allowed, 0), len(rs))
		if allowed == 0 {
			run.Left, run.waitUntil = len(rs), wd.Next
			return run, nil
		}
	}
	pb := publish.Batch{Job: j, Ledger: &batchLedger{db: s.db, d: d}, Limiter: s.limiter}
	pb.Recipients = make([]publish.Recipient, allowed)
	for i, r := range rs[:allowed] {
		pb.Recipients[i] = publish.Recipient{Address: r.Address, Status: r.Status, Token: r.Token}
	}
	// Stop claiming with a tenth of the run's time left (at least 10 s):
	// enough for the messages in flight, so the run ends by itself.
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		pb.Stop = dl.Add(-max(left/10, 10*time.Second))
	}
	run.BatchResult, err = s.smtp.SendBatch(ctx, pb)
	if capped {
		// Hand back what the run took but surely did not send: left
		// pending (deadline, 4xx retries used up, an error) or claimed
		// by another run. Failed and unknown ones stay counted, as they
		// may have reached the server. A crash, or a give-back Redis
		// missed, leaves them counted: the day sends fewer, never more.
		unsent := allowed - run.Sent - run.Failed - run.Unknown
		if unsent > 0 {
			gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if gerr := s.allowance.Give(gctx, key, wd.Day, unsent); gerr != nil {
				s.log.Warn("warm-up: unsent messages not given back", "delivery", d.Key, "batch", b.N, "n", unsent, "err", gerr)
			}
			cancel()
		}
		if allowed < len(rs) {
			run.Left += len(rs) - allowed
			// Today's cap is used up: the rest wait for tomorrow's. A run
			// that left some of its own share goes on soon instead, and
			// takes what is left then.
			if unsent == 0 {
				run.waitUntil = wd.Next
			}
		}
	}
	return run, err
}

// warmupKey names a target's daily count: the same key as its rate.
func warmupKey(brand, target string) string { return "smtp:" + brand + "/" + target }

// windowOpens returns when the sending window w next opens if now is
// outside it, else the zero time.
func windowOpens(w string, now time.Time) time.Time {
	from, to, err := content.ParseWindow(w)
	if err != nil || from == to {
		return time.Time{}
	}
	now = now.UTC()
	m := now.Hour()*60 + now.Minute()
	inside := from < to && m >= from && m < to || from > to && (m >= from || m < to)
	if inside {
		return time.Time{}
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	at := day.Add(time.Duration(from) * time.Minute)
	if !at.After(now) {
		at = at.Add(24 * time.Hour)
	}
	return at
}

// batchLedger is a batch's recipients in the store. The steps of the
// batch's senders are written together: whoever finds no write under
// way writes every step queued meanwhile in one transaction, so the
// ledger commits once per round of messages, not once per message,
// while each claim is still committed before its message goes out.
type batchLedger struct {
	db *store.DB
	d  *store.Delivery

	mu       sync.Mutex
	queued   []*ledgerStep
	flushing bool
}

type ledgerStep struct {
	step    store.Step
	claimed bool
	err     error
	done    chan struct{}
}

func (l *batchLedger) Step(ctx context.Context, done *publish.Outcome, next string) (bool, error) {
	st := &ledgerStep{step: store.Step{Next: next}, done: make(chan struct{})}
	if done != nil {
		st.step.Done = &store.Outcome{Address: done.Address, Status: done.Status, ExternalID: done.MessageID, Error: done.Error}
	}
	l.mu.Lock()
	l.queued = append(l.queued, st)
	if l.flushing {
		l.mu.Unlock()
		// Wait even past ctx's end: a claim made for us must be known,
		// or its recipient would be left sending (unknown) unsent.
		<-st.done
		return st.claimed, st.err
	}
	l.flushing = true
	for len(l.queued) > 0 {
		group := l.queued
		l.queued = nil
		l.mu.Unlock()
		steps := make([]store.Step, len(group))
		for i, g := range group {
			steps[i] = g.step
		}
		// Others' outcomes ride on this write: it is not cut short by
		// this sender's deadline.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		claimed, err := l.db.StepRecipients(wctx, l.d, steps)
		cancel()
		for i, g := range group {
			g.err = err
			if err == nil {
				g.claimed = claimed[i]
			}
			close(g.done)
		}
		l.mu.Lock()
	}
	l.flushing = false
	l.mu.Unlock()
	return st.claimed, st.err
}

// deliveryFinal counts a delivery that has just become final, and
// drops its progress gauges.
func (s *Service) deliveryFinal(d *store.Delivery) {
	if d == nil || d.Status == store.DelSending {
		return
	}
	s.metrics.observe("deliver:"+d.Kind, d.Status, 0)
	s.progress.drop(s.metrics, d.Key)
}

// DeliveryProgress reports where an email delivery stands (for the item
// page and the metrics).
func (s *Service) DeliveryProgress(ctx context.Context, d *store.Delivery) (store.Progress, error) {
	p, err := s.db.DeliveryProgress(ctx, d)
	if err == nil && d.Status == store.DelSending {
		s.metrics.setProgress(d.Key, p)
	}
	return p, err
}

// reconcileBatches queues again the batches of sending deliveries whose
// task is gone (Redis lost it, or a worker died between putting a batch
// back and queuing its continuation).
func (s *Service) reconcileBatches(ctx context.Context, cut time.Time) (int, error) {
	s.progress.sweep(s.metrics)
	bs, err := s.db.StalledBatches(ctx, cut, 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range bs {
		// The batch's task is its first (no run yet), the run that
		// claimed it last (~attempts), or that run's continuation.
		base := tasks.DeliverBatchTaskID(b.DeliveryKey, b.N)
		gone := true
		for _, id := range []string{base, tasks.NextGeneration(base, b.Attempts-1), tasks.NextGeneration(base, b.Attempts)} {
			info, err := s.queue.Task(ctx, tasks.QueueDefault, id)
			if err != nil {
				return n, err
			}
			if info.State != TaskGone && info.State != TaskCompleted && info.State != TaskArchived {
				gone = false
			}
		}
		if !gone {
			continue
		}
		if b.Status == store.DelSending && b.Attempts-b.Ended >= store.MaxUnended {
			// Its runs keep killing their worker: the claim gives it up.
			if _, _, _, err := s.db.ClaimBatch(ctx, b.DeliveryKey, b.N); err != nil {
				return n, err
			}
			continue
		}
		if err := s.enqueueBatch(ctx, &b, tasks.NextGeneration(base, b.Attempts), time.Time{}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// progressGauges throttles the per-delivery progress gauges: counting a
// long list's recipients costs a scan, so at most every progressEvery.
type progressGauges struct {
	mu   sync.Mutex
	last map[string]time.Time
}

const progressEvery = 5 * time.Second

// progressStale is how long a delivery's gauges stay after this process
// last set them: the delivery may have ended in another process, or been
// given up, and a series per delivery must not outlive its sending.
const progressStale = 2 * time.Minute

func (g *progressGauges) due(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last == nil {
		g.last = map[string]time.Time{}
	}
	if _, ok := g.last[key]; !ok && len(g.last) >= 1000 {
		// Far more deliveries under way than a process sends at once:
		// report the ones it has.
		return false
	}
	if time.Since(g.last[key]) < progressEvery {
		return false
	}
	g.last[key] = time.Now()
	return true
}

// sweep drops the gauges of deliveries this process has not updated for
// progressStale; the reconciler calls it every pass.
func (g *progressGauges) sweep(m *Metrics) {
	g.mu.Lock()
	var stale []string
	for k, t := range g.last {
		if time.Since(t) > progressStale {
			stale = append(stale, k)
		}
	}
	g.mu.Unlock()
	for _, k := range stale {
		g.drop(m, k)
	}
}

func (g *progressGauges) drop(m *Metrics, key string) {
	g.mu.Lock()
	delete(g.last, key)
	g.mu.Unlock()
	m.dropProgress(key)
}
