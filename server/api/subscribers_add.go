package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/mail"

	"github.com/crosscast/crosscast/server/web"
)

// addSubscriber handles POST /api/brands/{id}/subscribers with
// {"address": "..."}: an admin (or a sign-up form's back end holding an
// admin token) adds an address to the brand's list. It answers with the
// address's unsubscribe URL path.
func (a *API) addSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Address string `json:"address"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		return web.BadRequest(`body must be {"address": "someone@example.com"}`)
	}
	addr, err := mail.ParseAddress(req.Address)
	if err != nil || addr.Name != "" {
		return web.BadRequest("address must be a plain email address like someone@example.com")
	}
	token, err := a.svc.AddSubscriber(r.Context(), r.PathValue("id"), addr.Address)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]string{"address": addr.Address, "unsubscribe": "/u/" + token})
	return nil
}
