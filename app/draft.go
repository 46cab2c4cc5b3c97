package app

import (
	"context"
	"slices"
	"sync"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
)

// Draft is a bundle rendered in every channel without being stored: what
// the writer's live preview shows.
type Draft struct {
	ItemID   string
	Title    string
	Slug     string
	Warnings []content.Diagnostic
	// Channels holds each channel's output; a channel that failed has
	// its error in Errors instead.
	Channels map[string]*renderers.Output
	Errors   map[string]error
}

// Draft validates a bundle as Submit does and renders it in every
// channel at once, in this process. Invalid input returns content.Errors.
func (s *Service) Draft(ctx context.Context, b Bundle) (*Draft, error) {
	pb, err := s.parse(ctx, b)
	if err != nil {
		return nil, err
	}
	// A preview is answered within the request, and stops when the
	// writer's browser goes away.
	ctx, cancel := context.WithTimeoutCause(ctx, DraftRenderTimeout, errValidateTimeout)
	defer cancel()
	it, brand := pb.item, pb.brand
	d := &Draft{ItemID: ItemID(pb.brandID, it.Lang, it.ID), Title: it.Title, Slug: it.Slug, Warnings: it.Warnings,
		Channels: map[string]*renderers.Output{}, Errors: map[string]error{}}
	in := renderers.Input{Item: it, Brand: brand, Links: s.linkPlan(it, brand)}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range s.Channels() {
		wg.Go(func() {
			out, err := safeRender(ctx, s.renderers[ch], in)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				d.Errors[ch] = err
				return
			}
			d.Channels[ch] = out
			d.Warnings = append(d.Warnings, out.Warnings...)
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, timeoutError(ctx, pb.name, "rendering the preview", DraftRenderTimeout, ctx.Err())
	}
	slices.SortStableFunc(d.Warnings, func(a, b content.Diagnostic) int { return a.Line - b.Line })
	return d, nil
}
