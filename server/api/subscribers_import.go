package api

import (
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
)

// importSubscribers handles POST /api/brands/{id}/subscribers/import
// with a CSV body (header address,language,topics,consent) and
// ?dry_run=1 to check and count only. All rows are imported or none:
// with bad rows the answer is 422 and lists them by line.
func (a *API) importSubscribers(w http.ResponseWriter, r *http.Request) error {
	dry := r.URL.Query().Get("dry_run")
	if dry != "" && dry != "0" && dry != "1" {
		return web.BadRequest("dry_run must be 1 or 0")
	}
	body := http.MaxBytesReader(w, r.Body, app.MaxImportBytes+1)
	res, err := a.svc.ImportSubscribers(r.Context(), app.Import{Brand: r.PathValue("id"), CSV: body, Actor: web.Actor(r), DryRun: dry == "1"})
	if err != nil {
		return err
	}
	out := map[string]any{"result": res, "dry_run": dry == "1", "imported": dry != "1" && len(res.Errors) == 0}
	status := http.StatusOK
	if len(res.Errors) > 0 {
		out["error"] = map[string]string{"code": "invalid", "message": "some rows are bad (see result.errors, by line); nothing was imported"}
		status = http.StatusUnprocessableEntity
	}
	web.WriteJSON(w, status, out)
	return nil
}
