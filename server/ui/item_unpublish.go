package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// unpublish handles POST /items/{id}/unpublish: the page leaves the
// brand's site.
func (ui *UI) unpublish(w http.ResponseWriter, r *http.Request) error {
	err := ui.svc.Unpublish(r.Context(), r.PathValue("id"), web.Actor(r))
	return ui.backToItem(w, r, "Taken off the site.", err)
}
