package api

import (
	"net/http"
	"strconv"

	"github.com/crosscast/crosscast/server/web"

	"github.com/crosscast/crosscast/store"
)

// listItems handles GET /api/items?brand=&status=&lang=&q=&limit=&offset=.
func (a *API) listItems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.ItemFilter{Brand: q.Get("brand"), Status: q.Get("status"), Lang: q.Get("lang"), Query: q.Get("q")}
	var err error
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil {
			return web.BadRequest("limit must be a number")
		}
	}
	if v := q.Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil {
			return web.BadRequest("offset must be a number")
		}
	}
	items, err := a.db.Items(r.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []store.Item{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}
