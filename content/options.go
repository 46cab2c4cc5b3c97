package content

import (
	"io/fs"
	"time"
)

// ParseOptions configure Parse.
type ParseOptions struct {
	// Name is the source's name in diagnostics; it defaults to the file
	// name Parse was given.
	Name string
	// Compat maps another tool's front matter ("hugo" or "jekyll").
	Compat string
	// DefaultLang is used when the front matter sets no lang; normally the
	// brand's language.
	DefaultLang string
	// Brand, when set, is the brand the item is checked against: its
	// email.topics must be the brand's. Nil is a parse that does not know
	// the brand yet (to learn which one the item names).
	Brand *Brand
	// Limits default to DefaultLimits() when zero.
	Limits Limits
	// StoredAssets says the item's images were accepted by an earlier
	// Parse (a stored version parsed again to render it): their headers
	// are held to the limits again, but their pixels are not decoded
	// once more just to look for damage, since every renderer decodes
	// (checked) what it uses anyway.
	StoredAssets bool
	// AssetHashes are the SHA-256 sums (hex) of a stored version's
	// files by name, as the store keeps them, so parsing it again does
	// not hash megabytes of photos once more; names not in it are hashed.
	AssetHashes map[string]string
	// Shortcodes is what to do, under Compat, with a shortcode or Liquid
	// tag crosscast has no rendering for: ShortcodesStrip (the default),
	// ShortcodesError or ShortcodesKeep; normally the brand's
	// compat_shortcodes.
	Shortcodes string
	// Root is the site's content root, where include-style shortcodes
	// and Jekyll's {% include %} find files the item's own folder does
	// not hold; nil means only the item's folder.
	Root fs.FS
	// Slug is the slug the site gives the item when its front matter
	// sets none: under compat, the file or bundle name, as Hugo and
	// Jekyll do. A Slug (or a front-matter slug, under compat) that is
	// not a crosscast slug is normalised with a warning.
	Slug string
	// Date is the date the site gives the item when its front matter
	// sets none: a Jekyll post's, from its file name.
	Date time.Time
	// ResolveLink, when set, is asked about every link of the body that
	// has no scheme (relative, "g" or "../other/", or a site path,
	// "/docs/x/"): a url replaces the link's destination, and a problem
	// (it names no page, or one that is not rendered) becomes a warning
	// at the link's position.
	ResolveLink func(dest string) (url, problem string)
	// Cascade is front matter a Hugo section's cascade hands the item
	// (SitePage.Cascade): each field its own front matter does not set.
	Cascade map[string]any
}
