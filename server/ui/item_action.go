package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/crosscast/crosscast/server/web"
)

// The item page's forms (publish, cancel, rerender, unpublish, resolve)
// each answer with a redirect back to the page and a line saying what
// happened: flash when the action was done, "Not done: …" when the
// person can be told why not.

// backToItem ends an item action: err, if it is the server's own
// failure, goes to the error page; else the browser goes back to the
// item's page (its tab and version) with a line saying what happened.
func (ui *UI) backToItem(w http.ResponseWriter, r *http.Request, flash string, err error) error {
	if err != nil {
		ae := web.UserError(err)
		if ae == nil {
			return err
		}
		ui.setFlashError(w, r, "Not done: "+ae.Message)
	} else {
		ui.setFlash(w, r, flash)
	}
	v := url.Values{"tab": {r.PostFormValue("tab")}}
	if version := formVersion(r); version > 0 {
		v.Set("v", strconv.Itoa(version))
	}
	http.Redirect(w, r, "/items/"+url.PathEscape(r.PathValue("id"))+"?"+v.Encode(), http.StatusSeeOther)
	return nil
}

// formVersion is the version an action's form names; 0 when none.
func formVersion(r *http.Request) int {
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	return v
}

// scheduleTime reads a date-time picker's value (no zone) in the
// editor's IANA time zone; the store keeps it in UTC.
func scheduleTime(local, zone string) (time.Time, error) {
	loc := time.UTC
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return time.Time{}, web.BadRequest("unknown time zone " + strconv.Quote(zone))
		}
		loc = l
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", local, loc)
	if err != nil {
		return time.Time{}, web.BadRequest("pick a date and time to schedule for")
	}
	if t.Before(time.Now().Add(-time.Minute)) {
		return time.Time{}, web.BadRequest("that time has passed; pick a later one or publish now")
	}
	return t.UTC(), nil
}
