package ui

import (
	"net/http"
	"time"

	"github.com/crosscast/crosscast/server/web"
)

// publish handles POST /items/{id}/publish: the version, now or at a
// time in the editor's zone.
func (ui *UI) publish(w http.ResponseWriter, r *http.Request) error {
	var at time.Time
	if r.PostFormValue("when") == "at" {
		var err error
		if at, err = scheduleTime(r.PostFormValue("at"), r.PostFormValue("tz")); err != nil {
			return ui.backToItem(w, r, "", err)
		}
	}
	pub, err := ui.svc.Schedule(r.Context(), r.PathValue("id"), formVersion(r), at, web.Actor(r))
	if err != nil {
		return ui.backToItem(w, r, "", err)
	}
	// Said in the editor's zone, as the page shows times.
	when := pub.ProcessAt.UTC().Format("2 Jan 2006 15:04 UTC")
	if loc, err := time.LoadLocation(r.PostFormValue("tz")); err == nil && loc != time.UTC {
		when = pub.ProcessAt.In(loc).Format("2 Jan 2006 15:04 MST") + " (" + loc.String() + ")"
	}
	flash := "Scheduled for " + when + "."
	if at.IsZero() {
		flash = "Publishing now."
	}
	return ui.backToItem(w, r, flash, nil)
}
