package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
)

// addSubscriber handles POST /api/brands/{id}/subscribers with
// {"address", "lang", "topics", "basis"}. With a basis (the consent the
// admin holds, recorded as said) the address is active at once; without
// one it is pending and sent a confirmation email. An address that
// unsubscribed, bounced, complained or was erased is not reactivated:
// the answer says so (409 with a basis; 202 and a confirmation email
// without, which is the only way back).
func (a *API) addSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Address string   `json:"address"`
		Lang    string   `json:"lang"`
		Topics  []string `json:"topics"`
		Basis   string   `json:"basis"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<10)).Decode(&req); err != nil {
		return web.BadRequest(`body must be {"address": "someone@example.com", "lang": "en", "topics": ["guides"], "basis": "signed up at the shop 2025-04"}`)
	}
	res, err := a.svc.AddSubscriber(r.Context(), r.PathValue("id"), app.AddRequest{Address: req.Address, Lang: req.Lang,
		Topics: req.Topics, Basis: req.Basis, Actor: web.Actor(r)})
	if err != nil {
		return err
	}
	sb := res.Subscriber
	out := map[string]any{"subscriber": sb, "unsubscribe": "/u/" + sb.Token, "created": res.Created, "confirmation_sent": len(res.Tasks) > 0}
	status := http.StatusCreated
	switch {
	case res.Suppressed && req.Basis != "":
		out["error"] = map[string]string{"code": web.CodeConflict, "message": sb.Address + " is " + sb.Status +
			": a stated basis does not resubscribe it; only a new confirmed opt-in does (add it without a basis to send a confirmation email)"}
		status = http.StatusConflict
	case res.Suppressed:
		out["note"] = sb.Address + " is " + sb.Status + " and stays so until it confirms the email just sent"
		status = http.StatusAccepted
	case !res.Created:
		status = http.StatusOK
	}
	web.WriteJSON(w, status, out)
	return nil
}
