package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// getAudience handles GET /api/items/{id}/audience[?version=N]: how many
// subscribers the version's email reaches if it is published now, by
// language, and how many of its languages it leaves out and why. Counts
// only: no address.
func (a *API) getAudience(w http.ResponseWriter, r *http.Request) error {
	it, v, err := a.itemVersion(r)
	if err != nil {
		return err
	}
	aud, err := a.svc.Audience(r.Context(), it.ID, v)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, aud)
	return nil
}
