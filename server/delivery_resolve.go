package server

import (
	"encoding/json"
	"io"
	"net/http"
)

// resolveDelivery handles POST /api/deliveries/resolve with
// {"key": "...", "status": "sent" | "pending"}: an editor's decision on a
// delivery left unknown by a crash. pending sends it again.
func (s *Server) resolveDelivery(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Key    string `json:"key"`
		Status string `json:"status"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || req.Key == "" {
		s.error(w, r, badRequest(`body must be {"key": "<idempotency key>", "status": "sent" or "pending"}`))
		return
	}
	d, err := s.db.ResolveDelivery(r.Context(), req.Key, req.Status, actor(r))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if d.Status == "pending" {
		if err := s.pipeline.Redeliver(r.Context(), *d); err != nil {
			s.error(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, d)
}
