package reader

import (
	"bytes"
	"context"
	"encoding/base64"
	"html/template"
	"net/http"
	"path"
	"strings"

	"github.com/crosscast/crosscast/content"
)

// page is what templates/reader/audience.html.tmpl shows: a brand's
// sign-up answer, confirmation or preference centre, in its colours.
type page struct {
	Lang, Dir, Brand, Title, Address string
	Paragraphs                       []string
	ConfirmForm, Saved               bool
	Prefs                            *prefsForm
	T                                map[string]string
	Logo                             template.URL
	Font                             template.CSS
	Text, Background, Surface        template.CSS
	Primary, OnPrimary, Muted, Link  template.CSS
}

type prefsForm struct {
	Action, Unsubscribe, Lang string
	Paused                    bool
	Langs                     []langOption
	Topics                    []topicOption
}

type langOption struct {
	Code, Label string
	Selected    bool
}

type topicOption struct {
	Key, Label string
	Checked    bool
}

// langNames are the languages as their speakers write them.
var langNames = map[string]string{"de": "Deutsch", "en": "English", "fr": "Français", "nl": "Nederlands", "pl": "Polski"}

// newPage fills a page with brand b's look and strings in lang.
func newPage(b *content.Brand, lang, title string) *page {
	if lang == "" {
		lang = b.Lang
	}
	c := b.Colors
	p := &page{
		Lang: lang, Dir: content.Dir(lang), Brand: b.Name, Title: title, Address: b.Footer.Address, T: map[string]string{},
		// The brand kit's values are validated (colours, font lists).
		Font: template.CSS(b.Fonts.Body), Text: template.CSS(c.Text.Hex()), Background: template.CSS(c.Background.Hex()),
		Surface: template.CSS(c.Surface.Hex()), Primary: template.CSS(c.Primary.Hex()), OnPrimary: template.CSS(content.OnColor(c.Primary).Hex()),
		Muted: template.CSS(c.Muted.Hex()), Link: template.CSS(content.Readable(c.Primary, c.Background).Hex()),
	}
	for _, k := range []string{"sub_confirm_button", "prefs_lang", "prefs_topics", "prefs_save", "prefs_saved", "prefs_pause",
		"prefs_resume", "prefs_paused_note", "prefs_unsub_title", "prefs_unsub_button"} {
		p.T[k] = b.T(lang, k)
	}
	if f := b.LogoFile(); f != nil {
		typ := "image/png"
		if strings.EqualFold(path.Ext(f.Name), ".svg") {
			typ = "image/svg+xml"
		}
		// Inline, so the page needs nothing from elsewhere; an SVG logo
		// was sanitised when the kit was loaded.
		p.Logo = template.URL("data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(f.Data))
	}
	return p
}

// render writes p with status.
func (rd *Reader) render(w http.ResponseWriter, status int, p *page) {
	var buf bytes.Buffer
	if err := rd.audience.ExecuteTemplate(&buf, "audience.html.tmpl", p); err != nil {
		rd.log.Error("reader page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	headers(w)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func headers(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
}

// brand returns a brand's current kit, or nil when it has none.
func (rd *Reader) brand(ctx context.Context, id string) *content.Brand {
	b, _, err := rd.svc.Brand(ctx, id)
	if err != nil {
		return nil
	}
	return b
}
