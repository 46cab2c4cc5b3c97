package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
)

// addSubscriber handles POST /api/brands/{id}/subscribers with
// {"address": "..."}: an admin (or a sign-up form's back end holding an
// admin token) adds an address to the brand's list. It answers with the
// address's unsubscribe URL path.
func (s *Server) addSubscriber(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Address string `json:"address"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		s.error(w, r, badRequest(`body must be {"address": "someone@example.com"}`))
		return
	}
	a, err := mail.ParseAddress(req.Address)
	if err != nil || a.Name != "" {
		s.error(w, r, badRequest("address must be a plain email address like someone@example.com"))
		return
	}
	brand := r.PathValue("id")
	if _, err := s.db.Brand(r.Context(), brand); err != nil {
		s.error(w, r, err)
		return
	}
	token, err := s.db.AddSubscriber(r.Context(), brand, a.Address)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"address": a.Address, "unsubscribe": "/u/" + token})
}
