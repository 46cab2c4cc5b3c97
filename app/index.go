package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/signup"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// indexDebounce delays a build a little so a burst of finished items
// (a bulk re-render) coalesces into a few builds.
const indexDebounce = 500 * time.Millisecond

// indexPlan returns the store's hook for planning index builds, or nil
// when this service has no catalog channel.
func (s *Service) indexPlan() store.IndexPlanFunc {
	if s.catalog == nil {
		return nil
	}
	return func(brand string, gen int) (store.Task, error) {
		return tasks.NewIndexBuildTask(tasks.IndexBuildPayload{Brand: brand, Gen: gen}, time.Now().Add(indexDebounce))
	}
}

// BuildIndex builds a brand's stored index from its items' catalog
// entries, unless a later build already covers change gen. Only that
// brand's index is touched. An index the entries or the brand cannot
// make is recorded failed, and the error is permanent.
func (s *Service) BuildIndex(ctx context.Context, pl tasks.IndexBuildPayload) error {
	if s.catalog == nil {
		return permanent(errors.New("this worker has no catalog channel to build indexes with"))
	}
	bi, err := s.db.BrandIndex(ctx, pl.Brand)
	if err != nil {
		return err
	}
	if bi.Built >= pl.Gen {
		return nil // a later build covered this change
	}
	gen := bi.Wanted // build for every change recorded so far
	began := time.Now()
	files, buildErr := s.storedIndex(ctx, pl.Brand)
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
	stored, err := s.db.FinishIndex(ctx, pl.Brand, gen, files, msg)
	if err != nil {
		return err
	}
	status := store.StatusRendered
	if msg != "" {
		status = store.StatusFailed
	}
	s.metrics.observe("index", status, time.Since(began))
	s.log.Info("index built", "brand", pl.Brand, "change", gen, "files", len(files), "stored", stored, "ms", time.Since(began).Milliseconds(), "err", msg)
	if msg != "" {
		return permanent(buildErr)
	}
	return nil
}

// storedIndex builds the index of every item of the brand that has a
// catalog entry, for the store.
func (s *Service) storedIndex(ctx context.Context, brandID string) ([]store.FileData, error) {
	raw, err := s.db.ItemFiles(ctx, brandID, catalog.Channel, catalog.EntryFile)
	if err != nil {
		return nil, err
	}
	out, err := s.buildIndex(ctx, brandID, raw)
	if err != nil {
		return nil, err
	}
	files := make([]store.FileData, len(out))
	for i, f := range out {
		files[i] = store.FileData{Name: f.Name, MediaType: f.MediaType, Data: f.Data}
	}
	return files, nil
}

// siteIndex builds the index of the items on a brand's site, for the
// site publisher; what the entries or the brand cannot make is a
// permanent delivery failure.
func (s *Service) siteIndex(ctx context.Context, brand *content.Brand, entries map[string][]byte) ([]publish.File, error) {
	out, err := s.buildIndex(ctx, brand.ID, entries)
	var ie inputError
	if errors.As(err, &ie) {
		return nil, publish.ErrPermanentf("site index: %v", err)
	}
	if err != nil {
		return nil, err
	}
	files := make([]publish.File, len(out))
	for i, f := range out {
		files[i] = publish.File{Name: f.Name, Data: f.Data}
	}
	return files, nil
}

// buildIndex is the one index builder, for the store and the site: it
// renders the brand's index, with the brand's current kit (the index
// covers items rendered with many versions of it, and shows the brand
// as it is now), from catalog entries by item id, in id order. A bad
// entry, a brand kit that no longer loads, or a render failure is an
// inputError; the store or its context failing is not.
func (s *Service) buildIndex(ctx context.Context, brandID string, raw map[string][]byte) ([]indexFile, error) {
	brand, _, err := s.brands.Current(ctx, brandID)
	if err != nil {
		var ce content.Errors
		if errors.As(err, &ce) || errors.Is(err, store.ErrNotFound) {
			return nil, inputError{err}
		}
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
	links := s.trackIndex(entries, slices.Sorted(maps.Keys(raw)))
	out, err := s.catalog.RenderIndex(ctx, brand, entries, catalog.IndexOptions{SignUp: signup.Action(s.publicURL, brand.ID)})
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, inputError{err}
	}
	if len(links) > 0 {
		if err := s.db.PutLinks(ctx, links); err != nil {
			return nil, err
		}
	}
	files := make([]indexFile, len(out.Files))
	for i, f := range out.Files {
		files[i] = indexFile{Name: f.Name, MediaType: f.MediaType, Data: f.Data}
	}
	return files, nil
}

type indexFile struct {
	Name, MediaType string
	Data            []byte
}

// reconcileIndexes re-enqueues index builds that are due and have no task.
func (s *Service) reconcileIndexes(ctx context.Context, cut time.Time) (int, error) {
	if s.catalog == nil {
		return 0, nil
	}
	due, err := s.db.DueIndexes(ctx, cut)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, bi := range due {
		info, err := s.queue.Task(ctx, tasks.QueueDefault, tasks.IndexTaskID(bi.BrandID, bi.Wanted))
		if err != nil {
			return n, err
		}
		if info.State != TaskGone {
			continue
		}
		t, err := tasks.NewIndexBuildTask(tasks.IndexBuildPayload{Brand: bi.BrandID, Gen: bi.Wanted}, time.Time{})
		if err != nil {
			return n, err
		}
		if err := s.queue.Enqueue(ctx, t); err != nil {
			return n, err
		}
		s.metrics.reenqueues.WithLabelValues("index").Inc()
		n++
	}
	return n, nil
}
