package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// stopExperiment handles POST /items/{id}/experiment/stop: an editor
// ends a running A/B test without a winner; the rest of the segment is
// sent nothing.
func (ui *UI) stopExperiment(w http.ResponseWriter, r *http.Request) error {
	_, err := ui.svc.StopExperiment(r.Context(), r.PathValue("id"), formVersion(r), r.PostFormValue("target"), web.Actor(r))
	return ui.backToItem(w, r, "A/B test stopped; the rest of the segment is sent nothing.", err)
}
