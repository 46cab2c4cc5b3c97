package ui

import (
	"net/http"
	"time"

	"github.com/crosscast/crosscast/server/web"
)

// logout handles POST /logout.
func (ui *UI) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		if err := ui.db.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	web.SetSession(w, r, "", -time.Second)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
