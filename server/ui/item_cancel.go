package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// cancel handles POST /items/{id}/cancel: a scheduled publication is
// withdrawn before it starts.
func (ui *UI) cancel(w http.ResponseWriter, r *http.Request) error {
	_, err := ui.svc.Cancel(r.Context(), r.PathValue("id"), formVersion(r), web.Actor(r))
	return ui.backToItem(w, r, "Publication cancelled; nothing was sent.", err)
}
