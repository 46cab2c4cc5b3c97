package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"

	"github.com/crosscast/crosscast/store"
)

// getClicks handles GET /api/items/{id}/clicks: clicks on the item's
// tracked links, by channel and per link.
func (a *API) getClicks(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := a.db.Item(r.Context(), id); err != nil {
		return err
	}
	links, err := a.db.Links(r.Context(), id)
	if err != nil {
		return err
	}
	by := map[string]int64{}
	var total int64
	for _, l := range links {
		by[l.Channel] += l.Clicks
		total += l.Clicks
	}
	if links == nil {
		links = []store.Link{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "by_channel": by, "links": links})
	return nil
}
