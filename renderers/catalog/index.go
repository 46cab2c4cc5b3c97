package catalog

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
)

// FeedLimit is how many of the newest items each feed carries (the
// newest FeedFullItems of them with their text); the catalog pages and
// the sitemap list every item.
const FeedLimit = 100

// IndexOptions is what the index needs from the installation rather than
// the brand.
type IndexOptions struct {
	// SignUp is the home page's sign-up form action (see
	// content.LinkPlan.SignUp); "" links to email.subscribe_url instead.
	SignUp string
}

// RenderIndex builds a brand's site home page and catalog pages (all
// items, then one page per tag), its feeds (JSON Feed 1.1, RSS 2.0, Atom 1.0), its product
// feeds (JSON, and RSS with Google's g: namespace) and the portal
// sitemap, from the entries its items' catalog renderings wrote. File
// names are paths below the brand site. It parses no Markdown, so it
// stays fast for large catalogs.
//
// opts, at most one, tunes what only the installation knows, such as
// where the home page's sign-up form posts.
func (r *Renderer) RenderIndex(ctx context.Context, b *content.Brand, entries []Entry, opts ...IndexOptions) (*renderers.Output, error) {
	var opt IndexOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
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
	home, err := r.homePage(b, listed, opt.SignUp)
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
