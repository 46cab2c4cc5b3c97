package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// updateSubscriber handles PATCH /api/brands/{id}/subscribers/{address}
// with any of {"lang", "topics", "paused", "status": "unsubscribed"}.
// Status can only end a subscription: becoming active takes the
// subscriber's own confirmed opt-in.
func (a *API) updateSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Lang   *string   `json:"lang"`
		Topics *[]string `json:"topics"`
		Paused *bool     `json:"paused"`
		Status string    `json:"status"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<10)).Decode(&req); err != nil {
		return web.BadRequest(`body must be {"lang": "nl", "topics": ["guides"], "paused": false} or {"status": "unsubscribed"}`)
	}
	ctx, brand, addr := r.Context(), r.PathValue("id"), r.PathValue("address")
	var sb *store.Subscriber
	var err error
	switch req.Status {
	case "":
		sb, err = a.svc.UpdateSubscriber(ctx, brand, addr, app.Update{Lang: req.Lang, Topics: req.Topics, Paused: req.Paused}, web.Actor(r))
	case store.SubUnsubscribed:
		sb, err = a.svc.EndSubscription(ctx, brand, addr, web.Actor(r))
	default:
		return web.BadRequest(`status can only be set to "unsubscribed": a subscriber becomes active by confirming their own opt-in`)
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"subscriber": sb})
	return nil
}
