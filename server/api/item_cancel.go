package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// cancelItem handles POST /api/items/{id}/cancel: a scheduled publication
// is withdrawn, as long as it has not started.
func (a *API) cancelItem(w http.ResponseWriter, r *http.Request) error {
	req, err := readPublishRequest(r)
	if err != nil {
		return err
	}
	pub, err := a.svc.Cancel(r.Context(), r.PathValue("id"), req.Version, web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, pub)
	return nil
}
