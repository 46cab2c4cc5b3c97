package reader

import (
	"errors"
	"net/http"
	"slices"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// unsubscribe handles POST /u/{token}, RFC 8058's one-click
// unsubscribe: mail providers send it with the body
// List-Unsubscribe=One-Click, and it takes effect at once with no second
// step. The preference centre's "unsubscribe from everything" button
// sends the same POST.
func (rd *Reader) unsubscribe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	source := store.ConsentOneClick
	if r.PostFormValue("from") == "preferences" {
		source = store.ConsentPreferences
	}
	sb, err := rd.svc.Unsubscribe(ctx, r.PathValue("token"), source, web.ClientHost(r))
	if err != nil {
		rd.linkFailed(w, r, err)
		return
	}
	rd.log.Info("unsubscribed", "brand", sb.BrandID, "source", source)
	rd.preferences(w, r, sb, false)
}

// manage handles GET /u/{token}: the preference centre, where the
// unsubscribe and manage links of every email lead. A GET changes
// nothing, so a link scanner unsubscribes nobody.
func (rd *Reader) manage(w http.ResponseWriter, r *http.Request) {
	sb, err := rd.db.SubscriberByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		rd.linkFailed(w, r, err)
		return
	}
	rd.preferences(w, r, sb, false)
}

// savePreferences handles POST /u/{token}/preferences from the
// preference centre's own forms.
func (rd *Reader) savePreferences(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	lang, topics, paused := r.PostForm.Get("lang"), r.PostForm["topics"], r.PostForm.Get("paused") == "1"
	if topics == nil {
		topics = []string{}
	}
	sb, err := rd.svc.UpdatePreferences(ctx, r.PathValue("token"), app.Update{Lang: &lang, Topics: &topics, Paused: &paused}, web.ClientHost(r))
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrInvalid) {
		// Unsubscribed meanwhile, or a language or topic the brand no
		// longer has: show the page as it stands.
		rd.manage(w, r)
		return
	}
	if err != nil {
		rd.linkFailed(w, r, err)
		return
	}
	rd.preferences(w, r, sb, true)
}

// preferences shows sb's preference centre, or, once unsubscribed, says
// so instead of asking again.
func (rd *Reader) preferences(w http.ResponseWriter, r *http.Request, sb *store.Subscriber, saved bool) {
	b := rd.brand(r.Context(), sb.BrandID)
	if b == nil {
		http.Error(w, "Something went wrong on our side; please try again in a minute.", http.StatusServiceUnavailable)
		return
	}
	lang := sb.Lang
	if store.SuppressedStatus(sb.Status) {
		p := newPage(b, lang, b.T(lang, "prefs_unsubscribed"))
		p.Paragraphs = []string{b.T(lang, "prefs_unsubscribed_text", "address", sb.Address)}
		rd.render(w, http.StatusOK, p)
		return
	}
	p := newPage(b, lang, b.T(lang, "prefs_title"))
	p.Saved = saved
	p.Paragraphs = []string{b.T(lang, "prefs_for", "address", sb.Address)}
	form := &prefsForm{Action: "/u/" + sb.Token + "/preferences", Unsubscribe: "/u/" + sb.Token, Lang: p.Lang, Paused: sb.Paused}
	for _, l := range content.Languages() {
		form.Langs = append(form.Langs, langOption{Code: l, Label: langNames[l], Selected: l == p.Lang})
	}
	for _, k := range b.Email.TopicKeys() {
		form.Topics = append(form.Topics, topicOption{Key: k, Label: b.Email.Topics[k], Checked: slices.Contains(sb.Topics, k)})
	}
	p.Prefs = form
	rd.render(w, http.StatusOK, p)
}

// linkFailed answers a link that names nobody with a plain page, and
// the store being away with a 503.
func (rd *Reader) linkFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		var buf = []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>This link does not work</title></head><body><main><h1>This link does not work</h1><p>It may have been copied only in part. The footer of any email from us has a working one.</p></main></body></html>`)
		headers(w)
		w.WriteHeader(http.StatusNotFound)
		w.Write(buf)
		return
	}
	rd.log.Error("reader link", "path", r.URL.Path, "err", err)
	http.Error(w, "Something went wrong on our side; please try again in a minute.", http.StatusServiceUnavailable)
}
