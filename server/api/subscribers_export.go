package api

import (
	"net/http"
)

// exportSubscribers handles GET /api/brands/{id}/subscribers.csv?status=:
// every subscriber of the brand as CSV, in address order.
func (a *API) exportSubscribers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := a.db.Brand(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+b.ID+`-subscribers.csv"`)
	return a.svc.ExportSubscribers(ctx, b.ID, r.URL.Query().Get("status"), w)
}
