// Package content holds crosscast's input model: the item a writer submits
// (front matter and Markdown body), its images, the brand kit it is rendered
// in and the link plan that ties its channels together. It does no I/O
// beyond reading the files it is handed.
package content

import (
	"fmt"
	"net/url"
	"time"

	"github.com/yuin/goldmark/ast"
)

// FrontMatter is the YAML header of an item, as the writer wrote it.
// Field names are the public contract: see docs/front-matter.md.
type FrontMatter struct {
	Title     string   `yaml:"title"`
	Slug      string   `yaml:"slug"`
	ID        string   `yaml:"id"`
	Lang      string   `yaml:"lang"`
	Brand     string   `yaml:"brand"`
	Summary   string   `yaml:"summary"`
	Author    string   `yaml:"author"`
	Date      Time     `yaml:"date"`
	Updated   Time     `yaml:"updated"`
	PublishAt Time     `yaml:"publish_at"`
	Draft     bool     `yaml:"draft"`
	Tags      []string `yaml:"tags"`
	Aliases   []string `yaml:"aliases"`
	Hero      *Hero    `yaml:"hero"`
	CTA       *CTA     `yaml:"cta"`
	Product   *Product `yaml:"product"`

	Email   EmailOptions   `yaml:"email"`
	Social  SocialOptions  `yaml:"social"`
	Portal  PortalOptions  `yaml:"portal"`
	Catalog CatalogOptions `yaml:"catalog"`
}

// Hero is the item's lead image.
type Hero struct {
	Src   string `yaml:"src"`
	Alt   string `yaml:"alt"`
	Focus Focus  `yaml:"focus"`
}

// CTA is the item's call to action, shown as a button in every channel
// that has room for one.
type CTA struct {
	Label string `yaml:"label"`
	URL   string `yaml:"url"`
}

// Product makes an item a catalog product.
type Product struct {
	SKU          string `yaml:"sku"`
	Price        Amount `yaml:"price"`
	Currency     string `yaml:"currency"`
	Availability string `yaml:"availability"`
}

// Availability values, named after schema.org's ItemAvailability.
var availabilities = map[string]string{
	"in_stock":     "InStock",
	"out_of_stock": "OutOfStock",
	"preorder":     "PreOrder",
	"backorder":    "BackOrder",
	"discontinued": "Discontinued",
	"limited":      "LimitedAvailability",
}

// SchemaAvailability returns the schema.org ItemAvailability URL for p.
func (p *Product) SchemaAvailability() string {
	return "https://schema.org/" + availabilities[p.Availability]
}

// EmailOptions override what the email channel derives.
type EmailOptions struct {
	Subject   string         `yaml:"subject"`
	Preheader string         `yaml:"preheader"`
	Variants  []EmailVariant `yaml:"variants"`
	// Topics send the email only to subscribers who chose one of these
	// of the brand's email.topics; none sends it to every topic.
	Topics []string `yaml:"topics"`
	// Test runs the variants as an A/B test (see EmailTest).
	Test *EmailTest `yaml:"test"`
	// Mode is full (the whole item) or teaser (the summary and first
	// paragraphs, then a button to the portal page); unset takes the
	// brand's email.mode.
	Mode string `yaml:"mode"`
}

// EmailVariant is one arm of an A/B test; its name becomes utm_content.
type EmailVariant struct {
	Name      string `yaml:"name"`
	Subject   string `yaml:"subject"`
	Preheader string `yaml:"preheader"`
	// CTA replaces the item's call to action in this variant (label and
	// target), so one link can be tested against another.
	CTA *CTA `yaml:"cta"`
}

// SocialOptions override the social channel's text per network.
type SocialOptions struct {
	Thread *bool `yaml:"thread"`
	// ThreadMax caps the thread's length (1 to MaxThreadMax posts).
	ThreadMax *int   `yaml:"thread_max"`
	X         string `yaml:"x"`
	Mastodon  string `yaml:"mastodon"`
	Bluesky   string `yaml:"bluesky"`
	LinkedIn  string `yaml:"linkedin"`
	Threads   string `yaml:"threads"`
	Facebook  string `yaml:"facebook"`
	Hashtags  *bool  `yaml:"hashtags"`
	// Variants are alternative copy, rotated across the networks or
	// posted as Reshare re-shares (see Item.SocialShares).
	Variants []SocialVariant `yaml:"variants"`
	Reshare  []Offset        `yaml:"reshare"`
}

// PortalOptions tune the portal page.
type PortalOptions struct {
	TOC     *bool `yaml:"toc"`
	NoIndex bool  `yaml:"noindex"`
}

// CatalogOptions tune the catalog snippet.
type CatalogOptions struct {
	Summary string `yaml:"summary"`
	Hidden  bool   `yaml:"hidden"`
}

// Item is a parsed, validated item version with its derived values filled
// in: Slug, ID, Lang and Summary are never empty after Parse.
type Item struct {
	FrontMatter

	// Path names the source in diagnostics (a file, a bundle's index.md, or
	// an API upload's name).
	Path string
	// Source is the file exactly as submitted; SourceHash identifies the
	// version (hex SHA-256 over the source and its assets).
	Source     []byte
	SourceHash string
	// Body is the Markdown after the front matter, BodyLine the line of
	// the file it starts on, Doc its parsed tree. Doc references Body.
	Body     []byte
	BodyLine int
	Doc      ast.Node

	SummaryDerived bool // Summary came from the first paragraph
	Words          int
	ReadingMinutes int

	// Images lists the hero (first, when present) and every body image in
	// document order. Assets holds the local files they refer to, by
	// cleaned path inside the item's folder.
	Images []ImageRef
	Assets map[string]*Asset

	Warnings []Diagnostic

	frontMatter []byte // the YAML between the --- lines, for positions
}

// Warning is a diagnostic about a front-matter field, placed at the
// field's line (or the opening --- when the field is not written), for
// renderers that find a problem after parsing.
func (it *Item) Warning(field, format string, args ...any) Diagnostic {
	line, col := fmPos(it.frontMatter, field)
	return Diagnostic{File: it.Path, Line: line, Col: col, Field: field, Message: fmt.Sprintf(format, args...)}
}

// SlugField names the front-matter field the slug came from: "slug" when
// written, else "title" (from which it is derived), so a clash between
// slugs can be placed on the line that made it.
func (it *Item) SlugField() string {
	if line, _ := fieldPos(it.frontMatter, "slug"); line > 0 {
		return "slug"
	}
	return "title"
}

// ImageRef is one image reference in the item.
type ImageRef struct {
	Src   string // as written
	Alt   string
	Title string
	Line  int
	Hero  bool
	Asset *Asset // nil for remote images
}

// Asset is a local image file, size-checked but not decoded.
type Asset struct {
	Name   string // cleaned path inside the item's folder
	Data   []byte
	Format string // "jpeg", "png" or "gif"
	Width  int
	Height int
	SHA256 string // hex
}

// HeroImage returns the hero reference, or nil.
func (it *Item) HeroImage() *ImageRef {
	if len(it.Images) > 0 && it.Images[0].Hero {
		return &it.Images[0]
	}
	return nil
}

// BodyImage returns the body image written with src (as it appears in
// the rendered HTML, so a percent-encoded src finds its image too), or
// nil.
func (it *Item) BodyImage(src string) *ImageRef {
	find := func(s string) *ImageRef {
		for i := range it.Images {
			if !it.Images[i].Hero && it.Images[i].Src == s {
				return &it.Images[i]
			}
		}
		return nil
	}
	if ref := find(src); ref != nil {
		return ref
	}
	if u, err := url.PathUnescape(src); err == nil && u != src {
		return find(u)
	}
	return nil
}

// Modified is the item's last-modified time: updated, else date.
func (it *Item) Modified() time.Time {
	if !it.Updated.IsZero() {
		return it.Updated.Time
	}
	return it.Date.Time
}
