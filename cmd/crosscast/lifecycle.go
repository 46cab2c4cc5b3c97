package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"golang.org/x/sync/errgroup"
)

// part is one long-running piece of serve or worker: the HTTP server,
// the task workers, the reconciler. run does its work until ctx ends,
// then stops it and returns.
type part struct {
	name string
	run  func(ctx context.Context) error
}

// runParts runs parts together until ctx ends or one of them fails, and
// then stops them one after another in the order given: a part's
// context ends only once every part before it has returned. So work stops
// coming in before the parts that do it stop, and when runParts returns
// (with the first failure) nothing uses what the caller closes next.
func runParts(ctx context.Context, log *slog.Logger, parts ...part) error {
	g, gctx := errgroup.WithContext(ctx)
	var earlier []chan struct{} // closed when each part before this one has returned
	for _, pt := range parts {
		pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		wait, stopped := slices.Clone(earlier), make(chan struct{})
		g.Go(func() error {
			defer stop()
			// A part is told to stop once the group is stopping and every
			// part before it has returned, even when a later one failed
			// first: the reconciler outlives the HTTP server either way.
			select {
			case <-gctx.Done():
			case <-stopped:
				return nil
			}
			for _, c := range wait {
				select {
				case <-c:
				case <-stopped:
					return nil
				}
			}
			return nil
		})
		g.Go(func() error {
			defer close(stopped)
			err := pt.run(pctx)
			if err == nil && pctx.Err() == nil {
				err = errors.New("stopped by itself")
			}
			log.Info("stopped", "part", pt.name)
			if err != nil {
				return fmt.Errorf("%s: %w", pt.name, err)
			}
			return nil
		})
		earlier = append(earlier, stopped)
	}
	return g.Wait()
}
