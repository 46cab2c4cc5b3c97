package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// resolve handles POST /items/{id}/resolve: an editor settles a delivery
// a crash left unknown. "It arrived" (status=sent) marks it sent; "It
// failed" (status=failed: it did not arrive) sets it back to pending and
// sends it again, as the API's pending does.
func (ui *UI) resolve(w http.ResponseWriter, r *http.Request) error {
	var status, flash string
	switch r.PostFormValue("status") {
	case store.DelSent:
		status, flash = store.DelSent, "Delivery marked sent."
	case store.DelFailed:
		status, flash = store.DelPending, "Delivery queued to be sent again."
	default:
		return ui.backToItem(w, r, "", web.BadRequest("resolve as sent or failed"))
	}
	_, err := ui.svc.ResolveDelivery(r.Context(), r.PostFormValue("key"), status, web.Actor(r))
	return ui.backToItem(w, r, flash, err)
}
