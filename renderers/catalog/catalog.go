// Package catalog renders an item's catalog snippet: a self-contained card
// for any page, plain JSON for APIs, schema.org JSON-LD, and a print
// snippet with a QR code back to the portal. It also writes the entry the
// brand's catalog index and feeds are built from (index.go).
package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/jsonld"
	"github.com/crosscast/crosscast/renderers/markup"
	"github.com/crosscast/crosscast/renderers/signup"
	"github.com/crosscast/crosscast/templates"
)

// Channel is the catalog's channel name.
const Channel = content.ChanCatalog

// File names of the rendering, besides EntryFile and the thumbnails.
const (
	CardFile      = "card.html"      // the card, the preview
	APIFile       = "catalog.json"   // the APIEntry
	JSONLDFile    = "catalog.jsonld" // schema.org data
	PrintHTMLFile = "print.html"     // the print snippet with its QR code
	PrintTextFile = "print.txt"
)

// Thumbnail sizes: the card shows 400 CSS pixels, 800 for 2× screens.
const (
	thumbSize   = 400
	thumbSize2x = 800
)

// Renderer renders catalog snippets. Create it once with New; it is safe
// for concurrent use.
type Renderer struct {
	card  *template.Template
	print *template.Template
	index *template.Template
	conv  *markup.Converter
	cache *images.Cache
	qrs   qrCache
}

// New parses the catalog templates. cache may be nil.
func New(cache *images.Cache) (*Renderer, error) {
	card, err := template.ParseFS(templates.FS, "catalog/card.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	print, err := template.ParseFS(templates.FS, "catalog/print.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	index, err := template.Must(card.Clone()).ParseFS(templates.FS, "catalog/index.html.tmpl", "catalog/home.html.tmpl", signup.TemplateFile)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return &Renderer{card: card, print: print, index: index, conv: markup.New(), cache: cache}, nil
}

// Channel implements renderers.Renderer.
func (r *Renderer) Channel() string { return Channel }

// AssetBase is where an item's catalog files are published, below the
// brand site: /catalog/items/<portal path>. Cards embedded elsewhere
// point at their thumbnails there, so the URLs are absolute.
func AssetBase(it *content.Item, b *content.Brand) string {
	return b.Site + "/catalog/items" + content.PortalPath(it, b)
}

// Render implements renderers.Renderer.
func (r *Renderer) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	it, b, links := in.Item, in.Brand, in.Links
	out := &renderers.Output{Metrics: map[string]float64{}}
	add := func(name, mediaType string, data []byte) {
		out.Files = append(out.Files, renderers.File{Name: name, MediaType: mediaType, Data: data})
	}
	e, thumbs, err := r.entry(ctx, it, b, links)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if it.HeroImage() == nil {
		out.Warnings = append(out.Warnings, it.Warning("hero", "no hero image: the catalog card shows text only"))
	} else if it.HeroImage().Asset == nil {
		out.Warnings = append(out.Warnings, it.Warning("hero.src", "remote hero images are not fetched yet: the catalog card shows text only"))
	}

	var card bytes.Buffer
	if err := r.card.Execute(&card, struct {
		Style any
		Entry *Entry
	}{cardStyle(b), e}); err != nil {
		return nil, fmt.Errorf("catalog card: %w", err)
	}
	add(CardFile, "text/html; charset=utf-8", card.Bytes())
	for _, v := range thumbs {
		add(v.Name, v.MediaType, v.Data)
	}

	api, err := json.MarshalIndent(e.API(), "", "  ")
	if err != nil {
		return nil, err
	}
	add(APIFile, "application/json", append(api, '\n'))

	img := jsonld.Images{}
	if e.Image != "" {
		img.Item = []string{e.Image}
	}
	if f := b.LogoFile(); f != nil {
		img.Logo = b.Site + "/" + f.HashedName()
	}
	ld, err := jsonld.Describe(it, b, links, img)
	if err != nil {
		return nil, err
	}
	add(JSONLDFile, "application/ld+json", append(ld, '\n'))

	printFiles, err := r.printSnippet(it, b, links, e)
	if err != nil {
		return nil, err
	}
	out.Files = append(out.Files, printFiles...)

	entry, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	add(EntryFile, "application/json", append(entry, '\n'))

	out.Metrics["card_bytes"] = float64(card.Len())
	out.Metrics["thumbnails"] = float64(len(thumbs))
	out.Preview = CardFile
	if err := ctx.Err(); err != nil {
		return nil, err // finished past the deadline: nobody waits for it
	}
	return out, nil
}

// EntryFile is the rendering the brand index is built from: one item's
// card, API and feed data, so the index never parses Markdown again.
const EntryFile = "entry.json"

// Tag is a tag with its catalog page.
type Tag struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
	URL  string `json:"url"`
	// CardURL is URL with the catalog's UTM, as the card's main link has
	// it; entries stored before it existed have none and the card falls
	// back to URL.
	CardURL string `json:"card_url,omitempty"`
}

// Entry is everything the card, the APIs and the feeds say about one item.
type Entry struct {
	ID        string `json:"id"` // shared by translations
	Slug      string `json:"slug"`
	Lang      string `json:"lang"`
	Dir       string `json:"dir"`
	BrandID   string `json:"brand"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Author    string `json:"author,omitempty"`
	URL       string `json:"url"` // canonical, no UTM
	Published string `json:"published,omitempty"`
	Modified  string `json:"modified,omitempty"`
	Tags      []Tag  `json:"tags"`

	// The card.
	CardSummary string `json:"card_summary"`
	CTAURL      string `json:"cta_url"` // with the catalog's UTM
	CTALabel    string `json:"cta_label"`
	TagsLabel   string `json:"tags_label"`
	Thumb       string `json:"thumb,omitempty"`
	Thumb2x     string `json:"thumb_2x,omitempty"`
	ThumbSize   int    `json:"thumb_size,omitempty"`
	ThumbAlt    string `json:"thumb_alt,omitempty"`
	Image       string `json:"image,omitempty"` // the largest square, for feeds

	// Products only.
	Product           bool   `json:"product"`
	SKU               string `json:"sku,omitempty"`
	Price             string `json:"price_text,omitempty"` // formatted for the item's language
	Amount            string `json:"price,omitempty"`      // "1299.00"
	Currency          string `json:"currency,omitempty"`
	Availability      string `json:"availability,omitempty"` // schema.org URL
	AvailabilityLabel string `json:"availability_text,omitempty"`

	// Feeds carry the full text: sanitized HTML with absolute URLs.
	ContentHTML string `json:"content_html"`
	// Hidden items render but stay out of the index and feeds; drafts
	// stay out of everything; noindex pages stay out of the sitemap.
	Hidden  bool `json:"hidden,omitempty"`
	Draft   bool `json:"draft,omitempty"`
	NoIndex bool `json:"noindex,omitempty"`
}

// APIEntry is catalog.json: the plain object for APIs.
type APIEntry struct {
	ID           string   `json:"id"`
	Slug         string   `json:"slug"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	URL          string   `json:"url"`
	Images       []string `json:"images"`
	Price        *string  `json:"price"`
	Currency     *string  `json:"currency"`
	Availability *string  `json:"availability"`
	Tags         []string `json:"tags"`
	Lang         string   `json:"lang"`
	Updated      string   `json:"updated,omitempty"`
}

// API returns the entry's catalog.json shape. Price fields are null for
// articles, so clients see the same keys for every item.
func (e *Entry) API() APIEntry {
	a := APIEntry{ID: e.ID, Slug: e.Slug, Title: e.Title, Summary: e.Summary, URL: e.URL,
		Images: []string{}, Tags: []string{}, Lang: e.Lang, Updated: e.Modified}
	for _, u := range []string{e.Image, e.Thumb} {
		if u != "" {
			a.Images = append(a.Images, u)
		}
	}
	for _, t := range e.Tags {
		a.Tags = append(a.Tags, t.Name)
	}
	if e.Product {
		av := strings.TrimPrefix(e.Availability, "https://schema.org/") // "InStock"
		a.Price, a.Currency, a.Availability = &e.Amount, &e.Currency, &av
	}
	return a
}

func (r *Renderer) entry(ctx context.Context, it *content.Item, b *content.Brand, links *content.LinkPlan) (*Entry, []images.Variant, error) {
	summary := it.Summary
	if it.Catalog.Summary != "" {
		summary = it.Catalog.Summary
	}
	e := &Entry{
		ID: it.ID, Slug: it.Slug, Lang: it.Lang, Dir: content.Dir(it.Lang), BrandID: b.ID,
		Title: it.Title, Summary: summary, Author: it.Author, URL: links.Canonical,
		CardSummary: Clip(summary, b.CardSummaryLimit(), it.Lang),
		CTAURL:      links.UTM(content.ChanCatalog, "").Apply(links.Canonical),
		CTALabel:    b.T(it.Lang, "read_more"),
		TagsLabel:   b.T(it.Lang, "tags"),
		Tags:        []Tag{},
		Hidden:      it.Catalog.Hidden,
		Draft:       it.Draft,
		NoIndex:     it.Portal.NoIndex,
	}
	if !it.Date.IsZero() {
		e.Published = it.Date.Format(time.RFC3339)
	}
	if m := it.Modified(); !m.IsZero() {
		e.Modified = m.Format(time.RFC3339)
	}
	for _, t := range it.Tags {
		slug := content.Slugify(t)
		if slug == "" {
			continue
		}
		u := b.Site + "/catalog/tags/" + slug + "/"
		e.Tags = append(e.Tags, Tag{Name: t, Slug: slug, URL: u, CardURL: links.UTM(content.ChanCatalog, "").Apply(u)})
	}
	if pr := it.Product; pr != nil {
		e.Product, e.SKU = true, pr.SKU
		e.Price = content.FormatPrice(it.Lang, pr.Price, pr.Currency)
		e.Amount, e.Currency = pr.Price.String(), pr.Currency
		e.Availability = pr.SchemaAvailability()
		e.AvailabilityLabel = b.T(it.Lang, pr.Availability)
		e.CTALabel = b.T(it.Lang, "view_product")
	}
	var thumbs []images.Variant
	if ref := it.HeroImage(); ref != nil && ref.Asset != nil {
		fx, fy := it.Hero.Focus.Point()
		vs, err := images.Square(ctx, r.cache, ref.Asset, fx, fy, []int{thumbSize2x, thumbSize})
		if err != nil {
			return nil, nil, err
		}
		base := AssetBase(it, b)
		small := vs[len(vs)-1]
		e.Thumb, e.ThumbSize, e.ThumbAlt = base+small.Name, min(small.Width, thumbSize), ref.Alt
		e.Image = base + vs[0].Name
		if len(vs) > 1 {
			e.Thumb2x = base + vs[0].Name
		}
		thumbs = vs
	}
	html, err := r.contentHTML(ctx, it, links)
	if err != nil {
		return nil, nil, err
	}
	e.ContentHTML = html
	return e, thumbs, nil
}

// contentHTML is the item's body for feed readers: sanitized, with every
// link and local image made absolute (images point at the portal's
// derivatives, which the portal channel publishes next to the page).
func (r *Renderer) contentHTML(ctx context.Context, it *content.Item, links *content.LinkPlan) (string, error) {
	body, err := r.conv.HTML(it)
	if err != nil {
		return "", err
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<body>" + string(body) + "</body>"))
	if err != nil {
		return "", err
	}
	assets := map[string]*content.Asset{}
	for _, im := range it.Images {
		if im.Asset != nil {
			assets[im.Src] = im.Asset
		}
	}
	var ferr error
	doc.Find("img[src]").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		a := assets[src]
		if a == nil {
			s.SetAttr("src", content.Resolve(links.Canonical, src))
			return
		}
		vs, err := images.Resize(ctx, r.cache, a, images.WebWidths())
		if err != nil {
			ferr = err
			return
		}
		v := vs[len(vs)/2] // the middle width: sharp in a reader's column
		s.SetAttr("src", links.Canonical+v.Name)
		s.SetAttr("width", fmt.Sprint(v.Width))
		s.SetAttr("height", fmt.Sprint(v.Height))
	})
	if ferr != nil {
		return "", ferr
	}
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if strings.HasPrefix(href, "#") {
			s.SetAttr("href", links.Canonical+href)
			return
		}
		s.SetAttr("href", content.Resolve(links.Canonical, href))
	})
	return doc.Find("body").Html()
}

// cardStyle is the card's CSS custom properties for brand b, on the
// brand's own class so cards of several brands can share a page.
func cardStyle(b *content.Brand) any {
	t := b.CSSTokens()
	sel := ".cc-brand-" + b.ID
	css := fmt.Sprintf(`%s{--cc-primary:%s;--cc-on-primary:%s;--cc-accent:%s;--cc-text:%s;--cc-muted:%s;--cc-bg:%s;--cc-surface:%s;--cc-rule:%s;--cc-font-body:%s;--cc-font-heading:%s}
@media (prefers-color-scheme:dark){%s{--cc-primary:%s;--cc-on-primary:%s;--cc-text:%s;--cc-muted:%s;--cc-bg:%s;--cc-surface:%s;--cc-rule:%s}}`,
		sel, t["Primary"], t["OnPrimary"], t["Accent"], t["Text"], t["Muted"], t["Background"], t["Surface"], t["Rule"], t["FontBody"], t["FontHeading"],
		sel, t["DarkPrimary"], t["DarkOnPrimary"], t["DarkText"], t["DarkMuted"], t["DarkBackground"], t["DarkSurface"], t["DarkRule"])
	// The tokens are validated colours and font lists (content.LoadBrand).
	return struct{ Tokens template.CSS }{template.CSS(css)}
}

// printSnippet makes print.txt, qr.png, qr.svg and print.html.
func (r *Renderer) printSnippet(it *content.Item, b *content.Brand, links *content.LinkPlan, e *Entry) ([]renderers.File, error) {
	// A tracked link when the service renders for publishing, so scans
	// count as the print channel; the printed short URL stays the
	// canonical one, which people type.
	target := links.Tracked(content.ChanPrint, links.UTM(content.ChanPrint, "").Apply(links.Canonical))
	pngData, svg, err := r.qrs.draw(target)
	if err != nil {
		return nil, err
	}
	short := shortURL(links.Canonical)

	var txt strings.Builder
	fmt.Fprintf(&txt, "%s\n\n", e.Title)
	if e.Summary != "" {
		fmt.Fprintf(&txt, "%s\n\n", e.Summary)
	}
	if e.Price != "" {
		txt.WriteString(b.T(it.Lang, "label_value", "label", b.T(it.Lang, "price"), "value", e.Price))
		if e.AvailabilityLabel != "" {
			fmt.Fprintf(&txt, " (%s)", e.AvailabilityLabel)
		}
		txt.WriteString("\n\n")
	}
	fmt.Fprintf(&txt, "%s\n", short)

	t := b.CSSTokens()
	css := func(k string) template.CSS { return template.CSS(t[k]) }
	var page bytes.Buffer
	err = r.print.Execute(&page, map[string]any{
		"Lang": it.Lang, "Dir": content.Dir(it.Lang), "Title": e.Title, "BrandName": b.Name,
		"Summary": Clip(e.Summary, 280, e.Lang), "Price": e.Price, "AvailabilityLabel": e.AvailabilityLabel,
		"ShortURL": short, "ShortURLHTML": breakAtSlashes(short),
		"URLSize": template.CSS(strconv.FormatFloat(urlFontSize(short), 'f', -1, 64) + "pt"), "ScanLabel": b.T(it.Lang, "scan_to_read"), "QRAlt": "QR code: " + short,
		"Text": css("Text"), "Muted": css("Muted"), "Primary": css("Primary"), "Rule": css("Rule"),
		"FontBody": css("FontBody"), "FontHeading": css("FontHeading"), "FontMono": css("FontMono"),
	})
	if err != nil {
		return nil, fmt.Errorf("catalog print: %w", err)
	}
	return []renderers.File{
		{Name: PrintTextFile, MediaType: "text/plain; charset=utf-8", Data: []byte(txt.String())},
		{Name: "qr.png", MediaType: "image/png", Data: pngData},
		{Name: "qr.svg", MediaType: "image/svg+xml", Data: svg},
		{Name: PrintHTMLFile, MediaType: "text/html; charset=utf-8", Data: page.Bytes()},
	}, nil
}
