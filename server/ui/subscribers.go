package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// subscribersPage is a brand's list: counts, a search, one subscriber's
// history, and (for admins) add, import and erase.
type subscribersPage struct {
	Brand         store.BrandInfo
	Brands        []store.BrandInfo
	Counts        *store.SubscriberCounts
	Statuses      []string
	Langs, Topics []string // keys of the counts, sorted
	TopicKeys     []string // the brand's topics, for the add form
	Query         string
	List          []store.Subscriber
	Next          string
	// Selected is the subscriber whose history shows, with its consents.
	Selected  *store.Subscriber
	Consents  []store.Consent
	Import    *store.ImportResult
	ImportDry bool
	Error     string
	CanChange bool
}

// subscribersHome handles GET /subscribers: the first brand's list.
func (ui *UI) subscribersHome(w http.ResponseWriter, r *http.Request) error {
	brands, err := ui.db.Brands(r.Context())
	if err != nil {
		return err
	}
	if len(brands) == 0 {
		return fmt.Errorf("no brand yet: an admin adds one on the Admin page: %w", store.ErrNotFound)
	}
	http.Redirect(w, r, "/subscribers/"+url.PathEscape(brands[0].ID), http.StatusSeeOther)
	return nil
}

// subscribers handles GET /subscribers/{brand}?q=&after=&address=.
func (ui *UI) subscribers(w http.ResponseWriter, r *http.Request) error {
	return ui.showSubscribers(w, r, http.StatusOK, &subscribersPage{})
}

func (ui *UI) showSubscribers(w http.ResponseWriter, r *http.Request, status int, p *subscribersPage) error {
	ctx := r.Context()
	b, err := ui.db.Brand(ctx, r.PathValue("brand"))
	if err != nil {
		return err
	}
	p.Brand = *b
	if p.Brands, err = ui.db.Brands(ctx); err != nil {
		return err
	}
	if p.Counts, err = ui.db.CountSubscribers(ctx, b.ID); err != nil {
		return err
	}
	p.Statuses = []string{store.SubActive, store.SubPending, store.SubUnsubscribed, store.SubBounced, store.SubComplained}
	p.Langs, p.Topics = sortedKeys(p.Counts.ByLang), sortedKeys(p.Counts.ByTopic)
	if kit, _, err := ui.svc.Brand(ctx, b.ID); err == nil {
		p.TopicKeys = kit.Email.TopicKeys()
	}
	q := r.URL.Query()
	p.Query = strings.TrimSpace(q.Get("q"))
	if len(p.Query) > 320 {
		p.Query = p.Query[:320]
	}
	const pageSize = 50
	if p.List, err = ui.db.Subscribers(ctx, b.ID, store.SubscriberFilter{Contains: p.Query, After: q.Get("after"), Limit: pageSize}); err != nil {
		return err
	}
	if len(p.List) == pageSize {
		p.Next = p.List[len(p.List)-1].Address
	}
	if a := q.Get("address"); a != "" && p.Selected == nil {
		sb, err := ui.db.Subscriber(ctx, b.ID, a)
		switch {
		case errors.Is(err, store.ErrNotFound):
			p.Error = "No subscriber " + a + " (an erased address leaves nothing to show)."
		case err != nil:
			return err
		default:
			p.Selected = sb
		}
	}
	if p.Selected != nil {
		if p.Consents, err = ui.db.Consents(ctx, b.ID, p.Selected.Address); err != nil {
			return err
		}
	}
	p.CanChange = store.RoleAtLeast(web.CurrentUser(r).Role, store.RoleAdmin)
	ui.html(w, r, status, "subscribers", p)
	return nil
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// changeSubscribers handles POST /subscribers/{brand} (admins): add,
// erase or import. Add and erase answer with a redirect; an import
// shows its result, with bad rows by line, on the page it answers with.
func (ui *UI) changeSubscribers(w http.ResponseWriter, r *http.Request) error {
	brand := r.PathValue("brand")
	back := "/subscribers/" + url.PathEscape(brand)
	// The import's file is the largest body; bound it before any form
	// parsing reads it, and keep only 1 MiB of it in memory.
	r.Body = http.MaxBytesReader(w, r.Body, app.MaxImportBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return web.BadRequest("the form did not arrive whole (an import is at most 32 MiB): " + err.Error())
	}
	switch r.PostFormValue("action") {
	case "add":
		res, err := ui.svc.AddSubscriber(r.Context(), brand, app.AddRequest{Address: r.PostFormValue("address"), Lang: r.PostFormValue("lang"),
			Topics: r.PostForm["topics"], Basis: strings.TrimSpace(r.PostFormValue("basis")), Actor: web.Actor(r)})
		if err != nil {
			return ui.backWith(w, r, back, "", err)
		}
		sb := res.Subscriber
		msg := sb.Address + " added: " + sb.Status + "."
		switch {
		case res.Suppressed:
			msg = sb.Address + " is " + sb.Status + " and stays so; only a new confirmed opt-in brings it back."
		case !res.Created:
			msg = sb.Address + " was on the list already (" + sb.Status + ")."
		case len(res.Tasks) > 0:
			msg += " A confirmation email is on its way."
		}
		return ui.backWith(w, r, back+"?address="+url.QueryEscape(sb.Address), msg, nil)
	case "erase":
		addr := r.PostFormValue("address")
		if r.PostFormValue("confirm") != "yes" {
			return ui.backWith(w, r, back+"?address="+url.QueryEscape(addr), "", web.BadRequest("tick the box to confirm the erasure"))
		}
		err := ui.svc.Erase(r.Context(), brand, addr, web.Actor(r))
		return ui.backWith(w, r, back, "Erased: the address and its history are gone; only a hash stays, so it is not mailed again.", err)
	case "import":
		return ui.importSubscribers(w, r)
	}
	return web.BadRequest("unknown action")
}

// backWith redirects to path with msg, or with err's message when it is
// the user's to fix.
func (ui *UI) backWith(w http.ResponseWriter, r *http.Request, path, msg string, err error) error {
	if err != nil {
		ae := web.UserError(err)
		if ae == nil {
			return err
		}
		ui.setFlashError(w, r, "Not done: "+ae.Message)
	} else {
		ui.setFlash(w, r, msg)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// importSubscribers takes the uploaded CSV of the import form.
func (ui *UI) importSubscribers(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("csv")
	if err != nil {
		return web.BadRequest("choose a CSV file to import (at most 32 MiB)")
	}
	defer f.Close()
	dry := r.PostFormValue("dry_run") == "1"
	res, err := ui.svc.ImportSubscribers(r.Context(), app.Import{Brand: r.PathValue("brand"), CSV: f, Actor: web.Actor(r), DryRun: dry})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(res.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return ui.showSubscribers(w, r, status, &subscribersPage{Import: res, ImportDry: dry})
}

// exportSubscribers handles GET /subscribers/{brand}/export.csv.
func (ui *UI) exportSubscribers(w http.ResponseWriter, r *http.Request) error {
	b, err := ui.db.Brand(r.Context(), r.PathValue("brand"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+b.ID+`-subscribers.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	return ui.svc.ExportSubscribers(r.Context(), b.ID, r.URL.Query().Get("status"), w)
}
