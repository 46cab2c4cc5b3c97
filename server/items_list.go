package server

import (
	"net/http"
	"strconv"

	"github.com/crosscast/crosscast/store"
)

// listItems handles GET /api/items?brand=&status=&lang=&q=&limit=&offset=.
func (s *Server) listItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.ItemFilter{Brand: q.Get("brand"), Status: q.Get("status"), Lang: q.Get("lang"), Query: q.Get("q")}
	var err error
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil {
			s.error(w, r, badRequest("limit must be a number"))
			return
		}
	}
	if v := q.Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil {
			s.error(w, r, badRequest("offset must be a number"))
			return
		}
	}
	items, err := s.db.Items(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if items == nil {
		items = []store.Item{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
