package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/crosscast/crosscast/server/web"
)

// publishRequest is the body of publish and cancel: the version (the
// latest when 0) and, for publish, when (now when empty; RFC 3339).
type publishRequest struct {
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

func readPublishRequest(r *http.Request) (publishRequest, error) {
	var req publishRequest
	err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
	if err != nil && !errors.Is(err, io.EOF) {
		return req, web.BadRequest("body must be JSON like {\"version\": 2, \"at\": \"2026-12-01T08:00:00Z\"}: " + err.Error())
	}
	return req, nil
}

// publishItem handles POST /api/items/{id}/publish: an editor approves a
// version for publishing at a time (now by default). Asking again before
// it starts reschedules it.
func (a *API) publishItem(w http.ResponseWriter, r *http.Request) error {
	req, err := readPublishRequest(r)
	if err != nil {
		return err
	}
	pub, err := a.svc.Schedule(r.Context(), r.PathValue("id"), req.Version, req.At, web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusAccepted, pub)
	return nil
}
