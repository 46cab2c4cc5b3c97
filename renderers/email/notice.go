package email

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/images"
)

// Notice is a short message from a brand to one reader, such as the
// confirmation of a sign-up: a title, a few paragraphs, one button and
// small print, in the brand's email look.
type Notice struct {
	Lang, Subject, Title string
	Paragraphs           []string
	Button, ButtonURL    string
	Notes                []string // small print under the footer
	To                   string
	Date                 time.Time
	// MessageID is the id's left part; the brand's mail domain is added.
	MessageID string
	// LogoBase is the absolute URL the logo's file name (NoticeLogo) is
	// served under, so the header shows the logo as the newsletter's
	// does; "" names the brand instead.
	LogoBase string
}

// NoticeLogo is the PNG a notice's header shows, the newsletter's logo
// (its Name is the hashed file name the notice refers to under
// LogoBase); nil when the brand has no logo.
func (r *Renderer) NoticeLogo(ctx context.Context, b *content.Brand) (*images.Variant, error) {
	imgs := &emailImages{}
	im, err := r.logoImage(ctx, imgs, b, b.LogoFile())
	if err != nil || im == nil {
		return nil, err
	}
	return &imgs.files[0], nil
}

// Notice renders n as a complete message (.eml bytes) to n.To, with the
// layout and CSS of the brand's newsletter. Its header shows the logo
// from n.LogoBase (a newsletter's logo is published beside its web page,
// and a notice has none), or else names the brand in the brand's colour.
// It has no list headers: it
// is not a newsletter, and unsubscribing from it means nothing.
func (r *Renderer) Notice(b *content.Brand, n Notice) ([]byte, error) {
	inl, err := r.inliner(b)
	if err != nil {
		return nil, err
	}
	c := b.Colors
	d := pageData{
		Lang: n.Lang, Dir: content.Dir(n.Lang), Subject: n.Subject, Title: n.Title, SiteURL: b.Site + "/",
		BrandName: b.Name, Address: b.Footer.Address, Legal: b.Footer.Legal, T: map[string]string{},
		KeptCSS: template.CSS(inl.Kept()), Notes: n.Notes, NameColor: content.Readable(c.Primary, c.Background).Hex(),
	}
	if len(n.Paragraphs) > 0 {
		d.Preheader = n.Paragraphs[0]
	}
	if n.LogoBase != "" {
		// A notice is made for one reader, so the logo comes from the
		// renderer's cache rather than a context of its own.
		if d.Logo, err = r.logoImage(context.Background(), &emailImages{base: n.LogoBase}, b, b.LogoFile()); err != nil {
			return nil, err
		}
	}
	for _, p := range n.Paragraphs {
		d.Blocks = append(d.Blocks, template.HTML(`<tr><td class="block"><p>`+template.HTMLEscapeString(p)+`</p></td></tr>`))
	}
	if n.ButtonURL != "" {
		d.CTA = &ctaButton{URL: n.ButtonURL, Label: n.Button, Fill: c.Primary.Hex(), Ink: content.OnColor(c.Primary).Hex()}
	}
	page, err := r.execute(d, inl)
	if err != nil {
		return nil, err
	}
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n", n.Title)
	for _, p := range n.Paragraphs {
		fmt.Fprintf(&text, "%s\n\n", wrap(p, "", "", 72))
	}
	if n.ButtonURL != "" {
		fmt.Fprintf(&text, "%s:\n%s\n\n", n.Button, n.ButtonURL)
	}
	for _, p := range n.Notes {
		fmt.Fprintf(&text, "%s\n\n", wrap(p, "", "", 72))
	}
	fmt.Fprintf(&text, "-- \n%s\n", b.Name)
	m := &message{
		FromName: b.Email.FromName, FromAddress: b.Email.FromAddress, ReplyTo: b.Email.ReplyTo,
		Subject: n.Subject, Date: n.Date, MessageID: "<" + n.MessageID + "@" + domainOf(b) + ">",
	}
	if m.FromName == "" {
		m.FromName = b.Name
	}
	if m.FromAddress == "" {
		m.FromAddress = "newsletter@" + domainOf(b)
	}
	h := m.headers()
	h.Address("To", "", n.To)
	var buf bytes.Buffer
	if err := writeBody(&buf, h, []byte(text.String()), page); err != nil {
		return nil, fmt.Errorf("email notice: %w", err)
	}
	return buf.Bytes(), nil
}
