package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"image/png"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	xhtml "golang.org/x/net/html"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/markup"
)

// emailImage is an <img> as the email writes it: absolute URL, the size
// it shows at, and alt text.
type emailImage struct {
	Src           string
	Width, Height int
	Alt           string
}

// emailImages are the item's pictures made for email: JPEG or PNG (no
// WebP, which Outlook and older clients do not show), 1200 px wide.
type emailImages struct {
	files          []images.Variant
	byAsset        map[string]images.Variant // asset SHA-256 → its email image
	base           string                    // absolute URL of ImageDir
	hero           *emailImage
	logo, darkLogo *emailImage
}

func (r *Renderer) images(ctx context.Context, it *content.Item, b *content.Brand, links *content.LinkPlan) (*emailImages, []content.Diagnostic, error) {
	imgs := &emailImages{byAsset: map[string]images.Variant{}, base: links.Canonical + "email/" + ImageDir}
	var warns []content.Diagnostic
	for _, ref := range it.Images {
		if ref.Asset == nil {
			warns = append(warns, content.Diagnostic{File: it.Path, Line: ref.Line, Field: "hero.src",
				Message: fmt.Sprintf("remote image %s is linked as it is: its size is unknown, so email clients may show it at full size", ref.Src)})
			continue
		}
		if _, done := imgs.byAsset[ref.Asset.SHA256]; done {
			continue
		}
		vs, err := images.Resize(ctx, r.cache, ref.Asset, []int{imageWidth})
		if err != nil {
			return nil, nil, err
		}
		imgs.byAsset[ref.Asset.SHA256] = vs[0]
		imgs.files = append(imgs.files, vs[0])
	}
	if ref := it.HeroImage(); ref != nil && ref.Asset != nil {
		imgs.hero = imgs.show(imgs.byAsset[ref.Asset.SHA256], Width, ref.Alt)
	}
	var err error
	if imgs.logo, err = r.logoImage(ctx, imgs, b, b.LogoFile()); err != nil {
		return nil, nil, err
	}
	if imgs.darkLogo, err = r.logoImage(ctx, imgs, b, b.DarkLogoFile()); err != nil {
		return nil, nil, err
	}
	return imgs, warns, nil
}

// logoImage is the logo as a PNG at twice its display width (the brand's
// logo.width), since Gmail and Outlook show no SVG.
func (r *Renderer) logoImage(ctx context.Context, imgs *emailImages, b *content.Brand, f *content.BrandFile) (*emailImage, error) {
	if f == nil {
		return nil, nil // the header names the brand instead
	}
	if f.Width <= 0 || f.Height <= 0 {
		// content.LoadBrand refuses such a logo; a brand that skipped it
		// gets the reason here, not a template's nil pointer.
		return nil, fmt.Errorf("logo %s: its size is unknown (an SVG needs a viewBox), so it cannot be drawn", f.Name)
	}
	w := min(b.Logo.Width, Width-64)
	h := int(math.Round(float64(f.Height) * float64(w) / float64(f.Width)))
	// Encoding the PNG is most of an email's render time: keep it.
	key := fmt.Sprintf("email-logo/%s/%dx%d", f.SHA256, 2*w, 2*h)
	v, ok := r.cache.Load(ctx, key)
	if !ok {
		img, err := r.logos.Raster(f, 2*h, 2*w)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(buf.Bytes())
		base := strings.TrimSuffix(path.Base(f.Name), path.Ext(f.Name))
		v = images.Variant{Name: fmt.Sprintf("%s-%s.png", content.Slugify(base), hex.EncodeToString(sum[:4])), MediaType: "image/png",
			Width: img.Rect.Dx(), Height: img.Rect.Dy(), Data: buf.Bytes()}
		r.cache.Store(ctx, key, v)
	}
	imgs.files = append(imgs.files, v)
	return &emailImage{Src: imgs.base + v.Name, Width: w, Height: h, Alt: b.Logo.Alt}, nil
}

// show is an image at display width w, its height in proportion.
func (e *emailImages) show(v images.Variant, w int, alt string) *emailImage {
	w = min(w, v.Width)
	h := int(math.Round(float64(v.Height) * float64(w) / float64(v.Width)))
	return &emailImage{Src: e.base + v.Name, Width: w, Height: h, Alt: alt}
}

// blocks turns the sanitized body (raw, from markup) into table rows, one per top-level
// block: text in a padded cell, a lone image as a full-width figure with
// its caption under it (figure and figcaption are not styled by Outlook).
// Every link is absolute and carries the email's UTM; the body's own h1
// headings move down a level under the title.
func blocks(it *content.Item, raw []byte, imgs *emailImages, link func(string) string) ([]template.HTML, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(append(append([]byte(`<div id="cc-root">`), raw...), "</div>"...)))
	if err != nil {
		return nil, fmt.Errorf("email: reading body html: %w", err)
	}
	root := doc.Find("#cc-root")
	markup.DemoteHeadings(root)
	root.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if strings.HasPrefix(href, "mailto:") {
			return
		}
		s.SetAttr("href", link(href))
	})
	// Ids and heading anchors mean nothing in a mail client.
	root.Find("[id]").RemoveAttr("id")

	var out []template.HTML
	for n := range root.Nodes[0].ChildNodes() {
		if n.Type == xhtml.TextNode && strings.TrimSpace(n.Data) == "" {
			continue
		}
		s := goquery.NewDocumentFromNode(n).Selection
		if fig := figureOf(s); fig != nil {
			ref := it.BodyImage(fig.src)
			var img *emailImage
			if ref != nil && ref.Asset != nil {
				img = imgs.show(imgs.byAsset[ref.Asset.SHA256], Width, fig.alt)
			} else {
				img = &emailImage{Src: content.Resolve(imgs.base, fig.src), Width: Width, Alt: fig.alt}
			}
			out = append(out, figureRow(img, fig.caption))
			continue
		}
		// Images inside text fit the padded column.
		s.Find("img").Each(func(_ int, im *goquery.Selection) {
			src, _ := im.Attr("src")
			alt, _ := im.Attr("alt")
			im.SetAttr("alt", alt)
			im.RemoveAttr("loading")
			if ref := it.BodyImage(src); ref != nil && ref.Asset != nil {
				e := imgs.show(imgs.byAsset[ref.Asset.SHA256], textColumn, alt)
				im.SetAttr("src", e.Src)
				im.SetAttr("width", strconv.Itoa(e.Width))
				im.SetAttr("height", strconv.Itoa(e.Height))
			} else {
				im.SetAttr("src", content.Resolve(imgs.base, src))
			}
		})
		h, err := goquery.OuterHtml(s)
		if err != nil {
			return nil, err
		}
		if s.Is("table, pre") {
			// A table or code wider than the column scrolls sideways in
			// its own box instead of breaking words or widening the email.
			h = `<div class="scroll">` + h + `</div>`
		}
		out = append(out, template.HTML(`<tr><td class="block">`+h+`</td></tr>`))
	}
	return out, nil
}

type figure struct{ src, alt, caption string }

// figureOf recognises a paragraph (or figure) holding only an image.
func figureOf(s *goquery.Selection) *figure {
	if !s.Is("p, figure") || s.Find("img").Length() != 1 {
		return nil
	}
	img := s.Find("img")
	caption := strings.TrimSpace(s.Find("figcaption").Text())
	if s.Is("p") {
		if strings.TrimSpace(s.Text()) != "" || s.Children().Length() != 1 || !s.Children().Is("img") {
			return nil
		}
		caption, _ = img.Attr("title")
	}
	src, _ := img.Attr("src")
	alt, _ := img.Attr("alt")
	return &figure{src: src, alt: alt, caption: strings.TrimSpace(caption)}
}

func figureRow(img *emailImage, caption string) template.HTML {
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<tr><td class="figure"><img src="%s" width="%d"`, esc(img.Src), img.Width)
	if img.Height > 0 {
		fmt.Fprintf(&b, ` height="%d"`, img.Height)
	}
	fmt.Fprintf(&b, ` alt="%s">`, esc(img.Alt))
	if caption != "" {
		fmt.Fprintf(&b, `<p class="caption">%s</p>`, esc(caption))
	}
	b.WriteString(`</td></tr>`)
	return template.HTML(b.String())
}

// plainText is the text part: the title, the lead, the body from the
// Markdown tree, the call to action, and the footer with the unsubscribe
// address; links are numbered and listed at the end.
func (r *Renderer) plainText(it *content.Item, b *content.Brand, d pageData, link func(string) string) []byte {
	w := newTextWriter(it.Body, link)
	lv := func(label, value string) string { return b.T(it.Lang, "label_value", "label", label, "value", value) }
	w.out.WriteString(lv(d.T["view_in_browser"], d.WebURL) + "\n\n")
	w.title(it.Title)
	if d.Lead != "" {
		w.para(d.Lead, "", "")
	}
	if d.Teaser != nil {
		w.teaser(it.Doc)
		w.para(lv(d.Teaser.Label, d.Teaser.URL), "", "")
	} else {
		w.blocks(it.Doc, "", "")
	}
	if d.CTA != nil {
		w.para(lv(content.CTAText(d.CTA.Label, d.CTA.URL, it.Lang), d.CTA.URL), "", "")
	}
	if len(w.refs) > 0 {
		w.out.WriteString(strings.Repeat("-", 20) + "\n")
		for i, u := range w.refs {
			fmt.Fprintf(&w.out, "[%d] %s\n", i+1, u)
		}
		w.out.WriteString("\n")
	}
	w.out.WriteString(strings.Repeat("-", 20) + "\n")
	footer := b.Name
	if d.Address != "" {
		footer += " · " + d.Address
	}
	w.para(footer, "", "")
	if d.Legal != "" {
		w.para(d.Legal, "", "")
	}
	w.out.WriteString(lv(d.T["unsubscribe"], d.UnsubscribeURL) + "\n")
	if d.ManageURL != "" {
		w.out.WriteString(lv(d.T["manage_prefs"], d.ManageURL) + "\n")
	}
	return w.out.Bytes()
}
