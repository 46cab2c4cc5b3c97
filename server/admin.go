package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/crosscast/crosscast/content"
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
}

var brandID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// uploadedFiles reads a multipart form's "files" by base name.
func uploadedFiles(r *http.Request, limit int64) (map[string][]byte, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return nil, badRequest("send the kit's files as a multipart form: " + err.Error())
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
func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := adminPage{Roles: []string{store.RoleWriter, store.RoleEditor, store.RoleAdmin}}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		name, role := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("role")
		var err error
		switch r.PostFormValue("action") {
		case "user":
			var u *store.User
			if u, p.NewSecret, err = s.db.CreateUser(ctx, name, role, ""); err == nil {
				p.NewSecretFor = "Password for " + u.Name + " (" + u.Role + ")"
				s.log.Info("user created", "user", u.Name, "role", u.Role, "by", actor(r))
			}
		case "brand":
			var files map[string][]byte
			if !brandID.MatchString(name) {
				err = badRequest("a brand id is lower-case letters, digits and dashes")
			} else if files, err = uploadedFiles(r, s.maxUpload); err == nil {
				var res *store.PutBrandResult
				var br *content.Brand
				if br, res, err = s.pipeline.UploadBrand(ctx, name, files, actor(r)); err == nil {
					p.Done = fmt.Sprintf("Brand %s saved; %d item(s) queued to render again.", br.Name, res.Items)
					if !res.Changed {
						p.Done = "Brand " + br.Name + " is unchanged."
					}
				}
			}
		case "token":
			if name == "" {
				name = role
			}
			var t *store.Token
			if !store.ValidRole(role) {
				err = badRequest("unknown role " + role)
			} else if p.NewSecret, t, err = s.db.CreateToken(ctx, name, role); err == nil {
				p.NewSecretFor = "API token " + t.Name + " (" + t.Role + ")"
				s.log.Info("token created", "token", t.ID, "role", t.Role, "by", actor(r))
			}
		default:
			err = badRequest("unknown action")
		}
		var ce content.Errors
		switch ae := userError(err); {
		case err == nil:
		case ae == nil:
			s.uiError(w, r, err)
			return
		case errors.As(err, &ce):
			p.Error, status, p.Problems = "The brand kit has problems:", ae.Status, ce
		default:
			p.Error, status = ae.Message, ae.Status
		}
	}
	var err error
	if p.Users, err = s.db.Users(ctx); err == nil {
		if p.Tokens, err = s.db.Tokens(ctx); err == nil {
			p.Brands, err = s.db.Brands(ctx)
		}
	}
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	s.html(w, r, status, "admin", p)
}
