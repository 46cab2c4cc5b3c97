package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

// listUsers handles GET /api/users (admins).
func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := a.svc.Users(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"users": us})
	return nil
}

// updateUser handles PATCH /api/users/{name} with {"disabled": true}:
// a disabled user's sessions end at once. The last enabled admin cannot
// be disabled (409).
func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Disabled *bool `json:"disabled"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<10)).Decode(&req); err != nil || req.Disabled == nil {
		return web.BadRequest(`body must be {"disabled": true} or {"disabled": false}`)
	}
	if err := a.svc.SetUserDisabled(r.Context(), r.PathValue("name"), *req.Disabled, web.Actor(r)); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"name": r.PathValue("name"), "disabled": *req.Disabled})
	return nil
}

// deleteUser handles DELETE /api/users/{name}.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteUser(r.Context(), r.PathValue("name"), web.Actor(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeToken handles DELETE /api/tokens/{id}; a token may revoke itself.
func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RevokeToken(r.Context(), r.PathValue("id"), web.Actor(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
