package ui

import (
	"net/http"
	"strings"

	"github.com/crosscast/crosscast/server/web"
)

// adminRemove disables, enables or deletes a user, or revokes a token,
// from the admin page's row buttons.
func (ui *UI) adminRemove(r *http.Request, p *adminPage) error {
	ctx, actor := r.Context(), web.Actor(r)
	name := r.PostFormValue("name")
	switch r.PostFormValue("action") {
	case "disable":
		if err := ui.svc.SetUserDisabled(ctx, name, true, actor); err != nil {
			return err
		}
		p.Done = name + " is disabled and signed out."
	case "enable":
		if err := ui.svc.SetUserDisabled(ctx, name, false, actor); err != nil {
			return err
		}
		p.Done = name + " may sign in again."
	case "delete":
		if err := ui.svc.DeleteUser(ctx, name, actor); err != nil {
			return err
		}
		p.Done = name + " is deleted."
	case "email":
		email := strings.TrimSpace(r.PostFormValue("email"))
		if err := ui.db.SetUserEmail(ctx, name, email); err != nil {
			return err
		}
		p.Done = name + "'s test sends go to " + email + "."
		if email == "" {
			p.Done = name + " has no email address now."
		}
	case "revoke":
		if err := ui.svc.RevokeToken(ctx, r.PostFormValue("id"), actor); err != nil {
			return err
		}
		p.Done = "The token is revoked; requests with it are refused from now on."
	}
	return nil
}
