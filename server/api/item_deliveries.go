package api

import (
	"net/http"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/server/web"

	"github.com/crosscast/crosscast/store"
)

// getDeliveries handles GET /api/items/{id}/deliveries: the item's
// publications and every ledger row, with email recipients' outcomes.
func (a *API) getDeliveries(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	if _, err := a.db.Item(ctx, id); err != nil {
		return err
	}
	pubs, err := a.db.Publications(ctx, id)
	if err != nil {
		return err
	}
	ds, err := a.db.Deliveries(ctx, id, 0)
	if err != nil {
		return err
	}
	type deliveryJSON struct {
		store.Delivery
		Recipients []store.Recipient `json:"recipients,omitempty"`
	}
	out := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		out[i].Delivery = d
		if d.Channel == content.ChanEmail {
			if out[i].Recipients, err = a.db.DeliveryRecipients(ctx, &d); err != nil {
				return err
			}
		}
	}
	if pubs == nil {
		pubs = []store.Publication{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"publications": pubs, "deliveries": out})
	return nil
}
