package catalog

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
)

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
