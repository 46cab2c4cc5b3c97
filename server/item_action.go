package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crosscast/crosscast/store"
)

// itemAction handles the item page's forms: POST /items/{id}/publish
// (now, or at a time in the editor's zone), cancel, rerender, unpublish and
// resolve (an editor settles a delivery left unknown). Each answers with
// a redirect back to the page and a line saying what happened.
func (s *Server) itemAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	action := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	who := actor(r)
	var flash string
	var err error
	switch action {
	case "publish":
		var at time.Time
		if r.PostFormValue("when") == "at" {
			if at, err = scheduleTime(r.PostFormValue("at"), r.PostFormValue("tz")); err != nil {
				break
			}
		}
		var pub *store.Publication
		if pub, err = s.pipeline.Schedule(ctx, id, version, at, who); err == nil {
			flash = "Scheduled for " + pub.ProcessAt.UTC().Format("2 Jan 2006 15:04 UTC") + "."
			if at.IsZero() {
				flash = "Publishing now."
			}
		}
	case "cancel":
		if _, err = s.pipeline.Cancel(ctx, id, version, who); err == nil {
			flash = "Publication cancelled; nothing was sent."
		}
	case "rerender":
		if err = s.pipeline.Rerender(ctx, id, who); err == nil {
			flash = "Rendering again with the brand's current kit."
		}
	case "unpublish":
		if err = s.pipeline.Unpublish(ctx, id, who); err == nil {
			flash = "Taken off the site."
		}
	case "resolve":
		status := r.PostFormValue("status")
		if status != store.DelSent && status != store.DelFailed {
			err = badRequest("resolve as sent or failed")
			break
		}
		if _, err = s.db.ResolveDelivery(ctx, r.PostFormValue("key"), status, who); err == nil {
			flash = "Delivery marked " + status + "."
		}
	}
	if err != nil {
		ae := userError(err)
		if ae == nil {
			s.uiError(w, r, err)
			return
		}
		flash = "Not done: " + ae.Message
	}
	s.setFlash(w, r, flash)
	v := url.Values{"tab": {r.PostFormValue("tab")}}
	if version > 0 {
		v.Set("v", strconv.Itoa(version))
	}
	http.Redirect(w, r, "/items/"+url.PathEscape(id)+"?"+v.Encode(), http.StatusSeeOther)
}

// scheduleTime reads a date-time picker's value (no zone) in the
// editor's IANA time zone; the store keeps it in UTC.
func scheduleTime(local, zone string) (time.Time, error) {
	loc := time.UTC
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return time.Time{}, badRequest("unknown time zone " + strconv.Quote(zone))
		}
		loc = l
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", local, loc)
	if err != nil {
		return time.Time{}, badRequest("pick a date and time to schedule for")
	}
	if t.Before(time.Now().Add(-time.Minute)) {
		return time.Time{}, badRequest("that time has passed; pick a later one or publish now")
	}
	return t.UTC(), nil
}
