package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// getSubscriber handles GET /api/brands/{id}/subscribers/{address}: the
// subscriber with its consent log.
func (a *API) getSubscriber(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sb, err := a.db.Subscriber(ctx, r.PathValue("id"), r.PathValue("address"))
	if err != nil {
		return err
	}
	log, err := a.db.Consents(ctx, sb.BrandID, sb.Address)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"subscriber": sb, "consents": log})
	return nil
}
