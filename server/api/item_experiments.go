package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// getExperiments handles GET /api/items/{id}/experiments[?version=N]:
// the version's email A/B tests with each variant's recipients, clicks,
// click rate and difference from the default (95% interval, z test).
// Counts only: no address.
func (a *API) getExperiments(w http.ResponseWriter, r *http.Request) error {
	it, v, err := a.itemVersion(r)
	if err != nil {
		return err
	}
	rs, err := a.svc.Experiments(r.Context(), it.ID, v)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rs)
	return nil
}
