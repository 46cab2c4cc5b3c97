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
		// The row's button only asks; the page then shows what deleting
		// means and a second button that sends confirm=yes. No script:
		// the step is a form like any other.
		if r.PostFormValue("confirm") != "yes" {
			if _, err := ui.db.UserByName(ctx, name); err != nil {
				return err
			}
			p.ConfirmDelete = name
			return nil
		}
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
