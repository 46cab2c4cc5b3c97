// Package email renders an item as a newsletter email: table-based HTML
// in the brand's look with every style inlined, a plain-text part written
// from the Markdown tree, and the complete MIME message (.eml) with list
// headers, one set per A/B variant.
package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"strings"
	"sync"
	texttemplate "text/template"

	xhtml "golang.org/x/net/html"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/mailhdr"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/logo"
	"github.com/crosscast/crosscast/renderers/markup"
	"github.com/crosscast/crosscast/templates"
)

// Size budget: Gmail clips a message's HTML past about 102 KB, hiding
// the footer and its unsubscribe link.
const (
	WarnBytes = 90 << 10
	MaxBytes  = 100 << 10
)

// Width is the email's width; images are made at twice it.
const (
	Width      = 600
	imageWidth = 2 * Width
	textColumn = Width - 2*32 // the padded body column
)

// ImageDir is where a rendering's images are, below the channel folder;
// they are published at <portal page>/email/images/.
const ImageDir = "images/"

// Renderer renders emails. Create it once with New; it is safe for
// concurrent use.
type Renderer struct {
	page     *template.Template
	css      *texttemplate.Template
	conv     *markup.Converter
	cache    *images.Cache
	inliners sync.Map // CSS hash → *Inliner: compiled once per brand look
	logos    *logo.Rasterizer
	// beforeInline, when set (by a test), sees each page as the template
	// wrote it, before inlining.
	beforeInline func([]byte)
}

// New parses the email templates. The raster logo's text is set in the
// fonts its SVG names, found among the fonts installed on the machine
// (fonts.StandardDirs) or bundled. cache may be nil.
func New(cache *images.Cache) (*Renderer, error) {
	lib, err := fonts.New(fonts.StandardDirs()...)
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return NewWithFonts(cache, lib)
}

// NewWithFonts is New with the logo's fonts found in lib; a library of
// only the bundled fonts draws the same logo on every machine.
func NewWithFonts(cache *images.Cache, lib *fonts.Library) (*Renderer, error) {
	page, err := template.New("email.html.tmpl").Funcs(template.FuncMap{
		"mso":         mso,
		"notMSOStart": func() template.HTML { return `<!--[if !mso]><!-->` },
		"notMSOEnd":   func() template.HTML { return `<!--<![endif]-->` },
		"spacer":      spacer,
		"button":      button,
	}).ParseFS(templates.FS, "email/email.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	src, err := fs.ReadFile(templates.FS, "email/style.css.tmpl")
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	css, err := texttemplate.New("css").Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return &Renderer{page: page, css: css, conv: markup.New(), cache: cache, logos: logo.New(lib)}, nil
}

// Channel implements renderers.Renderer.
func (r *Renderer) Channel() string { return Channel }

// mso wraps fixed markup in an Outlook-only conditional comment, which
// html/template would otherwise strip. Only constants from the template
// go through it.
func mso(s string) template.HTML { return template.HTML("<!--[if mso]>" + s + "<![endif]-->") }

// spacer follows the preheader so clients do not fill the preview line
// with the start of the body: invisible joiners and spaces.
func spacer() template.HTML {
	return template.HTML(strings.Repeat("&#847;&zwnj;&nbsp;", 40))
}

// ctaButton is the call to action.
type ctaButton struct {
	URL, Label string
	Fill, Ink  string // validated colours
}

// button is a "bulletproof" button: a VML rounded rectangle for
// Outlook's Word engine, a styled link for everyone else.
func button(b ctaButton) template.HTML {
	u, l := html.EscapeString(b.URL), html.EscapeString(b.Label)
	width := min(560, 40+10*len([]rune(b.Label)))
	return template.HTML(fmt.Sprintf(`<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w="urn:schemas-microsoft-com:office:word" href="%s" style="height:48px;v-text-anchor:middle;width:%dpx;" arcsize="12%%" stroke="f" fillcolor="%s"><w:anchorlock/><center style="color:%s;font-family:Arial,sans-serif;font-size:16px;font-weight:bold;">%s</center></v:roundrect><![endif]--><!--[if !mso]><!--><a class="btn" href="%s">%s</a><!--<![endif]-->`,
		u, width, b.Fill, b.Ink, l, u, l))
}

// inliner returns the compiled CSS for brand b's look.
func (r *Renderer) inliner(b *content.Brand) (*Inliner, error) {
	t := b.CSSTokens()
	c := b.Colors
	t["Link"] = content.Readable(c.Primary, c.Background).Hex()
	t["DarkLink"] = content.Readable(c.Dark.Primary, c.Dark.Background).Hex()
	// Single quotes read better than &#34; once inlined into attributes.
	for _, k := range []string{"FontBody", "FontHeading", "FontMono"} {
		t[k] = strings.ReplaceAll(t[k], `"`, "'")
	}
	var src bytes.Buffer
	if err := r.css.Execute(&src, t); err != nil {
		return nil, fmt.Errorf("email css: %w", err)
	}
	sum := sha256.Sum256(src.Bytes())
	key := hex.EncodeToString(sum[:])
	if in, ok := r.inliners.Load(key); ok {
		return in.(*Inliner), nil
	}
	in, err := NewInliner(src.String())
	if err != nil {
		return nil, err
	}
	r.inliners.Store(key, in)
	return in, nil
}

// variant is one version of the email: the control ("") or an A/B arm.
type variant struct {
	name, subject, preheader string
	cta                      *content.CTA // nil: the item's
}

func variants(it *content.Item) []variant {
	subject := it.Email.Subject
	if subject == "" {
		subject = it.Title
	}
	pre := it.Email.Preheader
	if pre == "" {
		pre = it.Summary
	}
	out := []variant{{"", subject, pre, nil}}
	for _, v := range it.Email.Variants {
		vv := variant{v.Name, v.Subject, v.Preheader, v.CTA}
		if vv.subject == "" {
			vv.subject = subject
		}
		if vv.preheader == "" {
			vv.preheader = pre
		}
		out = append(out, vv)
	}
	return out
}

// Render implements renderers.Renderer. The control email is HTMLFile,
// TextFile and EMLFile; each variant's are under VariantsDir/<name>/.
func (r *Renderer) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	it, b := in.Item, in.Brand
	out := &renderers.Output{Metrics: map[string]float64{}}
	inl, err := r.inliner(b)
	if err != nil {
		return nil, err
	}
	imgs, warns, err := r.images(ctx, it, b, in.Links)
	if err != nil {
		return nil, err
	}
	out.Warnings = append(out.Warnings, warns...)
	for _, v := range imgs.files {
		out.Files = append(out.Files, renderers.File{Name: ImageDir + v.Name, MediaType: v.MediaType, Data: v.Data})
	}
	// The body is the same Markdown in every variant; only its links'
	// utm_content differ.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	raw, err := r.conv.HTML(it)
	if err != nil {
		return nil, err
	}
	for _, v := range variants(it) {
		// Each variant is a whole render: stop between them past the deadline.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		files, warns, metrics, err := r.renderVariant(in, inl, imgs, raw, v)
		if err != nil {
			return nil, err
		}
		dir := VariantOf(v.name).Dir
		for _, f := range files {
			f.Name = dir + f.Name
			out.Files = append(out.Files, f)
		}
		if v.name == "" {
			out.Warnings = append(out.Warnings, warns...)
			for k, m := range metrics {
				out.Metrics[k] = m
			}
		}
	}
	out.Metrics["variants"] = float64(len(it.Email.Variants))
	out.Preview = HTMLFile
	if err := ctx.Err(); err != nil {
		return nil, err // finished past the deadline: nobody waits for it
	}
	return out, nil
}

// renderVariant renders one variant's HTML, text and .eml.
func (r *Renderer) renderVariant(in renderers.Input, inl *Inliner, imgs *emailImages, raw []byte, v variant) ([]renderers.File, []content.Diagnostic, map[string]float64, error) {
	it, b, links := in.Item, in.Brand, in.Links
	var warns []content.Diagnostic
	utm := links.UTM(content.ChanEmail, v.name)
	link := func(href string) string { return links.Tag(utm, content.Resolve(links.Canonical, href)) }

	blocks, err := blocks(it, raw, imgs, link)
	if err != nil {
		return nil, nil, nil, err
	}
	unsub := links.Unsubscribe
	if unsub == "" {
		unsub = b.Site + "/"
		warns = append(warns, content.Diagnostic{File: "brand.yaml", Field: "email.unsubscribe_url",
			Message: "is not set: the email's unsubscribe link goes to the site's home page, and List-Unsubscribe has no https address"})
	}
	d := pageData{
		Lang: it.Lang, Dir: content.Dir(it.Lang), Subject: v.subject, Preheader: v.preheader,
		Title: it.Title, WebURL: utm.Apply(links.Canonical), SiteURL: utm.Apply(b.Site + "/"),
		Logo: imgs.logo, DarkLogo: imgs.darkLogo, Hero: imgs.hero, BrandName: b.Name,
		Address: b.Footer.Address, Legal: b.Footer.Legal, UnsubscribeURL: unsub, ManageURL: ManageURL(links.Unsubscribe),
		T: map[string]string{}, KeptCSS: template.CSS(inl.Kept()), Blocks: blocks,
	}
	if !it.SummaryDerived {
		d.Lead = it.Summary
	}
	for _, k := range []string{"view_in_browser", "unsubscribe", "continue_reading", "manage_prefs"} {
		d.T[k] = b.T(it.Lang, k)
	}
	if content.EmailMode(it, b) == content.EmailTeaser {
		// A teaser: the first paragraphs, then a button to the page.
		d.Blocks = teaserHTML(blocks)
		c := b.Colors
		d.Teaser = &ctaButton{URL: d.WebURL, Label: b.T(it.Lang, "teaser_continue"), Fill: c.Primary.Hex(), Ink: content.OnColor(c.Primary).Hex()}
	}
	ctaURL, ctaLabel := links.CTA, ""
	if it.CTA != nil {
		ctaLabel = it.CTA.Label
	}
	if v.cta != nil {
		ctaURL, ctaLabel = v.cta.URL, v.cta.Label
		if strings.HasPrefix(ctaURL, "/") {
			ctaURL = strings.TrimRight(b.Site, "/") + ctaURL
		}
	}
	if ctaURL != "" {
		c := b.Colors
		d.CTA = &ctaButton{URL: link(ctaURL), Label: ctaLabel, Fill: c.Primary.Hex(), Ink: content.OnColor(c.Primary).Hex()}
	}
	for _, n := range b.Social.Networks() {
		d.Social = append(d.Social, socialLink{Label: n.Label, URL: n.Profile.URL})
	}

	page, err := r.execute(d, inl)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(page) > MaxBytes {
		// Cut the body at a block boundary until the whole email fits,
		// and end with a link to the page, so Gmail never clips the
		// footer and its unsubscribe link.
		all := d.Blocks
		kept := len(all)
		for kept > 0 && len(page) > MaxBytes {
			kept = kept * 3 / 4
			d.Blocks, d.More = all[:kept], d.WebURL
			if page, err = r.execute(d, inl); err != nil {
				return nil, nil, nil, err
			}
		}
		warns = append(warns, content.Diagnostic{File: it.Path, Message: fmt.Sprintf(
			"the email was over %d KB, so it ends after %d of %d body blocks with a link to the web page", MaxBytes>>10, kept, len(all))})
	} else if len(page) > WarnBytes {
		warns = append(warns, content.Diagnostic{File: it.Path, Message: fmt.Sprintf(
			"the email is %d KB; Gmail clips messages over about 102 KB", len(page)>>10)})
	}

	text := r.plainText(it, b, d, link)
	msg := &message{
		FromName: b.Email.FromName, FromAddress: b.Email.FromAddress, ReplyTo: b.Email.ReplyTo,
		Subject: v.subject, MessageID: messageID(it.ID, it.SourceHash, v.name, domainOf(b)),
		ListName: b.Name, ListID: b.Email.ListID, UnsubscribeURL: links.Unsubscribe,
		UnsubscribeTo: b.Email.UnsubscribeMailto, Text: text, HTML: page,
	}
	if msg.FromName == "" {
		msg.FromName = b.Name
	}
	if msg.FromAddress == "" {
		msg.FromAddress = "newsletter@" + domainOf(b)
		warns = append(warns, content.Diagnostic{File: "brand.yaml", Field: "email.from_address",
			Message: "is not set: the email is from " + msg.FromAddress})
	}
	if msg.ListID == "" {
		msg.ListID = "news." + domainOf(b)
	} else if desc, id, err := mailhdr.ListID(msg.ListID); err != nil {
		return nil, nil, nil, fmt.Errorf("brand email.list_id: %w", err)
	} else if msg.ListID = id; desc != "" {
		msg.ListName = desc
	}
	if t := it.PublishAt.Time; !t.IsZero() {
		msg.Date = t
	} else if t := it.Date.Time; !t.IsZero() {
		msg.Date = t
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"email.subject", &msg.Subject}} {
		if clean, changed := cleanHeader(*f.v); changed {
			*f.v = clean
			warns = append(warns, it.Warning("email", "%s has a line break or control character; it was replaced by a space in the header", f.field))
		}
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

type pageData struct {
	Lang, Dir, Subject, Preheader, Title, Lead string
	WebURL, SiteURL, UnsubscribeURL            string
	ManageURL                                  string // the preference centre; "" without email.unsubscribe_url
	Logo, DarkLogo, Hero                       *emailImage
	Blocks                                     []template.HTML
	More                                       string // "continue reading" link when the body was cut
	CTA                                        *ctaButton
	Social                                     []socialLink
	BrandName, Address, Legal                  string
	T                                          map[string]string
	KeptCSS                                    template.CSS
	Notes                                      []string   // a notice's small print (see Notice)
	NameColor                                  string     // the brand name's, shown when there is no logo
	Teaser                                     *ctaButton // email.mode teaser: the button to the page
}

type socialLink struct{ Label, URL string }

// execute runs the template and inlines the CSS.
func (r *Renderer) execute(d pageData, inl *Inliner) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.page.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("email template: %w", err)
	}
	if r.beforeInline != nil {
		r.beforeInline(buf.Bytes())
	}
	doc, err := xhtml.Parse(&buf)
	if err != nil {
		return nil, fmt.Errorf("email html: %w", err)
	}
	inl.Inline(doc)
	var out bytes.Buffer
	if err := xhtml.Render(&out, doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// domainOf is the brand's mail domain: the from address's, else the site's.
func domainOf(b *content.Brand) string {
	if _, d, ok := strings.Cut(b.Email.FromAddress, "@"); ok && d != "" {
		return d
	}
	return b.Domain()
}
