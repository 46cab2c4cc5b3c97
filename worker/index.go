package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/store"
)

// indexDebounce delays a build a little so a burst of finished items
// (a bulk re-render) coalesces into a few builds.
const indexDebounce = 500 * time.Millisecond

// indexPlan returns the store's hook for planning index builds, or nil
// when this pipeline has no catalog channel.
func (p *Pipeline) indexPlan() store.IndexPlanFunc {
	if p.catalog == nil {
		return nil
	}
	return func(brand string, gen int) (store.Task, error) {
		return NewIndexBuildTask(IndexBuildPayload{Brand: brand, Gen: gen}, time.Now().Add(indexDebounce))
	}
}

// handleIndexBuild builds a brand's index from its items' catalog
// entries, unless a later build already covers this change. Only that
// brand's index is touched.
func (p *Pipeline) handleIndexBuild(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[IndexBuildPayload](t)
	if err != nil {
		return err
	}
	bi, err := p.db.BrandIndex(ctx, pl.Brand)
	if err != nil {
		return err
	}
	if bi.Built >= pl.Gen {
		return nil // a later build covered this change
	}
	gen := bi.Wanted // build for every change recorded so far
	began := time.Now()
	files, buildErr := p.buildIndex(ctx, pl.Brand)
	if buildErr != nil && ctx.Err() != nil {
		return buildErr
	}
	var ie inputError
	if buildErr != nil && !errors.As(buildErr, &ie) {
		return buildErr
	}
	msg := ""
	if buildErr != nil {
		msg = buildErr.Error()
	}
	stored, err := p.db.FinishIndex(ctx, pl.Brand, gen, files, msg)
	if err != nil {
		return err
	}
	status := store.StatusRendered
	if msg != "" {
		status = store.StatusFailed
	}
	p.metrics.observe("index", status, time.Since(began))
	p.log.Info("index built", "brand", pl.Brand, "change", gen, "files", len(files), "stored", stored, "ms", time.Since(began).Milliseconds(), "err", msg)
	if msg != "" {
		return permanent(buildErr)
	}
	return nil
}

func (p *Pipeline) buildIndex(ctx context.Context, brandID string) ([]store.FileData, error) {
	raw, err := p.db.ItemFiles(ctx, brandID, catalog.Channel, catalog.EntryFile)
	if err != nil {
		return nil, err
	}
	brand, _, err := p.brands.Current(ctx, brandID)
	if err != nil {
		return nil, err
	}
	entries := make([]catalog.Entry, 0, len(raw))
	for _, id := range slices.Sorted(maps.Keys(raw)) {
		var e catalog.Entry
		if err := json.Unmarshal(raw[id], &e); err != nil {
			return nil, inputError{fmt.Errorf("item %s: catalog entry: %w", id, err)}
		}
		entries = append(entries, e)
	}
	out, err := p.catalog.RenderIndex(ctx, brand, entries)
	if err != nil {
		return nil, inputError{err}
	}
	files := make([]store.FileData, len(out.Files))
	for i, f := range out.Files {
		files[i] = store.FileData{Name: f.Name, MediaType: f.MediaType, Data: f.Data}
	}
	return files, nil
}

// reconcileIndexes re-enqueues index builds that are due and have no task.
func (p *Pipeline) reconcileIndexes(ctx context.Context, cut time.Time) (int, error) {
	if p.catalog == nil {
		return 0, nil
	}
	due, err := p.db.DueIndexes(ctx, cut)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, bi := range due {
		_, err := p.inspector.GetTaskInfo(QueueDefault, IndexTaskID(bi.BrandID, bi.Wanted))
		if err == nil {
			continue
		}
		if !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
			return n, err
		}
		t, err := NewIndexBuildTask(IndexBuildPayload{Brand: bi.BrandID, Gen: bi.Wanted}, time.Time{})
		if err != nil {
			return n, err
		}
		if err := p.enqueue(ctx, t); err != nil {
			return n, err
		}
		p.metrics.reenqueues.WithLabelValues("index").Inc()
		n++
	}
	return n, nil
}
