package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// resolveDelivery handles POST /api/deliveries/resolve with
// {"key": "...", "status": "sent" | "pending"}: an editor's decision on a
// delivery left unknown by a crash. pending sends it again.
func (a *API) resolveDelivery(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Key    string `json:"key"`
		Status string `json:"status"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || req.Key == "" {
		return web.BadRequest(`body must be {"key": "<idempotency key>", "status": "sent" or "pending"}`)
	}
	d, err := a.svc.ResolveDelivery(r.Context(), req.Key, req.Status, web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}
