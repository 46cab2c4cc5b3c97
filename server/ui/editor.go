package ui

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

type editorPage struct {
	Item   *store.Item // nil for a new item
	Form   draftForm
	Brands []store.BrandInfo
	Images []string // image paths the bundle holds already
	Errors []formError
	Status int
	Langs  map[string]string // brand id → its default language
}

// ErrorsFor are every error at an input.
func (p editorPage) ErrorsFor(input string) []formError {
	var out []formError
	for _, e := range p.Errors {
		if e.Input == input {
			out = append(out, e)
		}
	}
	return out
}

// DefaultLang is the language an item of the form's brand gets without
// one: the brand's.
func (p editorPage) DefaultLang() string { return p.Langs[p.Form.Brand] }

// brandLangs reads each brand's default language for the language
// input's placeholder.
func (ui *UI) brandLangs(ctx context.Context, brands []store.BrandInfo) map[string]string {
	out := make(map[string]string, len(brands))
	for _, b := range brands {
		if br, _, err := ui.svc.Brand(ctx, b.ID); err == nil {
			out[b.ID] = br.Lang
		}
	}
	return out
}

// errByInput is what the template asks: the first error for an input.
func (p editorPage) Err(input string) string {
	for _, e := range p.Errors {
		if e.Input == input {
			return e.Message
		}
	}
	return ""
}

// HasImage tells whether the bundle holds an image.
func (p editorPage) HasImage(name string) bool { return slices.Contains(p.Images, name) }

// BodyErrors are the errors at lines of the body.
func (p editorPage) BodyErrors() []formError {
	var out []formError
	for _, e := range p.Errors {
		if e.Input == "body" || e.Input == "form" {
			out = append(out, e)
		}
	}
	return out
}

// newItem handles GET and POST /new: the writer's editor for a new item.
func (ui *UI) newItem(w http.ResponseWriter, r *http.Request) error {
	p := editorPage{}
	var err error
	if p.Brands, err = ui.db.Brands(r.Context()); err != nil {
		return err
	}
	p.Langs = ui.brandLangs(r.Context(), p.Brands)
	if r.Method == http.MethodGet {
		if len(p.Brands) > 0 {
			p.Form.Brand = p.Brands[0].ID
		}
		ui.html(w, r, http.StatusOK, "editor", p)
		return nil
	}
	return ui.saveItem(w, r, p, nil)
}

// editItem handles GET and POST /items/{id}/edit. Writers edit the items
// they started until one is published; editors edit any.
func (ui *UI) editItem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	it, err := ui.db.Item(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := ui.mayEdit(ctx, web.CurrentUser(r), it); err != nil {
		return err
	}
	v, err := ui.db.Version(ctx, it.ID, it.LatestVersion)
	if err != nil {
		return err
	}
	p := editorPage{Item: it}
	if p.Brands, err = ui.db.Brands(ctx); err != nil {
		return err
	}
	p.Langs = ui.brandLangs(ctx, p.Brands)
	assets, err := ui.assets(ctx, v)
	if err != nil {
		return err
	}
	p.Images = slices.Sorted(maps.Keys(assets))
	if r.Method == http.MethodGet {
		p.Form = splitSource(v.Source)
		p.Form.Brand = it.Brand
		if p.Form.Slug == "" {
			// Written out, so a new title keeps the item's address; a
			// slug changed here is an explicit move (the old address
			// redirects).
			p.Form.Slug = it.Slug
		}
		ui.html(w, r, http.StatusOK, "editor", p)
		return nil
	}
	return ui.saveItem(w, r, p, assets)
}

// assets reads a version's images from the store.
func (ui *UI) assets(ctx context.Context, v *store.Version) (map[string][]byte, error) {
	out := make(map[string][]byte, len(v.Assets))
	for name, sha := range v.Assets {
		data, err := ui.db.Blob(ctx, sha)
		if err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, nil
}

// mayEdit lets editors edit anything and writers their own items that
// were never published: the store's rule, asked before the form is shown
// (Submit checks it again when the version is made).
func (ui *UI) mayEdit(ctx context.Context, u *store.User, it *store.Item) error {
	return ui.db.MayAddVersion(ctx, it.ID, "user:"+u.Name, u.Role)
}

// saveItem submits the form as a new version; bad input shows the form
// again with each problem beside its input.
func (ui *UI) saveItem(w http.ResponseWriter, r *http.Request, p editorPage, assets map[string][]byte) error {
	b, at, form, err := ui.readDraft(r, assets)
	p.Form = form
	if err == nil {
		b.Actor, b.Role = web.Actor(r), web.Role(r)
		if p.Item != nil {
			b.ItemID = p.Item.ID // a new version of this item, whatever its title now says
		}
		var sub *app.Submitted
		if sub, err = ui.svc.Submit(r.Context(), b); err == nil {
			ui.setFlash(w, r, "Submitted version "+strconv.Itoa(sub.Version)+"; it is rendering now.")
			http.Redirect(w, r, "/items/"+url.PathEscape(sub.ItemID), http.StatusSeeOther)
			return nil
		}
	}
	ce := web.InputProblems(err)
	if ce == nil {
		return err
	}
	status := http.StatusUnprocessableEntity
	if ae := web.UserError(err); ae.Status == http.StatusForbidden {
		// Not the writer's to change: say so on the form, keeping the text.
		status = http.StatusForbidden
	}
	p.Errors = placeErrors(ce, at)
	for name := range b.Files {
		if name != "index.md" && !slices.Contains(p.Images, name) {
			p.Images = append(p.Images, name)
		}
	}
	ui.html(w, r, status, "editor", p)
	return nil
}

// readDraft reads the editor's multipart form into a bundle: index.md
// from the fields, plus the uploaded images under images/ and the
// item's existing ones.
func (ui *UI) readDraft(r *http.Request, assets map[string][]byte) (app.Bundle, formLines, draftForm, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, ui.maxUpload)
	var f draftForm
	if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return app.Bundle{}, formLines{}, f, err
	}
	v := r.PostFormValue
	f = draftForm{Brand: v("brand"), Title: v("title"), Slug: v("slug"), Summary: v("summary"), Tags: v("tags"), Lang: v("lang"),
		PublishAt: v("publish_at"), TZ: v("tz"), Hero: v("hero"), HeroAlt: v("hero_alt"), Extra: v("extra"), Body: v("body")}
	b := app.Bundle{Brand: f.Brand, Path: "index.md", Files: map[string][]byte{}}
	for name, data := range assets {
		b.Files[name] = data
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			name := "images/" + cleanName(fh.Filename)
			fd, err := fh.Open()
			if err != nil {
				return b, formLines{}, f, err
			}
			data, err := io.ReadAll(fd)
			fd.Close()
			if err != nil {
				return b, formLines{}, f, err
			}
			b.Files[name] = data
		}
	}
	src, bodyLine, err := f.source()
	if err != nil {
		return b, formLines{}, f, err
	}
	b.Files["index.md"] = src
	return b, f.lines(bodyLine), f, nil
}

// cleanName keeps an uploaded file's base name to letters, digits, dots,
// dashes and underscores.
func cleanName(n string) string {
	n = path.Base(strings.ReplaceAll(n, "\\", "/"))
	var b strings.Builder
	for _, r := range strings.ToLower(n) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if out == "" {
		return "image"
	}
	return out
}
