package email

import (
	"context"
	"fmt"
	"html/template"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/mailhdr"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
)

// This file is the email layout as a library, for collection renderers
// (renderers/digest) that compose an email of their own rows: the same
// template, inlined CSS with its dark-mode and narrow-screen rules, size
// budget and MIME message as an item's email.

// Picture is an image as an email shows it: absolute URL, display size
// and alt text.
type Picture struct {
	Src           string
	Width, Height int
	Alt           string
}

func (p *Picture) image() *emailImage {
	if p == nil {
		return nil
	}
	return &emailImage{Src: p.Src, Width: p.Width, Height: p.Height, Alt: p.Alt}
}

func (e *emailImage) picture() *Picture {
	if e == nil {
		return nil
	}
	return &Picture{Src: e.Src, Width: e.Width, Height: e.Height, Alt: e.Alt}
}

// ColumnWidth is the width of the padded text column, in which a body
// image inside a row shows.
const ColumnWidth = textColumn

// Logos makes the brand's raster logos for an email whose images are
// published at imageBase (the absolute URL of its ImageDir): the light
// one and the dark one (nil without), and their files, named below
// ImageDir.
func (r *Renderer) Logos(ctx context.Context, b *content.Brand, imageBase string) (light, dark *Picture, files []renderers.File, err error) {
	imgs := &emailImages{base: imageBase}
	l, err := r.logoImage(ctx, imgs, b, b.LogoFile())
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := r.logoImage(ctx, imgs, b, b.DarkLogoFile())
	if err != nil {
		return nil, nil, nil, err
	}
	for _, v := range imgs.files {
		files = append(files, renderers.File{Name: ImageDir + v.Name, MediaType: v.MediaType, Data: v.Data})
	}
	return l.picture(), d.picture(), files, nil
}

// Picture makes a local image for an email whose images are published at
// imageBase, shown width pixels wide, and its file below ImageDir. It is
// made at the size every email picture is (twice the email's width), so
// an item's picture, resized for its own email, comes from the cache.
func (r *Renderer) Picture(ctx context.Context, a *content.Asset, width int, alt, imageBase string) (*Picture, renderers.File, error) {
	vs, err := images.Resize(ctx, r.cache, a, []int{imageWidth})
	if err != nil {
		return nil, renderers.File{}, err
	}
	e := (&emailImages{base: imageBase}).show(vs[0], width, alt)
	return e.picture(), renderers.File{Name: ImageDir + vs[0].Name, MediaType: vs[0].MediaType, Data: vs[0].Data}, nil
}

// Layout is an email a collection renderer composed.
type Layout struct {
	Path                          string // names the source in diagnostics
	Lang, Subject, Preheader      string
	Title, Lead                   string
	WebURL, SiteURL               string // the web view and the site, with the email's UTM
	UnsubscribeURL, UnsubscribeTo string // https (List-Unsubscribe and the footer) and mailto targets
	Logo, DarkLogo, Hero          *Picture
	Rows                          []template.HTML // body rows, each one <tr>…</tr> of the email's table
	MessageKey, Version, Variant  string          // make the Message-ID: the same inputs, the same id
	Date                          time.Time       // zero: no Date header
	Budget                        int             // bytes of HTML; 0 is MaxBytes
	Text                          func(rows int) []byte
}

// Compose lays out l in brand b's look and returns its HTML, text and
// .eml (HTMLFile, TextFile, EMLFile), warnings and metrics. Past the
// budget, rows are dropped from the end and the email ends with a
// "continue reading" link to WebURL, so Gmail never clips the footer and
// its unsubscribe link; Text is then asked for the rows kept.
func (r *Renderer) Compose(ctx context.Context, b *content.Brand, l Layout) ([]renderers.File, []content.Diagnostic, map[string]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	inl, err := r.inliner(b)
	if err != nil {
		return nil, nil, nil, err
	}
	var warns []content.Diagnostic
	unsub := l.UnsubscribeURL
	if unsub == "" {
		unsub = b.Site + "/"
	}
	d := pageData{
		Lang: l.Lang, Dir: content.Dir(l.Lang), Subject: l.Subject, Preheader: l.Preheader,
		Title: l.Title, Lead: l.Lead, WebURL: l.WebURL, SiteURL: l.SiteURL,
		Logo: l.Logo.image(), DarkLogo: l.DarkLogo.image(), Hero: l.Hero.image(), BrandName: b.Name,
		Address: b.Footer.Address, Legal: b.Footer.Legal, UnsubscribeURL: unsub, ManageURL: ManageURL(l.UnsubscribeURL),
		T: map[string]string{}, KeptCSS: template.CSS(inl.Kept()), Blocks: l.Rows,
	}
	for _, k := range []string{"view_in_browser", "unsubscribe", "continue_reading", "manage_prefs"} {
		d.T[k] = b.T(l.Lang, k)
	}
	for _, n := range b.Social.Networks() {
		d.Social = append(d.Social, socialLink{Label: n.Label, URL: n.Profile.URL})
	}
	budget := l.Budget
	if budget <= 0 {
		budget = MaxBytes
	}
	page, err := r.execute(d, inl)
	if err != nil {
		return nil, nil, nil, err
	}
	kept := len(l.Rows)
	if len(page) > budget {
		for kept > 0 && len(page) > budget {
			kept = kept * 3 / 4
			d.Blocks, d.More = l.Rows[:kept], d.WebURL
			if page, err = r.execute(d, inl); err != nil {
				return nil, nil, nil, err
			}
		}
		warns = append(warns, content.Diagnostic{File: l.Path, Message: fmt.Sprintf(
			"the email was over %d KB, so it ends after %d of %d body rows with a link to the web page", budget>>10, kept, len(l.Rows))})
	} else if len(page) > WarnBytes {
		warns = append(warns, content.Diagnostic{File: l.Path, Message: fmt.Sprintf(
			"the email is %d KB; Gmail clips messages over about 102 KB", len(page)>>10)})
	}
	var text []byte
	if l.Text != nil {
		text = l.Text(kept)
	}
	subject := l.Subject
	if clean, changed := cleanHeader(subject); changed {
		subject = clean
		warns = append(warns, content.Diagnostic{File: l.Path, Field: "subject", Message: "has a line break or control character; it was replaced by a space in the header"})
	}
	msg := &message{
		FromName: b.Email.FromName, FromAddress: b.Email.FromAddress, ReplyTo: b.Email.ReplyTo,
		Subject: subject, MessageID: messageID(l.MessageKey, l.Version, l.Variant, domainOf(b)),
		ListName: b.Name, ListID: b.Email.ListID, UnsubscribeURL: l.UnsubscribeURL,
		UnsubscribeTo: l.UnsubscribeTo, Text: text, HTML: page, Date: l.Date,
	}
	if msg.FromName == "" {
		msg.FromName = b.Name
	}
	if msg.FromAddress == "" {
		msg.FromAddress = "newsletter@" + domainOf(b)
	}
	if msg.ListID == "" {
		msg.ListID = "news." + domainOf(b)
	} else if desc, id, err := mailhdr.ListID(msg.ListID); err != nil {
		return nil, nil, nil, fmt.Errorf("brand email.list_id: %w", err)
	} else if msg.ListID = id; desc != "" {
		msg.ListName = desc
	}
	eml, err := msg.eml()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("email message: %w", err)
	}
	metrics := map[string]float64{"html_bytes": float64(len(page)), "text_bytes": float64(len(text)), "eml_bytes": float64(len(eml))}
	return []renderers.File{
		{Name: HTMLFile, MediaType: "text/html; charset=utf-8", Data: page},
		{Name: TextFile, MediaType: "text/plain; charset=utf-8", Data: text},
		{Name: EMLFile, MediaType: "message/rfc822", Data: eml},
	}, warns, metrics, nil
}

// WrapText wraps s as the text part's paragraphs are, at 78 columns, the
// first line starting with first and the others with rest.
func WrapText(s, first, rest string) string { return wrap(s, first, rest, textWidth) }
