package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// eraseSubscriber handles DELETE /api/brands/{id}/subscribers/{address}:
// the right to erasure. The address leaves the list, the consent log
// and the ledger; a hashed tombstone keeps it suppressed if it is ever
// added again.
func (a *API) eraseSubscriber(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Erase(r.Context(), r.PathValue("id"), r.PathValue("address"), web.Actor(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
