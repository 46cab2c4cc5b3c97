package ui

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

type adminPage struct {
	Users  []store.User
	Tokens []store.Token
	Brands []store.BrandInfo
	Roles  []string
	// Shown once, right after it was made.
	NewSecret, NewSecretFor string
	Done                    string
	Error                   string
	Problems                []content.Diagnostic
	// ConfirmDelete names the user a Delete button asked to delete:
	// the page asks again before anything is removed.
	ConfirmDelete string
}

var brandID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// uploadedFiles reads a multipart form's "files" by base name.
func uploadedFiles(r *http.Request, limit int64) (map[string][]byte, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return nil, web.BadRequest("send the kit's files as a multipart form: " + err.Error())
	}
	files := map[string][]byte{}
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		files[path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))] = data
	}
	return files, nil
}

// admin handles GET and POST /admin: users, API tokens and brands. A new
// password or token is shown on the answering page only, never put in a
// URL or a log.
func (ui *UI) admin(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := adminPage{Roles: []string{store.RoleWriter, store.RoleEditor, store.RoleAdmin}}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		var err error
		switch r.PostFormValue("action") {
		case "user":
			err = ui.adminUser(r, &p)
		case "brand":
			err = ui.adminBrand(r, &p)
		case "token":
			err = ui.adminToken(r, &p)
		case "disable", "enable", "delete", "revoke", "email":
			err = ui.adminRemove(r, &p)
		default:
			err = web.BadRequest("unknown action")
		}
		var ce content.Errors
		switch ae := web.UserError(err); {
		case err == nil:
		case ae == nil:
			return err
		case errors.As(err, &ce):
			p.Error, status, p.Problems = "The brand kit has problems:", ae.Status, ce
		default:
			p.Error, status = ae.Message, ae.Status
		}
	}
	var err error
	if p.Users, err = ui.db.Users(ctx); err == nil {
		if p.Tokens, err = ui.db.Tokens(ctx); err == nil {
			p.Brands, err = ui.db.Brands(ctx)
		}
	}
	if err != nil {
		return err
	}
	ui.html(w, r, status, "admin", p)
	return nil
}

// adminUser makes a user; its password shows on the answering page.
func (ui *UI) adminUser(r *http.Request, p *adminPage) error {
	name, role := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("role")
	u, secret, err := ui.svc.CreateUser(r.Context(), name, role, web.Actor(r))
	if err != nil {
		return err
	}
	p.NewSecret, p.NewSecretFor = secret, "Password for "+u.Name+" ("+u.Role+")"
	return nil
}

// adminBrand saves an uploaded brand kit.
func (ui *UI) adminBrand(r *http.Request, p *adminPage) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if !brandID.MatchString(name) {
		return web.BadRequest("a brand id is lower-case letters, digits and dashes")
	}
	files, err := uploadedFiles(r, ui.maxUpload)
	if err != nil {
		return err
	}
	br, res, err := ui.svc.UploadBrand(r.Context(), name, files, web.Actor(r))
	if err != nil {
		return err
	}
	p.Done = fmt.Sprintf("Brand %s saved; %d item(s) queued to render again.", br.Name, res.Items)
	if !res.Changed {
		p.Done = "Brand " + br.Name + " is unchanged."
	}
	return nil
}

// adminToken makes an API token (named after its role unless named);
// its secret shows on the answering page.
func (ui *UI) adminToken(r *http.Request, p *adminPage) error {
	name, role := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("role")
	if name == "" {
		name = role
	}
	if !store.ValidRole(role) {
		return web.BadRequest("unknown role " + role)
	}
	secret, t, err := ui.svc.CreateToken(r.Context(), name, role, web.Actor(r))
	if err != nil {
		return err
	}
	p.NewSecret, p.NewSecretFor = secret, "API token "+t.Name+" ("+t.Role+")"
	return nil
}
