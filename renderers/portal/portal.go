// Package portal renders an item as a complete, branded HTML5 page for the
// brand's web portal: responsive images, heading anchors, a table of
// contents for long items, OpenGraph and JSON-LD metadata, and the block
// of cross-links to the newsletter, the social networks and the catalog.
package portal

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/jsonld"
	"github.com/crosscast/crosscast/renderers/markup"
	"github.com/crosscast/crosscast/renderers/signup"
	"github.com/crosscast/crosscast/templates"
)

// Channel is the portal's channel name.
const Channel = content.ChanPortal

// PageFile is the page, the rendering's preview; its images and styles
// are the other files, named as the page refers to them.
const PageFile = "index.html"

// sizes tells browsers how wide images show: the full viewport on small
// screens, the 42rem column (plus padding) above that.
const sizes = "(min-width: 45rem) 42rem, 100vw"

// Renderer renders portal pages. Create it once with New; it is safe for
// concurrent use.
type Renderer struct {
	page    *template.Template
	css     *texttemplate.Template
	codeCSS string
	conv    *markup.Converter
	cache   *images.Cache
}

// New parses the portal templates. cache may be nil.
func New(cache *images.Cache) (*Renderer, error) {
	page, err := template.ParseFS(templates.FS, "portal/page.html.tmpl", signup.TemplateFile)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	cssSrc, err := fs.ReadFile(templates.FS, "portal/style.css.tmpl")
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	css, err := texttemplate.New("css").Option("missingkey=error").Parse(string(cssSrc))
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	code, err := markup.CodeCSS()
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	return &Renderer{page: page, css: css, codeCSS: code, conv: markup.New(), cache: cache}, nil
}

// Channel implements renderers.Renderer.
func (r *Renderer) Channel() string { return Channel }

// pageImage is one <img> as the template writes it.
type pageImage struct {
	Src, Srcset, Sizes, Alt, Type string
	Width, Height                 int
	// URL is the largest version, absolute, for JSON-LD's image;
	// URLWidth and URLHeight are its size.
	URL                 string
	URLWidth, URLHeight int
}

type tocEntry struct {
	ID, Text string
	Children []*tocEntry
}

type product struct{ Price, Availability, SKU string }

// page is the template's data.
type page struct {
	Item   *content.Item
	Brand  *content.Brand
	Links  *content.LinkPlan
	Lang   string
	Dir    string
	CSS    template.CSS
	JSONLD template.JS
	Body   template.HTML

	OGType, OGLocale, TwitterSite string
	OGImage                       *pageImage
	Hero                          *pageImage
	Logo                          pageImage
	DarkLogo                      *pageImage
	Product                       *product
	TOC                           []*tocEntry
	TOCLong                       bool // collapsed behind <details> on narrow screens
	Shares                        []content.Share
	ThemeColor                    string
	NoIndex                       bool
	Published, Modified           string
	DateText, UpdatedText         string
	ReadingMinutes                int
	// SignUp is the subscribe block's form; nil without a sign-up
	// handler to post to.
	SignUp *signup.Form
}

// T looks up a boilerplate string in the page's language.
func (p *page) T(key string, pairs ...any) string {
	s := make([]string, len(pairs))
	for i, v := range pairs {
		s[i] = fmt.Sprint(v)
	}
	return p.Brand.T(p.Lang, key, s...)
}

// Render implements renderers.Renderer.
func (r *Renderer) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	it, b, links := in.Item, in.Brand, in.Links
	out := &renderers.Output{Metrics: map[string]float64{}}
	files := newFileSet()

	p := &page{
		Item: it, Brand: b, Links: links,
		Lang: it.Lang, Dir: content.Dir(it.Lang),
		OGType: "article", OGLocale: ogLocale(it.Lang),
		Shares:         links.Shares(it, b),
		ThemeColor:     b.Colors.Primary.Hex(),
		NoIndex:        it.Portal.NoIndex || it.Draft,
		ReadingMinutes: it.ReadingMinutes,
	}
	if links.SignUp != "" {
		p.SignUp = signup.New(b, it.Lang, links.SignUp, signup.VersionPortal)
	}
	if !it.Date.IsZero() {
		p.Published = it.Date.Format(time.RFC3339)
		p.DateText = content.FormatDate(it.Lang, it.Date.Time)
	}
	if !it.Updated.IsZero() {
		p.Modified = it.Updated.Format(time.RFC3339)
		if !it.Updated.Time.Equal(it.Date.Time) {
			p.UpdatedText = content.FormatDate(it.Lang, it.Updated.Time)
		}
	}
	if x := b.Social.X; x != nil && x.Handle != "" {
		p.TwitterSite = "@" + strings.TrimPrefix(x.Handle, "@")
	}
	if pr := it.Product; pr != nil {
		p.OGType = "product"
		p.Product = &product{
			Price:        content.FormatPrice(it.Lang, pr.Price, pr.Currency),
			Availability: b.T(it.Lang, pr.Availability),
			SKU:          pr.SKU,
		}
	}

	p.Logo = files.addBrand(b.LogoFile(), b.Logo.Width)
	if f := b.DarkLogoFile(); f != nil {
		dl := files.addBrand(f, b.Logo.Width)
		p.DarkLogo = &dl
	}

	if ref := it.HeroImage(); ref != nil {
		hero, err := r.publishImage(ctx, files, ref, links.Canonical)
		if err != nil {
			return nil, err
		}
		p.Hero = hero
		if ref.Asset == nil {
			out.Warnings = append(out.Warnings, remoteWarning(it, ref))
		}
	}

	body, toc, warns, err := r.body(ctx, files, in, p)
	if err != nil {
		return nil, err
	}
	out.Warnings = append(out.Warnings, warns...)
	p.Body = template.HTML(body) // sanitized by markup, then only our own markup added
	if showTOC(it, b, toc) {
		p.TOC, p.TOCLong = toc, tocEntries(toc) > longTOC
	}

	css, err := r.stylesheet(b)
	if err != nil {
		return nil, err
	}
	p.CSS = template.CSS(css)
	// The link preview is the branded share card the social channel
	// draws, published beside the page: with a hero it frames the photo
	// at its focal point, without one it sets the title on the brand's
	// colour, so no page goes without a preview.
	card := content.NewShareCard(it, b)
	p.OGImage = &pageImage{URL: links.ShareCard, Type: "image/jpeg", Alt: card.Alt,
		URLWidth: content.ShareCardWidth, URLHeight: content.ShareCardHeight}
	// Search engines want the article's own photo; the card stands in
	// where there is none.
	img := jsonld.Images{Item: []string{links.ShareCard}}
	if p.Hero != nil && p.Hero.URL != "" {
		img.Item = []string{p.Hero.URL}
	}
	if p.Logo.Src != "" {
		img.Logo = links.Canonical + p.Logo.Src
	}
	ld, err := jsonld.Describe(it, b, links, img)
	if err != nil {
		return nil, err
	}
	p.JSONLD = template.JS(ld)

	var buf bytes.Buffer
	if err := r.page.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("portal: executing template: %w", err)
	}
	// The page template over a long body can run past the deadline; a
	// rendering nobody waits for any more is not returned as a success.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out.Files = append([]renderers.File{{Name: PageFile, MediaType: "text/html; charset=utf-8", Data: buf.Bytes()}}, files.list...)
	out.Preview = PageFile
	imgBytes := 0
	for _, f := range files.list {
		imgBytes += len(f.Data)
	}
	out.Metrics["html_bytes"] = float64(buf.Len())
	out.Metrics["asset_files"] = float64(len(files.list))
	out.Metrics["asset_bytes"] = float64(imgBytes)
	out.Metrics["words"] = float64(it.Words)
	return out, nil
}

// publishImage publishes ref's derivatives (local) or points at it (remote).
func (r *Renderer) publishImage(ctx context.Context, files *fileSet, ref *content.ImageRef, canonical string) (*pageImage, error) {
	if ref.Asset == nil {
		return &pageImage{Src: ref.Src, Alt: ref.Alt}, nil
	}
	vs, err := files.variants(ctx, r.cache, ref.Asset)
	if err != nil {
		return nil, err
	}
	// The src fallback is the middle width: sharp enough for the column,
	// lighter than the largest.
	src := vs[len(vs)/2]
	var srcset []string
	for _, v := range vs {
		srcset = append(srcset, fmt.Sprintf("%s %dw", v.Name, v.Width))
	}
	big := vs[0]
	return &pageImage{
		Src: src.Name, Srcset: strings.Join(srcset, ", "), Sizes: sizes, Alt: ref.Alt,
		Width: src.Width, Height: src.Height, Type: big.MediaType,
		URL: canonical + big.Name, URLWidth: big.Width, URLHeight: big.Height,
	}, nil
}

func remoteWarning(it *content.Item, ref *content.ImageRef) content.Diagnostic {
	return content.Diagnostic{File: it.Path, Line: ref.Line, Message: fmt.Sprintf("image %s is remote: it is shown as is, without resized versions", ref.Src)}
}

// showTOC decides on a table of contents: the item's portal.toc if set,
// else enough headings to need one.
func showTOC(it *content.Item, b *content.Brand, toc []*tocEntry) bool {
	if it.Portal.TOC != nil {
		return *it.Portal.TOC && len(toc) > 0
	}
	min := b.Portal.TOCMinHeadings
	if min == 0 {
		min = 4
	}
	return tocEntries(toc) >= min
}

// longTOC is the most TOC entries shown open on a narrow screen: more would
// push the article's first paragraph below a phone's first screen.
const longTOC = 6

func tocEntries(toc []*tocEntry) int {
	n := 0
	for _, e := range toc {
		n += 1 + len(e.Children)
	}
	return n
}

// ogLocale turns "nl" into "nl_NL", the territory form OpenGraph wants.
func ogLocale(lang string) string {
	base, region, ok := strings.Cut(lang, "-")
	if ok {
		return strings.ToLower(base) + "_" + strings.ToUpper(region)
	}
	if base == "en" || base == "" {
		return "en_US"
	}
	return base + "_" + strings.ToUpper(base)
}

// fileSet gathers the page's asset files, each once.
type fileSet struct {
	list []renderers.File
	seen map[string]bool
	vars map[string][]images.Variant
}

func newFileSet() *fileSet {
	return &fileSet{seen: map[string]bool{}, vars: map[string][]images.Variant{}}
}

func (fsx *fileSet) add(name, mediaType string, data []byte) {
	if fsx.seen[name] {
		return
	}
	fsx.seen[name] = true
	fsx.list = append(fsx.list, renderers.File{Name: name, MediaType: mediaType, Data: data})
}

func (fsx *fileSet) variants(ctx context.Context, c *images.Cache, a *content.Asset) ([]images.Variant, error) {
	if vs, ok := fsx.vars[a.Name]; ok {
		return vs, nil
	}
	vs, err := images.Resize(ctx, c, a, images.WebWidths())
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		fsx.add(v.Name, v.MediaType, v.Data)
	}
	fsx.vars[a.Name] = vs
	return vs, nil
}

// addBrand publishes a brand file (a logo) under its hashed name and
// returns it sized for display width w.
func (fsx *fileSet) addBrand(f *content.BrandFile, w int) pageImage {
	if f == nil {
		return pageImage{}
	}
	name := f.HashedName()
	fsx.add(name, mediaType(name), f.Data)
	im := pageImage{Src: name, Width: w}
	if f.Width > 0 && f.Height > 0 {
		im.Height = max(1, w*f.Height/f.Width)
	} else {
		im.Width = 0
	}
	return im
}

func mediaType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	}
	return "application/octet-stream"
}
