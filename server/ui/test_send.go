package ui

import (
	"fmt"
	"net/http"
	"time"

	"github.com/crosscast/crosscast/server/web"
)

// testSend handles POST /items/{id}/test-send: the version's email, each
// variant, to the signed-in user's own address. A few per minute per
// user: each one is real mail through the brand's server.
func (ui *UI) testSend(w http.ResponseWriter, r *http.Request) error {
	u := web.CurrentUser(r)
	version := formVersion(r)
	if version <= 0 {
		return web.BadRequest("which version? the form names none")
	}
	if !ui.tests.Take(u.ID, time.Now()) {
		return ui.backToItem(w, r, "", &web.Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "too many test sends; wait a minute and try again"})
	}
	n, err := ui.svc.SendTest(r.Context(), r.PathValue("id"), version, u)
	return ui.backToItem(w, r, fmt.Sprintf("Sent %d test email(s) to %s.", n, u.Email), err)
}
