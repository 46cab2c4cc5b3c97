// Package signup builds the newsletter sign-up form that posts to the
// server's POST /s/{brand}: the portal's subscribe block, the brand site
// home page's, and the snippet `crosscast form` prints for a brand's own
// site. All three come from templates/signup/form.html.tmpl, so they
// send the fields the sign-up handler reads.
package signup

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/templates"
)

// TemplateFile is the shared form template; a renderer parses it into its
// own page template and calls "signup-style" and "signup-form" with a
// *Form.
const TemplateFile = "signup/form.html.tmpl"

// Field names the sign-up handler reads besides address, lang and topics.
const (
	// Honeypot is the field people never see nor fill in; a post that
	// fills it is answered as a success and does nothing.
	Honeypot = "website"
	// FormField carries the form's version, recorded with the consent.
	FormField = "form"
)

// The form versions recorded with each consent: the wording a reader saw
// depends on where the form was. A change of wording gets a new version.
const (
	VersionPortal  = "crosscast portal form v1"
	VersionHome    = "crosscast site home form v1"
	VersionSnippet = "crosscast form snippet v1"
)

// MaxVersion bounds the form-version field the handler accepts.
const MaxVersion = 64

// Path is the sign-up handler's path for brand id, below the server's
// public URL.
func Path(brandID string) string { return "/s/" + brandID }

// Action is the form's action: the sign-up handler on the installation's
// public server, or "" when that is not known (a render without a
// server), in which case no form is shown.
func Action(publicURL, brandID string) string {
	publicURL = strings.TrimRight(publicURL, "/")
	if publicURL == "" || brandID == "" {
		return ""
	}
	return publicURL + Path(brandID)
}

// Form is the template's data.
type Form struct {
	Action, Lang, Dir                         string
	Title, Text, Button, Note                 string
	AddressLabel, LangLabel, TopicsLabel      string
	HoneypotLabel, Honeypot, FormField        string
	Version, Comment                          string
	Langs                                     []Lang
	Topics                                    []Topic
	Primary, OnPrimary, TextColor, Background template.CSS
	Border, Rule, Focus                       template.CSS
}

// Lang is one choice of the language select.
type Lang struct {
	Code, Label string
	Selected    bool
}

// Topic is one checkbox.
type Topic struct{ Key, Label string }

// New fills the form for brand b in lang (the brand's language when
// ""), posting to action.
func New(b *content.Brand, lang, action, version string) *Form {
	if lang == "" {
		lang = b.Lang
	}
	c := b.Colors
	f := &Form{
		Action: action, Lang: lang, Dir: content.Dir(lang),
		Title: b.T(lang, "subscribe_title"), Text: b.T(lang, "subscribe_text"), Button: b.T(lang, "subscribe_button"),
		AddressLabel: b.T(lang, "sub_form_address"), LangLabel: b.T(lang, "prefs_lang"), TopicsLabel: b.T(lang, "prefs_topics"),
		HoneypotLabel: b.T(lang, "sub_form_honeypot"), Honeypot: Honeypot, FormField: FormField, Version: version,
		// The brand kit's colours are validated, so they are safe CSS.
		Primary: css(c.Primary), OnPrimary: css(content.OnColor(c.Primary)), TextColor: css(c.Text), Background: css(c.Background),
		Border: css(c.Muted), Rule: css(c.Muted), Focus: css(content.Readable(c.Primary, c.Background)),
	}
	note := b.T(lang, "sub_form_note")
	if b.Email.OptInConfirmed() {
		note = b.T(lang, "sub_form_confirm") + " " + note
	}
	f.Note = note
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	for _, l := range content.Languages() {
		f.Langs = append(f.Langs, Lang{Code: l, Label: content.LanguageName(l), Selected: l == base})
	}
	for _, k := range b.Email.TopicKeys() {
		f.Topics = append(f.Topics, Topic{Key: k, Label: b.Email.Topics[k]})
	}
	return f
}

func css(c content.Color) template.CSS { return template.CSS(c.Hex()) }

// Snippets prints forms as a pasteable snippet: one parse of the
// shared template, as the renderers do.
type Snippets struct{ t *template.Template }

// NewSnippets parses the shared template.
func NewSnippets() (*Snippets, error) {
	t, err := template.ParseFS(templates.FS, TemplateFile)
	if err != nil {
		return nil, fmt.Errorf("signup: %w", err)
	}
	return &Snippets{t: t}, nil
}

// Write writes f's style and form.
func (s *Snippets) Write(w io.Writer, f *Form) error {
	var buf bytes.Buffer
	if err := s.t.ExecuteTemplate(&buf, "signup-snippet", f); err != nil {
		return fmt.Errorf("signup: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
