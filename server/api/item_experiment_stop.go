package api

import (
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
)

// stopExperiment handles POST /api/items/{id}/experiment/stop: a running
// A/B test ends without a winner; the rest of the segment is sent
// nothing.
func (a *API) stopExperiment(w http.ResponseWriter, r *http.Request) error {
	req, err := readExperimentRequest(r)
	if err != nil {
		return err
	}
	e, err := a.svc.StopExperiment(r.Context(), r.PathValue("id"), req.Version, req.Target, web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, app.Report(*e))
	return nil
}
