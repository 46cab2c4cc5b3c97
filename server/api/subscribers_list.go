package api

import (
	"net/http"
	"strconv"

	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// listSubscribers handles GET /api/brands/{id}/subscribers?status=&after=&limit=:
// a page of the brand's subscribers in address order; "next" is the
// after of the next page.
func (a *API) listSubscribers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := a.db.Brand(ctx, r.PathValue("id")); err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.SubscriberFilter{Status: q.Get("status"), After: q.Get("after")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return web.BadRequest("limit must be a number from 1 to 1000")
		}
		f.Limit = n
	}
	list, err := a.db.Subscribers(ctx, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	out := map[string]any{"subscribers": list}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if n := len(list); n > 0 && n == limit {
		out["next"] = list[n-1].Address
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
