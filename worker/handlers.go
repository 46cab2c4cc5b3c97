package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/store"
)

// Handler returns the task handler for every task type the pipeline runs.
func (p *Pipeline) Handler() asynq.Handler {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeItemRender, p.handleItemRender)
	for _, ch := range p.Channels() {
		mux.HandleFunc(TypeRenderPrefix+ch, p.handleRender)
	}
	if p.catalog != nil {
		mux.HandleFunc(TypeIndexBuild, p.handleIndexBuild)
	}
	mux.HandleFunc(TypePublishItem, p.handlePublishItem)
	for _, k := range deliveryKinds {
		mux.HandleFunc(TypeDeliverPrefix+k, p.handleDeliver)
	}
	return mux
}

// permanent marks an error retrying cannot fix: the input is bad, or the
// renderer failed on it (rendering is a pure function of its input).
func permanent(err error) error { return fmt.Errorf("%w (%w)", err, asynq.SkipRetry) }

// handleItemRender fans out: one render task per unfinished rendering of
// the version, each with its derived ID, so running the fan-out twice
// enqueues nothing new.
func (p *Pipeline) handleItemRender(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[ItemRenderPayload](t)
	if err != nil {
		return err
	}
	rs, err := p.db.Renderings(ctx, pl.ItemID, pl.Version)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rs {
		if r.Final() || r.BrandHash != pl.BrandHash {
			continue
		}
		task, err := NewRenderTask(renderPayload(r), r.Queue, r.TaskID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := p.enqueue(ctx, task); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// renderPayload asks for rendering r.
func renderPayload(r store.Rendering) RenderPayload {
	return RenderPayload{ItemID: r.ItemID, Version: r.Version, Channel: r.Channel, BrandHash: r.BrandHash}
}

// handleRender makes one channel's rendering and records it. The store
// decides whether there is anything to do, so a task that runs twice
// (a retry after a crash, a reconciler's replacement) records once.
func (p *Pipeline) handleRender(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[RenderPayload](t)
	if err != nil {
		return err
	}
	log := p.log.With("item", pl.ItemID, "version", pl.Version, "channel", pl.Channel)
	k := store.RenderKey{ItemID: pl.ItemID, Version: pl.Version, Channel: pl.Channel}
	r, ok := p.renderers[pl.Channel]
	if !ok {
		// A worker built without this channel; another worker may have it.
		return fmt.Errorf("this worker does not render channel %q", pl.Channel)
	}
	prev, err := p.db.Rendering(ctx, k)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	suspect := prev != nil && prev.Unended() > 0
	if suspect {
		log.Warn("a run of this rendering never ended; running it alone", "unended", prev.Unended())
	}
	leave, err := p.isolation.enter(ctx, suspect)
	if err != nil {
		return err
	}
	defer leave()
	start, err := p.db.StartRendering(ctx, k, pl.BrandHash)
	if err != nil {
		return err
	}
	switch start {
	case store.StartSkip:
		log.Debug("nothing to do: already final or superseded")
		return nil
	case store.StartGiveUp:
		p.giveUp(ctx, k, pl.BrandHash, store.DiedError)
		return permanent(errors.New(store.DiedError))
	}
	// Whatever happens now short of the process dying (a result, an
	// error to retry, a panic asynq recovers), the run's end is recorded:
	// FinishRendering does it with a result, EndRendering without.
	recorded := false
	defer func() {
		if !recorded {
			if err := p.db.EndRendering(context.WithoutCancel(ctx), k); err != nil {
				log.Warn("recording the end of a run failed", "err", err)
			}
		}
	}()
	began := time.Now()
	out, err := p.render(ctx, r, pl)
	dur := time.Since(began)
	if err != nil {
		if ctx.Err() != nil {
			// Timed out or shutting down: retry (onError decides whether
			// a deadline is worth another).
			return fmt.Errorf("%s: %w", k, ctx.Err())
		}
		var ie inputError
		if !errors.As(err, &ie) {
			return err // the store or Redis away: retry
		}
		log.Warn("rendering failed", "err", ie.err)
		p.metrics.observe(pl.Channel, store.StatusFailed, dur)
		fin, ferr := p.db.FinishRendering(ctx, k, pl.BrandHash, store.RenderResult{Err: ie.err.Error(), Warnings: diagnostics(ie.err), Duration: dur}, p.indexPlan())
		if ferr != nil {
			return ferr
		}
		recorded = true
		p.dispatchAfter(ctx, k, fin)
		return permanent(ie.err)
	}
	res := store.RenderResult{Warnings: out.Warnings, Metrics: out.Metrics, Duration: dur}
	for _, f := range out.Files {
		res.Files = append(res.Files, store.FileData{Name: f.Name, MediaType: f.MediaType, Data: f.Data})
	}
	fin, err := p.db.FinishRendering(ctx, k, pl.BrandHash, res, p.indexPlan())
	if err != nil {
		return err
	}
	recorded = true
	p.dispatchAfter(ctx, k, fin)
	p.metrics.observe(pl.Channel, store.StatusRendered, dur)
	log.Info("rendered", "ms", dur.Milliseconds(), "files", len(out.Files), "recorded", fin.Recorded, "version_status", fin.VersionStatus)
	return nil
}

// dispatchAfter enqueues what a finished rendering committed to the
// outbox (an index build); a failure leaves it to the reconciler.
func (p *Pipeline) dispatchAfter(ctx context.Context, k store.RenderKey, fin *store.Finished) {
	if err := p.Dispatch(ctx, fin.Outbox); err != nil {
		p.log.Warn("enqueue after render failed; the reconciler will retry", "err", err)
	}
	if fin.Recorded && fin.VersionStatus == store.StatusRendered {
		p.autoPublish(ctx, k.ItemID, k.Version)
	}
}

// inputError is a failure caused by the item or brand, which retrying
// cannot fix.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// render loads the version and its brand from the store and renders one
// channel.
func (p *Pipeline) render(ctx context.Context, r renderers.Renderer, pl RenderPayload) (*renderers.Output, error) {
	v, err := p.db.Version(ctx, pl.ItemID, pl.Version)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, inputError{err}
		}
		return nil, err
	}
	brand, err := p.brands.Load(ctx, v.Brand, pl.BrandHash)
	if err != nil {
		var ce content.Errors
		if errors.As(err, &ce) || errors.Is(err, store.ErrNotFound) {
			return nil, inputError{err}
		}
		return nil, err
	}
	it, err := p.loadItem(ctx, v, brand)
	if err != nil {
		return nil, err
	}
	out, err := safeRender(ctx, r, renderers.Input{Item: it, Brand: brand, Links: content.NewLinkPlan(it, brand)})
	if err != nil {
		return nil, inputError{err}
	}
	return out, nil
}

// loadItem parses a stored version again, with its assets, exactly as it
// was validated when submitted.
func (p *Pipeline) loadItem(ctx context.Context, v *store.Version, brand *content.Brand) (*content.Item, error) {
	files := memfs.FS{v.Path: v.Source}
	for name, sha := range v.Assets {
		data, err := p.db.Blob(ctx, sha)
		if err != nil {
			return nil, err
		}
		files[name] = data
	}
	it, err := content.ParseBytes(files, v.Path, v.Source, content.ParseOptions{Compat: v.Compat, DefaultLang: brand.Lang, StoredAssets: true, Shortcodes: brand.CompatShortcodes})
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

// onError runs when a task fails. A render that ran past its deadline
// is given up after maxTimedOut starts (running it again would most
// likely only use the same CPU for as long again); one that used its
// last retry is marked failed with the error. Either way the item does
// not sit in "rendering" and the reconciler does not enqueue it forever.
func (p *Pipeline) onError(ctx context.Context, t *asynq.Task, err error) {
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	if errors.Is(err, errBadPayload) {
		p.log.Error("bad task payload", "type", t.Type(), "payload", string(t.Payload()), "err", err)
		return
	}
	pl, derr := decode[RenderPayload](t)
	if !strings.HasPrefix(t.Type(), TypeRenderPrefix) || errors.Is(err, asynq.SkipRetry) || derr != nil {
		p.log.Log(ctx, slog.LevelWarn, "task failed", "type", t.Type(), "retried", retried, "err", err)
		return
	}
	k := store.RenderKey{ItemID: pl.ItemID, Version: pl.Version, Channel: pl.Channel}
	ctx = context.WithoutCancel(ctx)
	msg := ""
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		r, rerr := p.db.Rendering(ctx, k)
		if rerr != nil {
			p.log.Warn("task failed", "type", t.Type(), "retried", retried, "err", err, "lookup_err", rerr)
			return
		}
		if r.Attempts >= maxTimedOut || retried >= maxRetry {
			msg = fmt.Sprintf("rendering took longer than %s", p.timeout(t.Type()))
		}
	case retried >= maxRetry:
		msg = fmt.Sprintf("gave up after %d retries: %v", retried, err)
	}
	if msg == "" {
		p.log.Warn("task failed", "type", t.Type(), "retried", retried, "err", err)
		return
	}
	p.giveUp(ctx, k, pl.BrandHash, msg)
}

// maxTimedOut is how many starts a render that runs past its deadline
// gets: one more than the first, in case the machine was only busy.
const maxTimedOut = 2

// giveUp records a rendering failed with msg without running it (out of
// retries, past its deadline, or its runs killing the worker) and
// dispatches what that finished.
func (p *Pipeline) giveUp(ctx context.Context, k store.RenderKey, brandHash, msg string) {
	ctx = context.WithoutCancel(ctx)
	p.log.Error("rendering given up", "item", k.ItemID, "version", k.Version, "channel", k.Channel, "err", msg)
	fin, err := p.db.FinishRendering(ctx, k, brandHash, store.RenderResult{Err: msg, GivenUp: true}, p.indexPlan())
	if err != nil {
		p.log.Error("recording the failure failed; the reconciler will retry", "err", err)
		return
	}
	if fin.Recorded {
		p.metrics.observe(k.Channel, store.StatusFailed, 0)
	}
	p.dispatchAfter(ctx, k, fin)
}
