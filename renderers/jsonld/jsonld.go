// Package jsonld describes an item in schema.org terms, as a Product with
// an Offer or as an Article, for the portal page and the catalog alike.
// URLs are canonical: JSON-LD carries no UTM.
package jsonld

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
)

// JSON-LD shapes, as structs so the output's key order is stable.
type (
	thing struct {
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
		Author           *thing   `json:"author,omitempty"`
		Publisher        *thing   `json:"publisher,omitempty"`
		Logo             *thing   `json:"logo,omitempty"`
		Keywords         string   `json:"keywords,omitempty"`
		SKU              string   `json:"sku,omitempty"`
		Brand            *thing   `json:"brand,omitempty"`
		Offers           *offer   `json:"offers,omitempty"`
	}
	offer struct {
		Type          string `json:"@type"`
		Price         string `json:"price"`
		PriceCurrency string `json:"priceCurrency"`
		Availability  string `json:"availability"`
		URL           string `json:"url"`
	}
)

// Images are the absolute URLs a description may show.
type Images struct {
	Item []string // the item's own images, largest first
	Logo string   // the brand logo, for the publisher
}

// Describe returns the item's JSON-LD. json.Marshal escapes <, > and &,
// so the result can sit inside a script element.
func Describe(it *content.Item, b *content.Brand, links *content.LinkPlan, img Images) ([]byte, error) {
	org := &thing{Type: "Organization", Name: b.Name, URL: b.Site + "/"}
	if img.Logo != "" {
		org.Logo = &thing{Type: "ImageObject", URL: img.Logo}
	}
	var d thing
	if pr := it.Product; pr != nil {
		d = thing{
			Type: "Product", Name: it.Title, Description: it.Summary, Image: img.Item, URL: links.Canonical,
			SKU:   pr.SKU,
			Brand: &thing{Type: "Brand", Name: b.Name},
			Offers: &offer{
				Type: "Offer", Price: pr.Price.String(), PriceCurrency: pr.Currency,
				Availability: pr.SchemaAvailability(), URL: links.Canonical,
			},
		}
	} else {
		d = thing{
			Type: "Article", Headline: it.Title, Description: it.Summary, Image: img.Item,
			MainEntityOfPage: links.Canonical, URL: links.Canonical,
			DatePublished: stamp(it.Date.Time), DateModified: stamp(it.Modified()),
			Publisher: org, Keywords: strings.Join(it.Tags, ", "),
		}
		if it.Author != "" {
			d.Author = &thing{Type: "Person", Name: it.Author}
		} else {
			d.Author = &thing{Type: "Organization", Name: b.Name, URL: b.Site + "/"}
		}
	}
	d.Context = "https://schema.org"
	d.InLanguage = it.Lang
	return json.Marshal(d)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
