package server

import (
	"net/http"

	"github.com/crosscast/crosscast/store"
)

// getClicks handles GET /api/items/{id}/clicks: clicks on the item's
// tracked links, by channel and per link.
func (s *Server) getClicks(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.db.Item(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	links, err := s.db.Links(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
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
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "by_channel": by, "links": links})
}
