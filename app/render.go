package app

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// FanOut enqueues one render task per unfinished rendering of the
// version, each with its derived ID, so running the fan-out twice
// enqueues nothing new. Renderings of a bulk re-render (the low queue)
// that this worker can run are returned instead, for RenderInline to
// run in the fan-out's own task: a brand change then costs one task per
// item, not one per channel. A rendering whose earlier run never ended
// still gets its own task, which the worker runs alone.
func (s *Service) FanOut(ctx context.Context, pl tasks.ItemRenderPayload) ([]tasks.RenderPayload, error) {
	rs, err := s.db.Renderings(ctx, pl.ItemID, pl.Version)
	if err != nil {
		return nil, err
	}
	var inline []tasks.RenderPayload
	var errs []error
	for _, r := range rs {
		if r.Final() || r.BrandHash != pl.BrandHash {
			continue
		}
		if r.Queue == tasks.QueueLow && r.Unended() == 0 && s.RendersChannel(r.Channel) {
			inline = append(inline, renderPayload(r))
			continue
		}
		if err := s.enqueueRender(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	return inline, errors.Join(errs...)
}

// RenderItems runs an items:render task: each item version of a brand
// change's group in turn, as an item:render task would (FanOut, then
// RenderInline). Once the task is cancelled, near its deadline or past
// itemsBudget, the item versions left are handed to their own
// item:render tasks on queue, so one group holds a worker for about
// that long however slow its items are. An item that fails (the store
// or the queue away) is handed on the same way, to be retried by its
// own task: the group itself is retried only if handing on fails, so a
// retry never renders what another task has taken over.
func (s *Service) RenderItems(ctx context.Context, pl tasks.ItemsRenderPayload, queue string, perRender time.Duration, turn func(context.Context) (func(), error)) error {
	began := time.Now()
	var handOn []tasks.ItemRef
	for i, it := range pl.Items {
		dl, ok := ctx.Deadline()
		if i > 0 && (ctx.Err() != nil || time.Since(began) > itemsBudget || ok && time.Until(dl) < perRender+inlineMargin) {
			s.log.Info("item versions handed to their own tasks", "from", it.ItemID, "n", len(pl.Items)-i)
			handOn = append(handOn, pl.Items[i:]...)
			break
		}
		ipl := tasks.ItemRenderPayload{ItemID: it.ItemID, Version: it.Version, BrandHash: pl.BrandHash}
		inline, err := s.FanOut(ctx, ipl)
		if err == nil {
			err = s.RenderInline(ctx, inline, perRender, turn)
		}
		if err != nil {
			s.log.Warn("rendering in a group failed; the item goes to its own task", "item", it.ItemID, "version", it.Version, "err", err)
			handOn = append(handOn, it)
		}
	}
	return s.handItemsOn(context.WithoutCancel(ctx), pl.BrandHash, handOn, queue)
}

// itemsBudget is about how long an items:render task renders before it
// hands the rest of its group on: long enough that a group of quick
// items is one task, short enough that a burst of fresh submissions
// (on a queue served first) finds a worker soon.
const itemsBudget = 2 * time.Second

// handItemsOn enqueues an item:render task for each item version, the
// one the reconciler checks before taking a rendering for lost.
func (s *Service) handItemsOn(ctx context.Context, hash string, items []tasks.ItemRef, queue string) error {
	var errs []error
	for _, it := range items {
		t, err := tasks.NewItemRenderTask(tasks.ItemRenderPayload{ItemID: it.ItemID, Version: it.Version, BrandHash: hash}, queue)
		if err == nil {
			err = s.queue.Enqueue(ctx, t)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) enqueueRender(ctx context.Context, r store.Rendering) error {
	task, err := tasks.NewRenderTask(renderPayload(r), r.Queue, r.TaskID)
	if err != nil {
		return err
	}
	return s.queue.Enqueue(ctx, task)
}

// RenderInline runs renderings of one version made by one brand version
// (from FanOut) one after another in the calling task: the version,
// brand and item are loaded once, each rendering's start is recorded
// just before it runs, and the results are recorded together in one
// transaction, each as FinishRendering would in turn. Each runs under
// its own deadline of perRender; one that has not that much of the
// task's time left, or finds the task stopping (a shutdown), is handed
// with the rest to its own render task without being started. One that
// fails for a reason worth a retry (its deadline, the store away) is
// handed on the same way after its run is recorded as ended, so its own
// task's retries and deadline rules (RenderFailed) apply as they would
// have; a permanent failure is recorded as Render records it and the
// rest go on. A worker killed meanwhile leaves the renderings it started
// with a run that never ended, so each runs alone in its own task next.
//
// turn, when not nil, is taken before each rendering and given back
// after it (the worker's share of the process), so a suspect waiting to
// run alone waits for one rendering, not for the whole task.
func (s *Service) RenderInline(ctx context.Context, pls []tasks.RenderPayload, perRender time.Duration, turn func(context.Context) (func(), error)) error {
	if len(pls) == 0 {
		return nil
	}
	hash := pls[0].BrandHash
	keep := context.WithoutCancel(ctx)
	var cache *loaded
	var results []store.Result
	rest := len(pls) // the first one handed on, if any
	var failed error // why the one at rest failed, if it ran
	for i, pl := range pls {
		leave := func() {}
		if turn != nil {
			var err error
			if leave, err = turn(ctx); err != nil {
				rest, failed = i, err // stopping
				break
			}
		}
		if dl, ok := ctx.Deadline(); ctx.Err() != nil || ok && time.Until(dl) < perRender+inlineMargin {
			leave()
			rest = i
			break
		}
		k := store.RenderKey{ItemID: pl.ItemID, Version: pl.Version, Channel: pl.Channel}
		start, err := s.db.StartRendering(ctx, k, hash)
		if err != nil {
			leave()
			rest, failed = i, err
			break
		}
		switch start {
		case store.StartSkip:
			leave()
			continue
		case store.StartGiveUp:
			leave()
			s.giveUp(ctx, k, hash, store.DiedError)
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, perRender)
		began := time.Now()
		out, err := s.render(rctx, s.renderers[pl.Channel], pl, &cache)
		timedOut := rctx.Err() != nil
		cancel()
		leave()
		res := store.RenderResult{Duration: time.Since(began)}
		var ie inputError
		switch {
		case err != nil && (timedOut || !errors.As(err, &ie)):
			// Its run ended without a result: its own task is not a suspect.
			if eerr := s.db.EndRendering(keep, k); eerr != nil {
				s.log.Warn("recording the end of a run failed", "item", k.ItemID, "channel", k.Channel, "err", eerr)
			}
			rest, failed = i, err
		case err != nil:
			s.log.Warn("rendering failed", "item", pl.ItemID, "version", pl.Version, "channel", pl.Channel, "err", ie.err)
			res.Err, res.Warnings = ie.err.Error(), diagnostics(ie.err)
		default:
			res.Warnings, res.Metrics = out.Warnings, out.Metrics
			for _, f := range out.Files {
				res.Files = append(res.Files, store.FileData{Name: f.Name, MediaType: f.MediaType, Data: f.Data})
			}
		}
		if rest < len(pls) {
			break
		}
		results = append(results, store.Result{Key: k, RenderResult: res})
	}
	if rest < len(pls) {
		s.log.Info("renderings handed to their own tasks", "item", pls[rest].ItemID, "version", pls[rest].Version,
			"from", pls[rest].Channel, "n", len(pls)-rest, "err", failed)
	}
	if err := s.finishInline(keep, hash, results, cache); err != nil {
		return err
	}
	if rest < len(pls) {
		return s.enqueueRest(keep, pls[rest:])
	}
	return nil
}

// finishInline records an inline task's results in one transaction,
// even when the task is being stopped (what was rendered is kept), and
// dispatches what that finished. If the store refuses, the runs end
// without a result and the error is returned, for the task to retry.
func (s *Service) finishInline(ctx context.Context, hash string, results []store.Result, l *loaded) error {
	if len(results) == 0 {
		return nil
	}
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	fins, err := s.db.FinishRenderings(fctx, hash, results, s.indexPlan())
	if err != nil {
		for _, r := range results {
			if eerr := s.db.EndRendering(ctx, r.Key); eerr != nil {
				s.log.Warn("recording the end of a run failed", "item", r.Key.ItemID, "channel", r.Key.Channel, "err", eerr)
			}
		}
		return err
	}
	for i, fin := range fins {
		r := results[i]
		status := store.StatusRendered
		if r.Err != "" {
			status = store.StatusFailed
		}
		s.metrics.observe(r.Key.Channel, status, r.Duration)
		if fin.Recorded {
			s.log.Info("rendered", "item", r.Key.ItemID, "version", r.Key.Version, "channel", r.Key.Channel,
				"ms", r.Duration.Milliseconds(), "files", len(r.Files), "inline", true, "version_status", fin.VersionStatus)
		}
		s.dispatchAfter(ctx, r.Key, fin, l)
	}
	return nil
}

// inlineMargin is the part of an inline task's time kept for recording
// its results and handing the rest on to their own tasks.
const inlineMargin = 5 * time.Second

// enqueueRest enqueues each rendering's own task.
func (s *Service) enqueueRest(ctx context.Context, pls []tasks.RenderPayload) error {
	var errs []error
	for _, pl := range pls {
		r, err := s.db.Rendering(ctx, store.RenderKey{ItemID: pl.ItemID, Version: pl.Version, Channel: pl.Channel})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r.Final() || r.BrandHash != pl.BrandHash {
			continue
		}
		if err := s.enqueueRender(ctx, *r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// renderPayload asks for rendering r.
func renderPayload(r store.Rendering) tasks.RenderPayload {
	return tasks.RenderPayload{ItemID: r.ItemID, Version: r.Version, Channel: r.Channel, BrandHash: r.BrandHash}
}

// RendersChannel reports whether this service renders channel.
func (s *Service) RendersChannel(channel string) bool {
	_, ok := s.renderers[channel]
	return ok
}

// RenderSuspect reports whether a run of the rendering started and never
// ended (its process died), so the caller runs it alone.
func (s *Service) RenderSuspect(ctx context.Context, pl tasks.RenderPayload) (int, error) {
	prev, err := s.db.Rendering(ctx, store.RenderKey{ItemID: pl.ItemID, Version: pl.Version, Channel: pl.Channel})
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return prev.Unended(), nil
}

// Render makes one channel's rendering and records it. The store
// decides whether there is anything to do, so a task that runs twice
// (a retry after a crash, a reconciler's replacement) records once. A
// failure retrying cannot fix is permanent (IsPermanent); any other
// error is worth a retry.
func (s *Service) Render(ctx context.Context, pl tasks.RenderPayload) error {
	log := s.log.With("item", pl.ItemID, "version", pl.Version, "channel", pl.Channel)
	k := store.RenderKey{ItemID: pl.ItemID, Version: pl.Version, Channel: pl.Channel}
	r, ok := s.renderers[pl.Channel]
	if !ok {
		// A worker built without this channel; another worker may have it.
		return fmt.Errorf("this worker does not render channel %q", pl.Channel)
	}
	start, err := s.db.StartRendering(ctx, k, pl.BrandHash)
	if err != nil {
		return err
	}
	switch start {
	case store.StartSkip:
		log.Debug("nothing to do: already final or superseded")
		return nil
	case store.StartGiveUp:
		s.giveUp(ctx, k, pl.BrandHash, store.DiedError)
		return permanent(errors.New(store.DiedError))
	}
	// Whatever happens now short of the process dying (a result, an
	// error to retry, a panic the queue recovers), the run's end is
	// recorded: FinishRendering does it with a result, EndRendering
	// without.
	recorded := false
	defer func() {
		if !recorded {
			if err := s.db.EndRendering(context.WithoutCancel(ctx), k); err != nil {
				log.Warn("recording the end of a run failed", "err", err)
			}
		}
	}()
	began := time.Now()
	var cache *loaded
	out, err := s.render(ctx, r, pl, &cache)
	dur := time.Since(began)
	if err != nil {
		if ctx.Err() != nil {
			// Timed out or shutting down: retry (RenderFailed decides
			// whether a deadline is worth another).
			return fmt.Errorf("%s: %w", k, ctx.Err())
		}
		var ie inputError
		if !errors.As(err, &ie) {
			return err // the store or Redis away: retry
		}
		log.Warn("rendering failed", "err", ie.err)
		s.metrics.observe(pl.Channel, store.StatusFailed, dur)
		fin, ferr := s.db.FinishRendering(ctx, k, pl.BrandHash, store.RenderResult{Err: ie.err.Error(), Warnings: diagnostics(ie.err), Duration: dur}, s.indexPlan())
		if ferr != nil {
			return ferr
		}
		recorded = true
		s.dispatchAfter(ctx, k, fin, cache)
		return permanent(ie.err)
	}
	res := store.RenderResult{Warnings: out.Warnings, Metrics: out.Metrics, Duration: dur}
	for _, f := range out.Files {
		res.Files = append(res.Files, store.FileData{Name: f.Name, MediaType: f.MediaType, Data: f.Data})
	}
	fin, err := s.db.FinishRendering(ctx, k, pl.BrandHash, res, s.indexPlan())
	if err != nil {
		return err
	}
	recorded = true
	s.dispatchAfter(ctx, k, fin, cache)
	s.metrics.observe(pl.Channel, store.StatusRendered, dur)
	log.Info("rendered", "ms", dur.Milliseconds(), "files", len(out.Files), "recorded", fin.Recorded, "version_status", fin.VersionStatus)
	return nil
}

// dispatchAfter enqueues what a finished rendering committed to the
// outbox (an index build); a failure leaves it to the reconciler.
func (s *Service) dispatchAfter(ctx context.Context, k store.RenderKey, fin *store.Finished, l *loaded) {
	if err := s.Dispatch(ctx, fin.Outbox); err != nil {
		s.log.Warn("enqueue after render failed; the reconciler will retry", "err", err)
	}
	if fin.Recorded && fin.VersionStatus == store.StatusRendered {
		s.autoPublish(ctx, k.ItemID, k.Version, l)
	}
}

// inputError is a failure caused by the item or brand, which retrying
// cannot fix.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// loaded is what every channel of one version renders from.
type loaded struct {
	v     *store.Version
	brand *content.Brand
	it    *content.Item
	// The item's digest run, once looked up (by the email channel or
	// by auto-publishing): most items are not a digest's.
	digest     *store.DigestRun
	digestErr  error
	digestDone bool
}

// digestRun returns the digest run whose email the item is, or an error
// wrapping store.ErrNotFound, looking it up once per load.
func (l *loaded) digestRun(ctx context.Context, db *store.DB, itemID string) (*store.DigestRun, error) {
	if !l.digestDone {
		l.digest, l.digestErr = db.DigestByItem(ctx, itemID)
		l.digestDone = l.digestErr == nil || errors.Is(l.digestErr, store.ErrNotFound)
	}
	return l.digest, l.digestErr
}

// load reads the version and its brand from the store and parses the
// item, as it was validated when submitted.
func (s *Service) load(ctx context.Context, pl tasks.RenderPayload) (*loaded, error) {
	v, err := s.db.Version(ctx, pl.ItemID, pl.Version)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, inputError{err}
		}
		return nil, err
	}
	brand, err := s.brands.Load(ctx, v.Brand, pl.BrandHash)
	if err != nil {
		var ce content.Errors
		if errors.As(err, &ce) || errors.Is(err, store.ErrNotFound) {
			return nil, inputError{err}
		}
		return nil, err
	}
	it, err := s.loadItem(ctx, v, brand)
	if err != nil {
		return nil, err
	}
	return &loaded{v: v, brand: brand, it: it}, nil
}

// render renders one channel from *cache, loading it first when empty.
// Renderers only read their input, so channels of one version share it.
func (s *Service) render(ctx context.Context, r renderers.Renderer, pl tasks.RenderPayload, cache **loaded) (*renderers.Output, error) {
	if *cache == nil {
		l, err := s.load(ctx, pl)
		if err != nil {
			return nil, err
		}
		*cache = l
	}
	it, brand := (*cache).it, (*cache).brand
	if pl.Channel == content.ChanEmail {
		// A digest's item has the digest for its email.
		if out, ok, err := s.renderDigest(ctx, *cache, pl.ItemID); ok {
			return out, err
		}
	}
	links := s.linkPlan(it, brand)
	// Links a published rendering carries itself (the print QR code,
	// the portal's share buttons) are tracked; stored before the
	// rendering is, so no published /r/ code is unknown.
	tr := &tracker{db: s.db, base: s.publicURL, item: pl.ItemID, version: pl.Version, plan: links}
	if s.publicURL != "" {
		links.Track = tr.For
	}
	out, err := safeRender(ctx, r, renderers.Input{Item: it, Brand: brand, Links: links})
	if err != nil {
		return nil, inputError{err}
	}
	if err := tr.Save(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// loadItem parses a stored version again, with its assets, exactly as it
// was validated when submitted.
func (s *Service) loadItem(ctx context.Context, v *store.Version, brand *content.Brand) (*content.Item, error) {
	files := memfs.FS{v.Path: v.Source}
	for name, sha := range v.Assets {
		data, err := s.db.Blob(ctx, sha)
		if err != nil {
			return nil, err
		}
		files[name] = data
	}
	it, err := content.ParseBytes(files, v.Path, v.Source, content.ParseOptions{Compat: v.Compat, DefaultLang: brand.Lang, StoredAssets: true, AssetHashes: v.Assets, Shortcodes: brand.CompatShortcodes, Brand: brand})
	if err != nil {
		return nil, inputError{err}
	}
	return it, nil
}

// safeRender turns a renderer panic into an error, so one bad item fails
// its rendering instead of the worker.
func safeRender(ctx context.Context, r renderers.Renderer, in renderers.Input) (out *renderers.Output, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in the %s renderer (please report it): %v\n%s", r.Channel(), p, debug.Stack())
		}
	}()
	return r.Render(ctx, in)
}

// diagnostics extracts positioned errors for the rendering's record.
func diagnostics(err error) []content.Diagnostic {
	var ce content.Errors
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

// RenderFailed runs when a render task's run failed with err, a failure
// worth a retry: retried is how many retries it has had of maxRetry, and
// timeout its deadline. A render that ran past its deadline is given up
// after maxTimedOut starts (running it again would most likely only use
// the same CPU for as long again); one that used its last retry is
// marked failed with the error. Either way the item does not sit in
// "rendering" and the reconciler does not enqueue it forever.
func (s *Service) RenderFailed(ctx context.Context, pl tasks.RenderPayload, err error, retried, maxRetry int, timeout time.Duration) {
	k := store.RenderKey{ItemID: pl.ItemID, Version: pl.Version, Channel: pl.Channel}
	ctx = context.WithoutCancel(ctx)
	typ := tasks.TypeRenderPrefix + pl.Channel
	msg := ""
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		r, rerr := s.db.Rendering(ctx, k)
		if rerr != nil {
			s.log.Warn("task failed", "type", typ, "retried", retried, "err", err, "lookup_err", rerr)
			return
		}
		if r.Attempts >= maxTimedOut || retried >= maxRetry {
			msg = fmt.Sprintf("rendering took longer than %s", timeout)
		}
	case retried >= maxRetry:
		msg = fmt.Sprintf("gave up after %d retries: %v", retried, err)
	}
	if msg == "" {
		s.log.Warn("task failed", "type", typ, "retried", retried, "err", err)
		return
	}
	s.giveUp(ctx, k, pl.BrandHash, msg)
}

// maxTimedOut is how many starts a render that runs past its deadline
// gets: one more than the first, in case the machine was only busy.
const maxTimedOut = 2

// giveUp records a rendering failed with msg without running it (out of
// retries, past its deadline, or its runs killing the worker) and
// dispatches what that finished.
func (s *Service) giveUp(ctx context.Context, k store.RenderKey, brandHash, msg string) {
	ctx = context.WithoutCancel(ctx)
	s.log.Error("rendering given up", "item", k.ItemID, "version", k.Version, "channel", k.Channel, "err", msg)
	fin, err := s.db.FinishRendering(ctx, k, brandHash, store.RenderResult{Err: msg, GivenUp: true}, s.indexPlan())
	if err != nil {
		s.log.Error("recording the failure failed; the reconciler will retry", "err", err)
		return
	}
	if fin.Recorded {
		s.metrics.observe(k.Channel, store.StatusFailed, 0)
	}
	s.dispatchAfter(ctx, k, fin, nil)
}
