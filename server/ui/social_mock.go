package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"

	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/templates"
)

// SocialMockFile is the page the live and local previews frame for the
// social channel: the posts as each network shows them, the same mocks
// as the item page's Social tab (the channel's own preview is its text).
const SocialMockFile = "_mock.html"

// socialMock is what the social-mock template shows: the rendering and
// the URL prefix its card files are served under.
type socialMock struct {
	Base string
	Doc  *social.Doc
	CSS  template.CSS // for the page of its own
}

func newSocialMock(base string, d *social.Doc) socialMock { return socialMock{Base: base, Doc: d} }

// hostOf is a URL's host, as a link card shows it.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// socialMockPage renders the mocks of a social rendering (its social.json)
// as a page whose images are served under base.
func socialMockPage(pages map[string]*template.Template, base string, doc []byte) ([]byte, error) {
	d, err := social.Decode(doc)
	if err != nil {
		return nil, err
	}
	css, err := templates.FS.ReadFile("ui/static/app.css")
	if err != nil {
		return nil, err
	}
	m := newSocialMock(base, d)
	m.CSS = template.CSS(css) // our own stylesheet, embedded
	var buf bytes.Buffer
	if err := pages["item"].ExecuteTemplate(&buf, "social-mock-doc", m); err != nil {
		return nil, fmt.Errorf("social mock: %w", err)
	}
	return buf.Bytes(), nil
}
