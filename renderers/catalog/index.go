package catalog

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
)

// FeedLimit is how many of the newest items each feed carries (the
// newest FeedFullItems of them with their text); the catalog pages and
// the sitemap list every item.
const FeedLimit = 100

// RenderIndex builds a brand's site home page and catalog pages (all
// items, then one page per tag), its feeds (JSON Feed 1.1, RSS 2.0, Atom 1.0), its product
// feeds (JSON, and RSS with Google's g: namespace) and the portal
// sitemap, from the entries its items' catalog renderings wrote. File
// names are paths below the brand site. It parses no Markdown, so it
// stays fast for large catalogs.
func (r *Renderer) RenderIndex(ctx context.Context, b *content.Brand, entries []Entry) (*renderers.Output, error) {
	out := &renderers.Output{Metrics: map[string]float64{}}
	add := func(name, mediaType string, data []byte) {
		out.Files = append(out.Files, renderers.File{Name: name, MediaType: mediaType, Data: data})
	}
	all := slices.Clone(entries)
	slices.SortStableFunc(all, newestFirst)
	listed := slices.DeleteFunc(slices.Clone(all), func(e Entry) bool { return e.Draft || e.Hidden })

	pages, err := r.indexPages(b, listed)
	if err != nil {
		return nil, err
	}
	out.Files = append(out.Files, pages...)
	home, err := r.homePage(b, listed)
	if err != nil {
		return nil, err
	}
	out.Files = append(out.Files, home)

	feed := feedEntries(b, listed[:min(len(listed), FeedLimit)])
	jf, err := jsonFeed(b, feed)
	if err != nil {
		return nil, err
	}
	add("feed.json", "application/feed+json", jf)
	rss, err := rssFeed(b, feed)
	if err != nil {
		return nil, err
	}
	add("feed.xml", "application/rss+xml", rss)
	atom, err := atomFeed(b, feed)
	if err != nil {
		return nil, err
	}
	add("atom.xml", "application/atom+xml", atom)

	products := slices.DeleteFunc(slices.Clone(listed), func(e Entry) bool { return !e.Product })
	pj, err := productJSON(b, products)
	if err != nil {
		return nil, err
	}
	add("products.json", "application/json", pj)
	px, err := productRSS(b, products)
	if err != nil {
		return nil, err
	}
	add("products.xml", "application/rss+xml", px)

	sm, err := sitemaps(b, all, SitemapMaxURLs, SitemapMaxBytes)
	if err != nil {
		return nil, err
	}
	out.Files = append(out.Files, sm...)
	out.Metrics["items"] = float64(len(listed))
	out.Metrics["products"] = float64(len(products))
	return out, nil
}

// newestFirst orders by publication date, then modification, then title,
// so the order is stable for items without dates.
func newestFirst(a, b Entry) int {
	if c := cmp.Compare(b.Published, a.Published); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Modified, a.Modified); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.Title, b.Title), cmp.Compare(a.Lang, b.Lang))
}

type indexPage struct {
	Lang, Dir, Title, Heading, BrandName, BrandID string
	Canonical, AllURL, AllLabel, TagsLabel        string
	FeedRSS, FeedAtom, FeedJSON                   string
	Home, HomeLabel, FollowLabel                  string
	Social                                        []socialLink
	Tag                                           string // the page's tag slug, "" for all
	Tags                                          []Tag
	Cards                                         []template.HTML
	Style                                         any
}

// socialLink is a brand profile the catalog points back to.
type socialLink struct{ Label, URL string }

func (r *Renderer) indexPages(b *content.Brand, listed []Entry) ([]renderers.File, error) {
	// Each card shows on the full page and on each of its tags' pages:
	// render it once (template execution is most of an index's cost).
	cards := make([]template.HTML, len(listed))
	var buf bytes.Buffer
	for i, e := range listed {
		buf.Reset()
		if err := r.index.ExecuteTemplate(&buf, "card", e); err != nil {
			return nil, fmt.Errorf("catalog card: %w", err)
		}
		cards[i] = template.HTML(buf.String()) // html/template escaped it
	}
	byTag := map[string][]template.HTML{}
	tags := map[string]Tag{}
	for i, e := range listed {
		for _, t := range e.Tags {
			if _, ok := tags[t.Slug]; !ok {
				tags[t.Slug] = t
			}
			byTag[t.Slug] = append(byTag[t.Slug], cards[i])
		}
	}
	tagList := make([]Tag, 0, len(tags))
	for _, t := range tags {
		tagList = append(tagList, t)
	}
	slices.SortFunc(tagList, func(a, b Tag) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	catalog := b.T(b.Lang, "catalog")
	base := indexPage{
		Lang: b.Lang, Dir: content.Dir(b.Lang), BrandName: b.Name, BrandID: b.ID,
		AllURL: b.Site + "/catalog/", AllLabel: b.T(b.Lang, "all_items"), TagsLabel: b.T(b.Lang, "tags"),
		FeedRSS: b.Site + "/feed.xml", FeedAtom: b.Site + "/atom.xml", FeedJSON: b.Site + "/feed.json",
		Tags: tagList, Style: cardStyle(b),
		Home: b.Site + "/", HomeLabel: b.T(b.Lang, "home"), FollowLabel: b.T(b.Lang, "follow_us"),
	}
	for _, n := range b.Social.Networks() {
		if n.Profile.URL != "" {
			base.Social = append(base.Social, socialLink{Label: n.Label, URL: n.Profile.URL})
		}
	}
	var files []renderers.File
	render := func(name string, p indexPage) error {
		var buf bytes.Buffer
		if err := r.index.ExecuteTemplate(&buf, "index", p); err != nil {
			return fmt.Errorf("catalog index: %w", err)
		}
		files = append(files, renderers.File{Name: name, MediaType: "text/html; charset=utf-8", Data: buf.Bytes()})
		return nil
	}
	p := base
	p.Title, p.Heading, p.Canonical, p.Cards = catalog+" · "+b.Name, catalog, b.Site+"/catalog/", cards
	if err := render("catalog/index.html", p); err != nil {
		return nil, err
	}
	for _, t := range tagList {
		p := base
		p.Title, p.Heading, p.Canonical, p.Tag, p.Cards = t.Name+" · "+catalog+" · "+b.Name, t.Name, t.URL, t.Slug, byTag[t.Slug]
		if err := render("catalog/tags/"+t.Slug+"/index.html", p); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// JSON Feed 1.1, https://www.jsonfeed.org/version/1.1/
type (
	jfFeed struct {
		Version     string   `json:"version"`
		Title       string   `json:"title"`
		HomePageURL string   `json:"home_page_url"`
		FeedURL     string   `json:"feed_url"`
		Language    string   `json:"language,omitempty"`
		Icon        string   `json:"icon,omitempty"`
		Authors     []jfName `json:"authors,omitempty"`
		Items       []jfItem `json:"items"`
	}
	jfName struct {
		Name string `json:"name"`
		URL  string `json:"url,omitempty"`
	}
	jfItem struct {
		ID            string   `json:"id"`
		URL           string   `json:"url"`
		Title         string   `json:"title"`
		ContentHTML   string   `json:"content_html"`
		Summary       string   `json:"summary,omitempty"`
		Image         string   `json:"image,omitempty"`
		DatePublished string   `json:"date_published,omitempty"`
		DateModified  string   `json:"date_modified,omitempty"`
		Authors       []jfName `json:"authors,omitempty"`
		Tags          []string `json:"tags,omitempty"`
		Language      string   `json:"language,omitempty"`
	}
)

func jsonFeed(b *content.Brand, es []Entry) ([]byte, error) {
	f := jfFeed{
		Version: "https://jsonfeed.org/version/1.1", Title: b.Name, HomePageURL: b.Site + "/",
		FeedURL: b.Site + "/feed.json", Language: b.Lang, Authors: []jfName{{Name: b.Name, URL: b.Site + "/"}},
		Items: []jfItem{},
	}
	for _, e := range es {
		it := jfItem{ID: e.URL, URL: e.URL, Title: e.Title, ContentHTML: e.ContentHTML, Summary: e.Summary,
			Image: e.Image, DatePublished: e.Published, DateModified: e.Modified, Language: e.Lang, Tags: tagNames(e)}
		if e.Author != "" {
			it.Authors = []jfName{{Name: e.Author}}
		}
		f.Items = append(f.Items, it)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	return append(data, '\n'), err
}

func tagNames(e Entry) []string {
	var out []string
	for _, t := range e.Tags {
		out = append(out, t.Name)
	}
	return out
}

// RSS 2.0 with content:encoded (the full text) and atom:link rel=self.
type (
	rssDoc struct {
		XMLName xml.Name   `xml:"rss"`
		Version string     `xml:"version,attr"`
		Content string     `xml:"xmlns:content,attr"`
		Atom    string     `xml:"xmlns:atom,attr"`
		DC      string     `xml:"xmlns:dc,attr"`
		Channel rssChannel `xml:"channel"`
	}
	rssChannel struct {
		Title         string    `xml:"title"`
		Link          string    `xml:"link"`
		Description   string    `xml:"description"`
		Language      string    `xml:"language,omitempty"`
		LastBuildDate string    `xml:"lastBuildDate,omitempty"`
		Self          rssLink   `xml:"atom:link"`
		Items         []rssItem `xml:"item"`
	}
	rssLink struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
	}
	rssItem struct {
		Title       string   `xml:"title"`
		Link        string   `xml:"link"`
		GUID        rssGUID  `xml:"guid"`
		PubDate     string   `xml:"pubDate,omitempty"`
		Creator     string   `xml:"dc:creator,omitempty"`
		Description string   `xml:"description"`
		Encoded     cdata    `xml:"content:encoded"`
		Categories  []string `xml:"category"`
	}
	rssGUID struct {
		PermaLink bool   `xml:"isPermaLink,attr"`
		Value     string `xml:",chardata"`
	}
	cdata struct {
		Value string `xml:",cdata"`
	}
)

func rfc822(stamp string) string {
	t, err := time.Parse(time.RFC3339, stamp)
	if err != nil {
		return ""
	}
	return t.Format(time.RFC1123Z)
}

func latest(es []Entry) string {
	var m string
	for _, e := range es {
		m = max(m, e.Modified, e.Published)
	}
	return m
}

func rssFeed(b *content.Brand, es []Entry) ([]byte, error) {
	doc := rssDoc{Version: "2.0", Content: "http://purl.org/rss/1.0/modules/content/", Atom: "http://www.w3.org/2005/Atom",
		DC: "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{Title: b.Name, Link: b.Site + "/", Description: b.Name + " · " + b.T(b.Lang, "catalog"), Language: b.Lang,
			LastBuildDate: rfc822(latest(es)), Self: rssLink{Href: b.Site + "/feed.xml", Rel: "self", Type: "application/rss+xml"}}}
	for _, e := range es {
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: e.Title, Link: e.URL, GUID: rssGUID{PermaLink: true, Value: e.URL}, PubDate: rfc822(cmp.Or(e.Published, e.Modified)),
			Creator: e.Author, Description: e.Summary, Encoded: cdata{e.ContentHTML}, Categories: tagNames(e),
		})
	}
	return marshalXML(doc)
}

// Atom 1.0 (RFC 4287).
type (
	atomFeedDoc struct {
		XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
		Lang    string      `xml:"xml:lang,attr,omitempty"`
		ID      string      `xml:"id"`
		Title   string      `xml:"title"`
		Updated string      `xml:"updated"`
		Links   []atomLink  `xml:"link"`
		Author  atomPerson  `xml:"author"`
		Entries []atomEntry `xml:"entry"`
	}
	atomLink struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr,omitempty"`
		Type string `xml:"type,attr,omitempty"`
	}
	atomPerson struct {
		Name string `xml:"name"`
		URI  string `xml:"uri,omitempty"`
	}
	atomEntry struct {
		Lang       string         `xml:"xml:lang,attr,omitempty"`
		ID         string         `xml:"id"`
		Title      string         `xml:"title"`
		Links      []atomLink     `xml:"link"`
		Updated    string         `xml:"updated"`
		Published  string         `xml:"published,omitempty"`
		Author     *atomPerson    `xml:"author,omitempty"`
		Summary    string         `xml:"summary,omitempty"`
		Content    atomContent    `xml:"content"`
		Categories []atomCategory `xml:"category"`
	}
	atomContent struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	}
	atomCategory struct {
		Term  string `xml:"term,attr"`
		Label string `xml:"label,attr,omitempty"`
	}
)

func atomFeed(b *content.Brand, es []Entry) ([]byte, error) {
	updated := latest(es)
	if updated == "" {
		updated = "1970-01-01T00:00:00Z" // Atom requires a date; an empty catalog has none
	}
	doc := atomFeedDoc{Lang: b.Lang, ID: b.Site + "/", Title: b.Name, Updated: updated,
		Links:  []atomLink{{Href: b.Site + "/atom.xml", Rel: "self", Type: "application/atom+xml"}, {Href: b.Site + "/", Rel: "alternate", Type: "text/html"}},
		Author: atomPerson{Name: b.Name, URI: b.Site + "/"}}
	for _, e := range es {
		ae := atomEntry{Lang: e.Lang, ID: e.URL, Title: e.Title, Links: []atomLink{{Href: e.URL, Rel: "alternate", Type: "text/html"}},
			Updated: cmp.Or(e.Modified, e.Published, updated), Published: e.Published, Summary: e.Summary,
			Content: atomContent{Type: "html", Value: e.ContentHTML}}
		if e.Author != "" {
			ae.Author = &atomPerson{Name: e.Author}
		}
		for _, t := range e.Tags {
			ae.Categories = append(ae.Categories, atomCategory{Term: t.Slug, Label: t.Name})
		}
		doc.Entries = append(doc.Entries, ae)
	}
	return marshalXML(doc)
}

// gProduct is a product in the shape Google Merchant Center reads.
type (
	gProduct struct {
		ID           string `xml:"g:id" json:"id"`
		Title        string `xml:"g:title" json:"title"`
		Description  string `xml:"g:description" json:"description"`
		Link         string `xml:"g:link" json:"link"`
		ImageLink    string `xml:"g:image_link,omitempty" json:"image_link,omitempty"`
		Price        string `xml:"g:price" json:"price"`
		Availability string `xml:"g:availability" json:"availability"`
		Brand        string `xml:"g:brand" json:"brand"`
		Condition    string `xml:"g:condition" json:"condition"`
		Language     string `xml:"-" json:"content_language"`
	}
)

// merchantAvailability maps schema.org availability to Google's values.
func merchantAvailability(schema string) string {
	switch strings.TrimPrefix(schema, "https://schema.org/") {
	case "InStock", "LimitedAvailability":
		return "in_stock"
	case "PreOrder":
		return "preorder"
	case "BackOrder":
		return "backorder"
	default:
		return "out_of_stock"
	}
}

func products(b *content.Brand, es []Entry) []gProduct {
	out := make([]gProduct, 0, len(es))
	for _, e := range es {
		out = append(out, gProduct{
			ID: cmp.Or(e.SKU, e.ID+"-"+e.Lang), Title: e.Title, Description: e.Summary, Link: e.URL, ImageLink: e.Image,
			Price: e.Amount + " " + e.Currency, Availability: merchantAvailability(e.Availability),
			Brand: b.Name, Condition: "new", Language: e.Lang,
		})
	}
	return out
}

func productJSON(b *content.Brand, es []Entry) ([]byte, error) {
	data, err := json.MarshalIndent(map[string]any{"title": b.Name, "link": b.Site + "/", "products": products(b, es)}, "", "  ")
	return append(data, '\n'), err
}

func productRSS(b *content.Brand, es []Entry) ([]byte, error) {
	type item struct {
		gProduct
		Title string `xml:"title"`
		Link  string `xml:"link"`
	}
	type channel struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
		Items       []item `xml:"item"`
	}
	type doc struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		G       string   `xml:"xmlns:g,attr"`
		Channel channel  `xml:"channel"`
	}
	d := doc{Version: "2.0", G: "http://base.google.com/ns/1.0",
		Channel: channel{Title: b.Name, Link: b.Site + "/", Description: b.Name + " · " + b.T(b.Lang, "catalog")}}
	for _, p := range products(b, es) {
		d.Channel.Items = append(d.Channel.Items, item{gProduct: p, Title: p.Title, Link: p.Link})
	}
	return marshalXML(d)
}

// The sitemap (sitemaps.org 0.9) lists every portal page that may be
// indexed, with hreflang alternates for its translations: the items
// sharing its id in other languages.
type (
	smURLSet struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		XHTML   string   `xml:"xmlns:xhtml,attr"`
		URLs    []smURL  `xml:"url"`
	}
	smURL struct {
		Loc     string   `xml:"loc"`
		LastMod string   `xml:"lastmod,omitempty"`
		Alts    []smLink `xml:"xhtml:link"`
	}
	smLink struct {
		Rel      string `xml:"rel,attr"`
		HrefLang string `xml:"hreflang,attr"`
		Href     string `xml:"href,attr"`
	}
)

// The sitemaps.org protocol's limits for one sitemap file.
const (
	SitemapMaxURLs  = 50_000
	SitemapMaxBytes = 50 << 20
)

// sitemaps returns sitemap.xml, or, when the URLs do not fit in one file
// of maxURLs and maxBytes, sitemap.xml as a sitemap index of the files
// sitemap-1.xml, sitemap-2.xml… that hold them.
func sitemaps(b *content.Brand, es []Entry, maxURLs, maxBytes int) ([]renderers.File, error) {
	urls := sitemapURLs(b, es)
	file := func(name string, data []byte) renderers.File {
		return renderers.File{Name: name, MediaType: "application/xml", Data: data}
	}
	if len(urls) <= maxURLs {
		data, err := marshalXML(smURLSet{XHTML: "http://www.w3.org/1999/xhtml", URLs: urls})
		if err != nil {
			return nil, err
		}
		if len(data) <= maxBytes {
			return []renderers.File{file("sitemap.xml", data)}, nil
		}
	}
	for per := maxURLs; per > 0; per /= 2 {
		var files []renderers.File
		index := smIndex{}
		fits := true
		for part := range slices.Chunk(urls, per) {
			data, err := marshalXML(smURLSet{XHTML: "http://www.w3.org/1999/xhtml", URLs: part})
			if err != nil {
				return nil, err
			}
			if len(data) > maxBytes {
				fits = false
				break
			}
			name := fmt.Sprintf("sitemap-%d.xml", len(files)+1)
			files = append(files, file(name, data))
			var mod string
			for _, u := range part {
				mod = max(mod, u.LastMod)
			}
			index.Sitemaps = append(index.Sitemaps, smLoc{Loc: b.Site + "/" + name, LastMod: mod})
		}
		if !fits {
			continue
		}
		data, err := marshalXML(index)
		if err != nil {
			return nil, err
		}
		return append([]renderers.File{file("sitemap.xml", data)}, files...), nil
	}
	return nil, fmt.Errorf("sitemap: a single URL entry is over %d bytes", maxBytes)
}

// A sitemap index (sitemaps.org 0.9) lists the sitemap files.
type (
	smIndex struct {
		XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
		Sitemaps []smLoc  `xml:"sitemap"`
	}
	smLoc struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod,omitempty"`
	}
)

func sitemapURLs(b *content.Brand, es []Entry) []smURL {
	var pages []Entry
	byID := map[string][]Entry{}
	for _, e := range es {
		if e.Draft || e.NoIndex {
			continue
		}
		pages = append(pages, e)
		byID[e.ID] = append(byID[e.ID], e)
	}
	slices.SortFunc(pages, func(a, b Entry) int { return cmp.Compare(a.URL, b.URL) })
	urls := []smURL{{Loc: b.Site + "/catalog/", LastMod: latest(es)}}
	for _, e := range pages {
		u := smURL{Loc: e.URL, LastMod: cmp.Or(e.Modified, e.Published)}
		if tr := byID[e.ID]; len(tr) > 1 {
			tr = slices.Clone(tr)
			slices.SortFunc(tr, func(a, b Entry) int { return cmp.Compare(a.Lang, b.Lang) })
			for _, t := range tr {
				u.Alts = append(u.Alts, smLink{Rel: "alternate", HrefLang: t.Lang, Href: t.URL})
				if strings.EqualFold(t.Lang, b.Lang) {
					u.Alts = append(u.Alts, smLink{Rel: "alternate", HrefLang: "x-default", Href: t.URL})
				}
			}
		}
		urls = append(urls, u)
	}
	return urls
}

func marshalXML(v any) ([]byte, error) {
	data, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(append([]byte(xml.Header), data...), '\n'), nil
}
