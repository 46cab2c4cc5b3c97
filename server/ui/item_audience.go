package ui

import (
	"context"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
)

// itemAudience is who an item version's email reaches if it is
// published now, for the item page until the publication starts; nil
// after, or when it cannot be counted (the page helps without it, and
// GET /api/items/{id}/audience shows the error).
func (ui *UI) itemAudience(ctx context.Context, id string, version int) *app.Audience {
	if pub, err := ui.db.Publication(ctx, id, version); err == nil && pub.Status != store.PubScheduled && pub.Status != store.PubCancelled {
		return nil
	}
	a, err := ui.svc.Audience(ctx, id, version)
	if err != nil {
		ui.log.Warn("item page: audience", "item", id, "version", version, "err", err)
		return nil
	}
	return a
}
