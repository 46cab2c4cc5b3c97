package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// pickWinner handles POST /items/{id}/experiment/pick: an editor ends a
// running A/B test early with the variant of their choice, which is then
// sent to the rest of the segment.
func (ui *UI) pickWinner(w http.ResponseWriter, r *http.Request) error {
	v := r.PostFormValue("variant")
	_, err := ui.svc.PickExperimentWinner(r.Context(), r.PathValue("id"), formVersion(r), r.PostFormValue("target"), v, web.Actor(r))
	return ui.backToItem(w, r, variantLabel(v)+" picked as the winner; it goes to the rest of the segment now.", err)
}
