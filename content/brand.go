package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/crosscast/crosscast/internal/mailhdr"
)

// Brand is a brand kit: the look, voice and addresses every channel takes
// its style from. It is loaded from a folder holding brand.yaml and the
// files it names.
type Brand struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	Site   string `yaml:"site"`
	Lang   string `yaml:"lang"`
	Compat string `yaml:"compat"`
	// CompatShortcodes is what happens to a shortcode or Liquid tag
	// crosscast cannot render: strip (default), error or keep.
	CompatShortcodes string       `yaml:"compat_shortcodes"`
	Colors           BrandColors  `yaml:"colors"`
	Fonts            BrandFonts   `yaml:"fonts"`
	Logo             BrandLogo    `yaml:"logo"`
	Footer           BrandFooter  `yaml:"footer"`
	Social           BrandSocial  `yaml:"social"`
	Email            BrandEmail   `yaml:"email"`
	UTM              BrandUTM     `yaml:"utm"`
	Portal           BrandPortal  `yaml:"portal"`
	Catalog          BrandCatalog `yaml:"catalog"`
	// AutoPublish publishes each item as soon as it is rendered (at its
	// publish_at), without an editor's approval.
	AutoPublish bool `yaml:"auto_publish"`
	// TargetConf configures where published channels go, by target name;
	// Targets lists them with the implicit static site.
	TargetConf map[string]Target `yaml:"targets"`
	// Strings overrides boilerplate per language: strings: {nl: {subscribe_button: Inschrijven}}.
	Strings map[string]map[string]string `yaml:"strings"`
	// Digests are the newsletters gathering the week's items, by id
	// (see Digest).
	Digests map[string]*Digest `yaml:"digests"`
	// SourceConf declares where items are imported from (feeds, Hugo or
	// Jekyll folders), by source id; SourceList lists them.
	SourceConf map[string]Source `yaml:"sources"`

	// Files holds the kit's files (logos, fonts) by the name brand.yaml
	// uses for them.
	Files map[string]*BrandFile `yaml:"-"`
	// Warnings are problems that do not stop rendering, such as a colour
	// pair below WCAG AA contrast.
	Warnings []Diagnostic `yaml:"-"`
}

// BrandColors are the brand's colour tokens. Text, Background and Primary
// are required; the rest default from them.
type BrandColors struct {
	Primary    Color      `yaml:"primary"`
	Accent     Color      `yaml:"accent"`
	Text       Color      `yaml:"text"`
	Background Color      `yaml:"background"`
	Muted      Color      `yaml:"muted"`
	Surface    Color      `yaml:"surface"`
	Dark       DarkColors `yaml:"dark"`
}

// DarkColors are used under prefers-color-scheme: dark. Unset ones fall
// back to a neutral dark palette.
type DarkColors struct {
	Primary    Color `yaml:"primary"`
	Text       Color `yaml:"text"`
	Background Color `yaml:"background"`
	Muted      Color `yaml:"muted"`
	Surface    Color `yaml:"surface"`
}

// BrandFonts are CSS font stacks; Files are TTF/OTF files in the kit for
// channels that draw text into images.
type BrandFonts struct {
	Heading string            `yaml:"heading"`
	Body    string            `yaml:"body"`
	Mono    string            `yaml:"mono"`
	Files   map[string]string `yaml:"files"`
}

// BrandLogo names the logo files in the kit.
type BrandLogo struct {
	Src   string `yaml:"src"`
	Dark  string `yaml:"dark"`
	Alt   string `yaml:"alt"`
	Width int    `yaml:"width"`
}

// BrandFooter is the legal small print every channel ends with.
type BrandFooter struct {
	Legal   string `yaml:"legal"`
	Address string `yaml:"address"`
}

// BrandEmail holds the newsletter's addresses.
type BrandEmail struct {
	FromName          string `yaml:"from_name"`
	FromAddress       string `yaml:"from_address"`
	ReplyTo           string `yaml:"reply_to"`
	ListID            string `yaml:"list_id"`
	SubscribeURL      string `yaml:"subscribe_url"`
	UnsubscribeURL    string `yaml:"unsubscribe_url"`
	UnsubscribeMailto string `yaml:"unsubscribe_mailto"`
	// Topics are what readers may choose to hear about, by key:
	// {product: "New products", guides: "Guides"}.
	Topics map[string]string `yaml:"topics"`
	// DoubleOptIn sends a sign-up a confirmation email before it is
	// subscribed; unset means true (see OptInConfirmed).
	DoubleOptIn *bool `yaml:"double_opt_in"`
	// SendDefaultToAll sends an item in the brand's language also to
	// subscribers of every language it has no translation in; otherwise
	// an item reaches only readers of its own language.
	SendDefaultToAll bool `yaml:"send_default_to_all"`
	// Test is the default email.test of the brand's items with variants.
	Test *EmailTest `yaml:"test"`
	// Mode is every item's email.mode unless it sets one: full (the
	// default) or teaser.
	Mode string `yaml:"mode"`
}

// BrandCatalog tunes the catalog snippets.
type BrandCatalog struct {
	// SummaryLimit is the most characters a card's summary shows
	// (default 160).
	SummaryLimit int `yaml:"summary_limit"`
}

// CardSummaryLimit returns the catalog summary limit, defaulted.
func (b *Brand) CardSummaryLimit() int {
	if b.Catalog.SummaryLimit > 0 {
		return b.Catalog.SummaryLimit
	}
	return 160
}

// BrandPortal tunes the portal pages.
type BrandPortal struct {
	// TOCMinHeadings is how many h2/h3 headings make a page long enough
	// for a table of contents (default 4).
	TOCMinHeadings int `yaml:"toc_min_headings"`
}

// BrandFile is a file of the kit, with a content hash for cache-busting
// names.
type BrandFile struct {
	Name   string
	Data   []byte
	SHA256 string
	Width  int // raster images only
	Height int
}

// HashedName returns "name-<8 hex>.ext", the name the file is published as.
func (f *BrandFile) HashedName() string {
	ext := path.Ext(f.Name)
	return strings.TrimSuffix(path.Base(f.Name), ext) + "-" + f.SHA256[:8] + ext
}

var (
	fontStackRE = regexp.MustCompile(`^[\p{L}0-9 ,'"._-]{1,200}$`)
	brandIDRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
)

// Limits of a brand kit's files.
const (
	MaxBrandYAML = 256 << 10 // bytes of brand.yaml
	MaxBrandFile = 4 << 20   // bytes of each logo or font
)

// LoadBrand reads brand.yaml and the files it names from fsys. id is used
// when the file sets none (normally the folder's name). name is shown in
// diagnostics.
func LoadBrand(fsys fs.FS, id, name string) (*Brand, error) {
	d := &diags{file: name}
	src, err := readInput(fsys, "brand.yaml", MaxBrandYAML, func(size int64) string {
		if size < 0 {
			return fmt.Sprintf("brand.yaml grew past the limit of %d bytes (256 KiB) while it was read", MaxBrandYAML)
		}
		return fmt.Sprintf("brand.yaml is %d bytes; the limit is %d bytes (256 KiB)", size, MaxBrandYAML)
	})
	if err != nil {
		return nil, Errors{{File: name, Code: codeFor(err), Message: err.Error()}}
	}
	if !utf8.Valid(src) {
		line, col := offsetPos(src, firstInvalidUTF8(src))
		d.errorf(line, col, "", EInvalid, "the file is not valid UTF-8 text")
		return nil, d.err()
	}
	b := &Brand{}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, col, msg := yamlSyntaxPos(src, err)
		d.errorf(line, col, "", EInvalid, "YAML syntax: %s", msg)
		return nil, d.err()
	}
	if len(doc.Content) == 0 {
		return nil, Errors{{File: name, Code: EInvalid, Message: "brand.yaml is empty"}}
	}
	if rejectYAMLExtras(d, &doc) {
		return nil, d.err()
	}
	decodeStrict(d, &doc, reflect.ValueOf(b).Elem(), "")
	if len(d.errs) > 0 {
		return nil, d.err()
	}
	pos := func(field string) (int, int) { return fieldPos(src, field) }
	b.validate(d, pos, id)
	b.loadFiles(d, fsys, pos)
	if err := d.err(); err != nil {
		return nil, err
	}
	b.checkContrast(d, pos)
	b.Warnings = d.warns
	return b, nil
}

func (b *Brand) validate(d *diags, pos func(string) (int, int), id string) {
	if n := b.Catalog.SummaryLimit; n != 0 && (n < 40 || n > 1000) {
		l, c := pos("catalog.summary_limit")
		d.errorf(l, c, "catalog.summary_limit", EInvalid, "must be between 40 and 1000 characters, not %d", n)
	}
	fail := func(field, format string, args ...any) {
		l, c := pos(field)
		if l == 0 {
			l, c = 1, 1
		}
		d.errorf(l, c, field, EInvalid, format, args...)
	}
	if b.ID == "" {
		b.ID = id
	}
	if !brandIDRE.MatchString(b.ID) {
		fail("id", "must be lower-case letters, digits and dashes (it names folders and URLs), not %q", b.ID)
	}
	if strings.TrimSpace(b.Name) == "" {
		fail("name", "is required")
	}
	if u, err := url.Parse(b.Site); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		fail("site", "must be an absolute http(s) URL without query, like https://example.com, not %q", b.Site)
	} else {
		b.Site = strings.TrimRight(b.Site, "/")
	}
	if b.Lang == "" {
		b.Lang = "en"
	}
	if t, err := language.Parse(b.Lang); err != nil {
		fail("lang", "%q is not a language tag like en or nl", b.Lang)
	} else {
		b.Lang = t.String()
	}
	if b.Compat != "" && b.Compat != CompatHugo && b.Compat != CompatJekyll {
		fail("compat", "must be hugo or jekyll, not %q", b.Compat)
	}
	switch b.CompatShortcodes {
	case "":
		b.CompatShortcodes = ShortcodesStrip
	case ShortcodesStrip, ShortcodesError, ShortcodesKeep:
	default:
		fail("compat_shortcodes", "must be strip, error or keep, not %q", b.CompatShortcodes)
	}
	c := &b.Colors
	for name, col := range map[string]Color{"colors.primary": c.Primary, "colors.text": c.Text, "colors.background": c.Background} {
		if !col.Set {
			fail(name, "is required")
		}
	}
	c.Accent = c.Accent.Or(c.Primary)
	c.Muted = c.Muted.Or(c.Text)
	c.Surface = c.Surface.Or(c.Background)
	dk := &c.Dark
	dk.Background = dk.Background.Or(Color{18, 18, 20, true})
	dk.Text = dk.Text.Or(Color{236, 236, 236, true})
	// An unset dark colour is derived from its light one, lightened until
	// it reads on the dark background.
	dk.Primary = dk.Primary.Or(Readable(c.Primary, dk.Background))
	dk.Muted = dk.Muted.Or(dk.Text)
	dk.Surface = dk.Surface.Or(dk.Background)

	for field, stack := range map[string]*string{"fonts.heading": &b.Fonts.Heading, "fonts.body": &b.Fonts.Body, "fonts.mono": &b.Fonts.Mono} {
		if *stack == "" {
			continue
		}
		if !fontStackRE.MatchString(*stack) {
			fail(field, "must be a CSS font list like `Georgia, serif` with no ; { } < > characters")
		}
	}
	if b.Fonts.Body == "" {
		b.Fonts.Body = `system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`
	}
	if b.Fonts.Heading == "" {
		b.Fonts.Heading = b.Fonts.Body
	}
	if b.Fonts.Mono == "" {
		b.Fonts.Mono = `ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace`
	}
	if b.Logo.Width == 0 {
		b.Logo.Width = 160
	} else if w := b.Logo.Width; w < 16 || w > 2000 {
		fail("logo.width", "must be between 16 and 2000 pixels, not %d", w)
	}
	if n := b.Portal.TOCMinHeadings; n < 0 || n > 100 {
		fail("portal.toc_min_headings", "must be between 1 and 100 headings, not %d", n)
	}
	if b.Logo.Alt == "" {
		b.Logo.Alt = b.Name
	}

	urls := map[string]string{
		"email.subscribe_url": b.Email.SubscribeURL, "email.unsubscribe_url": b.Email.UnsubscribeURL,
	}
	b.Social.validate(fail, urls)
	for field, u := range urls {
		if u != "" && !isAbsURL(u) {
			fail(field, "must be an absolute http(s) URL, not %q", u)
		}
	}
	b.validateEmail(fail)
	b.Email.validateTopics(fail)
	b.Email.Test.check("email.test", fail)
	b.validateTargets(fail)
	if !validEmailMode(b.Email.Mode) {
		fail("email.mode", "must be full or teaser, not %q", b.Email.Mode)
	}
	b.validateDigests(fail)
	b.validateSources(fail)
	for lang, strs := range b.Strings {
		if _, err := language.Parse(lang); err != nil {
			fail("strings", "%q is not a language tag", lang)
		}
		for k := range strs {
			if _, ok := builtinStrings["en"][k]; !ok {
				msg := fmt.Sprintf("strings.%s.%s is not a known string", lang, k)
				if s := suggest(k, keys(builtinStrings["en"])); s != "" {
					msg += ", did you mean `" + s + "`?"
				}
				fail("strings", "%s", msg)
			}
		}
	}
}

// validateEmail refuses every brand value that becomes a header of the
// email and that mailhdr, which builds those headers, would refuse: here
// it gets the line and column in brand.yaml, rather than failing each
// render. The defaults derived from the site's domain are checked too.
func (b *Brand) validateEmail(fail func(field, format string, args ...any)) {
	e := &b.Email
	for field, v := range map[string]string{"name": b.Name, "email.from_name": e.FromName} {
		if err := mailhdr.CheckText(v); err != nil {
			fail(field, "becomes a display name in the email's headers and %v", err)
		}
	}
	for field, v := range map[string]string{"email.from_address": e.FromAddress, "email.reply_to": e.ReplyTo} {
		if v == "" {
			continue
		}
		if _, err := mailhdr.Address(v); err != nil {
			fail(field, "must be a plain address like news@example.com; %q %v", v, err)
		}
	}
	if e.ListID != "" {
		if _, _, err := mailhdr.ListID(e.ListID); err != nil {
			fail("email.list_id", "must be a list id like news.example.com or `Our News <news.example.com>` (RFC 2919); %v", err)
		}
	}
	if u := e.UnsubscribeURL; u != "" {
		if err := mailhdr.HTTPSURL(u); err != nil {
			fail("email.unsubscribe_url", "goes into List-Unsubscribe, so it must be an absolute https:// URL; %q %v", u, err)
		}
	}
	if m := e.UnsubscribeMailto; m != "" {
		if err := mailhdr.MailtoURL(m); err != nil {
			fail("email.unsubscribe_mailto", "must be a mailto: URL to one address, like mailto:unsubscribe@example.com; %q %v", m, err)
		}
	}
	// Without from_address and list_id the email uses addresses made
	// from the site's domain (see renderers/email), which must be valid
	// too: a site on an IP address or a bare host name makes neither.
	if dom := b.Domain(); dom != "" {
		if _, err := mailhdr.Address("newsletter@" + dom); e.FromAddress == "" && err != nil {
			fail("email.from_address", "is required: the site's host %q makes no sender address", dom)
		}
		if _, _, err := mailhdr.ListID("news." + dom); e.ListID == "" && err != nil {
			fail("email.list_id", "is required: the site's host %q makes no list id", dom)
		}
	}
}

func isAbsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// loadFiles reads the logos and fonts brand.yaml names.
func (b *Brand) loadFiles(d *diags, fsys fs.FS, pos func(string) (int, int)) {
	b.Files = map[string]*BrandFile{}
	load := func(field, name string) {
		if name == "" {
			return
		}
		l, c := pos(field)
		p := path.Clean(name)
		if !fs.ValidPath(p) {
			d.errorf(l, c, field, EInvalid, "%q must be a file inside the brand folder", name)
			return
		}
		data, err := readInput(fsys, p, MaxBrandFile, func(size int64) string {
			if size < 0 {
				return fmt.Sprintf("the file grew past the limit of %d bytes (4 MiB) while it was read", MaxBrandFile)
			}
			return fmt.Sprintf("the file is %d bytes; the limit is %d bytes (4 MiB)", size, MaxBrandFile)
		})
		if err != nil {
			d.errorf(l, c, field, codeFor(err), "%s: %v", name, err)
			return
		}
		f := &BrandFile{Name: p}
		if strings.HasPrefix(field, "logo.") {
			// Logos are drawn by every channel: refuse one that cannot
			// be, and publish SVG only sanitized.
			if data, f.Width, f.Height, err = prepareLogo(p, data); err != nil {
				d.errorf(l, c, field, codeFor(err), "%s: %v", name, err)
				return
			}
		}
		if strings.HasPrefix(field, "fonts.files.") {
			if err := CheckFont(data); err != nil {
				d.errorf(l, c, field, codeFor(err), "%s: %v", name, err)
				return
			}
		}
		sum := sha256.Sum256(data)
		f.Data, f.SHA256 = data, hex.EncodeToString(sum[:])
		b.Files[name] = f
	}
	if b.Logo.Src == "" {
		l, c := pos("logo")
		d.errorf(l, c, "logo.src", EInvalid, "is required: an SVG or PNG logo file in the brand folder")
	}
	load("logo.src", b.Logo.Src)
	load("logo.dark", b.Logo.Dark)
	for k, f := range b.Fonts.Files {
		load("fonts.files."+k, f)
	}
}

// checkContrast warns when a colour pair the channels use is below WCAG AA.
func (b *Brand) checkContrast(d *diags, pos func(string) (int, int)) {
	l, c := pos("colors")
	c0 := b.Colors
	pairs := []struct {
		what   string
		fg, bg Color
	}{
		{"text on background", c0.Text, c0.Background},
		{"muted text on background", c0.Muted, c0.Background},
		{"links (primary) on background", c0.Primary, c0.Background},
		{"text on surface", c0.Text, c0.Surface},
		{"dark-mode text on background", c0.Dark.Text, c0.Dark.Background},
		{"dark-mode links (primary) on background", c0.Dark.Primary, c0.Dark.Background},
		{"dark-mode muted text on background", c0.Dark.Muted, c0.Dark.Background},
	}
	for _, p := range pairs {
		if r := Contrast(p.fg, p.bg); r < ContrastAA {
			d.warnf(l, c, "colors", "%s has contrast %.2f:1 (%s on %s); WCAG AA needs %.1f:1", p.what, r, p.fg.Hex(), p.bg.Hex(), ContrastAA)
		}
	}
}

// Domain is the brand site's host as people say it, without "www.":
// "kestrel.example".
func (b *Brand) Domain() string {
	u, err := url.Parse(b.Site)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// LogoFile returns the light logo file.
func (b *Brand) LogoFile() *BrandFile { return b.Files[b.Logo.Src] }

// DarkLogoFile returns the dark-mode logo, or nil.
func (b *Brand) DarkLogoFile() *BrandFile { return b.Files[b.Logo.Dark] }
