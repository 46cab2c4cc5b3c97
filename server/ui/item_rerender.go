package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// rerender handles POST /items/{id}/rerender: the item is rendered again
// with its brand's current kit.
func (ui *UI) rerender(w http.ResponseWriter, r *http.Request) error {
	err := ui.svc.Rerender(r.Context(), r.PathValue("id"), web.Actor(r))
	return ui.backToItem(w, r, "Rendering again with the brand's current kit.", err)
}
