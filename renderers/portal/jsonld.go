package portal

import (
	"encoding/json"
	"strings"

	"github.com/crosscast/crosscast/content"
)

// JSON-LD shapes, as structs so the output's key order is stable.
type (
	ldThing struct {
		Context          string   `json:"@context,omitempty"`
		Type             string   `json:"@type"`
		Name             string   `json:"name,omitempty"`
		Headline         string   `json:"headline,omitempty"`
		Description      string   `json:"description,omitempty"`
		Image            []string `json:"image,omitempty"`
		URL              string   `json:"url,omitempty"`
		MainEntityOfPage string   `json:"mainEntityOfPage,omitempty"`
		InLanguage       string   `json:"inLanguage,omitempty"`
		DatePublished    string   `json:"datePublished,omitempty"`
		DateModified     string   `json:"dateModified,omitempty"`
		Author           *ldThing `json:"author,omitempty"`
		Publisher        *ldThing `json:"publisher,omitempty"`
		Logo             *ldThing `json:"logo,omitempty"`
		Keywords         string   `json:"keywords,omitempty"`
		SKU              string   `json:"sku,omitempty"`
		Brand            *ldThing `json:"brand,omitempty"`
		Offers           *ldOffer `json:"offers,omitempty"`
	}
	ldOffer struct {
		Type          string `json:"@type"`
		Price         string `json:"price"`
		PriceCurrency string `json:"priceCurrency"`
		Availability  string `json:"availability"`
		URL           string `json:"url"`
	}
)

// jsonLD describes the page as a schema.org Article, or a Product with an
// Offer when the item is one. URLs are canonical: JSON-LD carries no UTM.
func jsonLD(it *content.Item, b *content.Brand, links *content.LinkPlan, p *page) (string, error) {
	var imgs []string
	if p.OGImage != nil {
		imgs = []string{p.OGImage.URL}
	}
	org := &ldThing{Type: "Organization", Name: b.Name, URL: b.Site + "/"}
	if p.Logo.Src != "" {
		org.Logo = &ldThing{Type: "ImageObject", URL: links.Canonical + p.Logo.Src}
	}
	var d ldThing
	if pr := it.Product; pr != nil {
		d = ldThing{
			Type: "Product", Name: it.Title, Description: it.Summary, Image: imgs, URL: links.Canonical,
			SKU:   pr.SKU,
			Brand: &ldThing{Type: "Brand", Name: b.Name},
			Offers: &ldOffer{
				Type: "Offer", Price: pr.Price.String(), PriceCurrency: pr.Currency,
				Availability: pr.SchemaAvailability(), URL: links.Canonical,
			},
		}
	} else {
		d = ldThing{
			Type: "Article", Headline: it.Title, Description: it.Summary, Image: imgs,
			MainEntityOfPage: links.Canonical, URL: links.Canonical,
			DatePublished: p.Published, DateModified: p.Modified,
			Publisher: org, Keywords: strings.Join(it.Tags, ", "),
		}
		if d.DateModified == "" {
			d.DateModified = d.DatePublished
		}
		if it.Author != "" {
			d.Author = &ldThing{Type: "Person", Name: it.Author}
		} else {
			d.Author = &ldThing{Type: "Organization", Name: b.Name, URL: b.Site + "/"}
		}
	}
	d.Context = "https://schema.org"
	d.InLanguage = it.Lang
	// json.Marshal escapes <, > and &, so the JSON cannot close the script
	// element it sits in.
	out, err := json.Marshal(d)
	return string(out), err
}
