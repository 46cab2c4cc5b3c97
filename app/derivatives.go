package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
)

// SharedDerivatives lets every worker process reuse the resized images
// any of them made, through the store.
func SharedDerivatives(db *store.DB, log *slog.Logger) images.Shared {
	return sharedDerivatives{db: db, log: log}
}

type sharedDerivatives struct {
	db  *store.DB
	log *slog.Logger
}

func (s sharedDerivatives) GetVariant(ctx context.Context, key string) (images.Variant, bool) {
	d, err := s.db.Derivative(ctx, key)
	if err != nil {
		return images.Variant{}, false
	}
	return images.Variant{Name: d.Name, MediaType: d.MediaType, Width: d.Width, Height: d.Height, Data: d.Data}, true
}

func (s sharedDerivatives) PutVariant(ctx context.Context, key string, v images.Variant) {
	// Saving is an optimisation: a slow or failed save must not fail the
	// render that made the image.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := s.db.PutDerivative(ctx, key, store.Derivative{Name: v.Name, MediaType: v.MediaType, Width: v.Width, Height: v.Height, Data: v.Data})
	if err != nil {
		s.log.Warn("saving a derivative failed", "key", key, "err", err)
	}
}
