package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// unpublishItem handles POST /api/items/{id}/unpublish: the page leaves
// the brand's site and its catalog and feeds. Sent emails and posts stay
// sent.
func (a *API) unpublishItem(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Unpublish(r.Context(), r.PathValue("id"), web.Actor(r)); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "unpublished"})
	return nil
}
