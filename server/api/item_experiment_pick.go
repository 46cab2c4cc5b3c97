package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
)

// experimentRequest names a running test: the version (0: the latest),
// the target ("": the only one) and, to pick, the variant ("" the
// default).
type experimentRequest struct {
	Version int     `json:"version"`
	Target  string  `json:"target"`
	Variant *string `json:"variant"`
}

func readExperimentRequest(r *http.Request) (experimentRequest, error) {
	var req experimentRequest
	err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
	if err != nil && !errors.Is(err, io.EOF) {
		return req, web.BadRequest(`body must be JSON like {"version": 1, "target": "newsletter", "variant": "b"}: ` + err.Error())
	}
	return req, nil
}

// pickWinner handles POST /api/items/{id}/experiment/pick: an editor
// ends a running A/B test early with their variant, sent to the rest.
func (a *API) pickWinner(w http.ResponseWriter, r *http.Request) error {
	req, err := readExperimentRequest(r)
	if err != nil {
		return err
	}
	if req.Variant == nil {
		return web.BadRequest(`name the winner: {"variant": "b"}, or "" for the default`)
	}
	e, err := a.svc.PickExperimentWinner(r.Context(), r.PathValue("id"), req.Version, req.Target, *req.Variant, web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, app.Report(*e))
	return nil
}
