package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

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
// context ends only once the part before it has returned. So work stops
// coming in before the parts that do it stop, and when runParts returns
// (with the first failure) nothing uses what the caller closes next.
func runParts(ctx context.Context, log *slog.Logger, parts ...part) error {
	g, gctx := errgroup.WithContext(ctx)
	before := gctx.Done() // the first part stops when the group does
	for _, pt := range parts {
		pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		after, stopped := before, make(chan struct{})
		g.Go(func() error {
			defer stop()
			select {
			case <-after:
			case <-stopped:
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
		before = stopped
	}
	return g.Wait()
}
