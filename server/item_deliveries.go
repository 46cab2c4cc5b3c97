package server

import (
	"net/http"

	"github.com/crosscast/crosscast/store"
)

// getDeliveries handles GET /api/items/{id}/deliveries: the item's
// publications and every ledger row, with email recipients' outcomes.
func (s *Server) getDeliveries(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	if _, err := s.db.Item(ctx, id); err != nil {
		s.error(w, r, err)
		return
	}
	pubs, err := s.db.Publications(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ds, err := s.db.Deliveries(ctx, id, 0)
	if err != nil {
		s.error(w, r, err)
		return
	}
	type deliveryJSON struct {
		store.Delivery
		Recipients []store.Recipient `json:"recipients,omitempty"`
	}
	out := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		out[i].Delivery = d
		if d.Channel == "email" {
			if out[i].Recipients, err = s.db.DeliveryRecipients(ctx, &d); err != nil {
				s.error(w, r, err)
				return
			}
		}
	}
	if pubs == nil {
		pubs = []store.Publication{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"publications": pubs, "deliveries": out})
}
