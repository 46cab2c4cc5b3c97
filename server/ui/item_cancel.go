package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// cancel handles POST /items/{id}/cancel: a scheduled publication is
// withdrawn before it starts; a published one's social re-shares still
// to come are withdrawn.
func (ui *UI) cancel(w http.ResponseWriter, r *http.Request) error {
	pub, err := ui.svc.Cancel(r.Context(), r.PathValue("id"), formVersion(r), web.Actor(r))
	msg := "Publication cancelled; nothing was sent."
	if err == nil && pub.Status != store.PubCancelled {
		msg = "Re-shares cancelled; what went out already stays."
	}
	return ui.backToItem(w, r, msg, err)
}
