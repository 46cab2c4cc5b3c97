package ui

import (
	"net/http"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
)

type sourcesPage struct {
	Sources []app.SourceStatus
	Done    string
	Error   string
}

// adminSources handles GET and POST /admin/sources: every brand's
// sources with their last fetch, status, error, items made and next run;
// POST fetches one now.
func (ui *UI) adminSources(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var p sourcesPage
	status := http.StatusOK
	if r.Method == http.MethodPost {
		brand, id := r.PostFormValue("brand"), r.PostFormValue("source")
		err := ui.svc.FetchSourceNow(ctx, brand, id, web.Actor(r))
		switch ae := web.UserError(err); {
		case err == nil:
			p.Done = "Fetching " + brand + "/" + id + " now; reload in a moment to see the outcome."
		case ae == nil:
			return err
		default:
			p.Error, status = ae.Message, ae.Status
		}
	}
	var err error
	if p.Sources, err = ui.svc.Sources(ctx, ""); err != nil {
		return err
	}
	ui.html(w, r, status, "sources", p)
	return nil
}
