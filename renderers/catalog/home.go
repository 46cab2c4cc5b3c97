package catalog

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/signup"
)

// HomeLatest is how many of the newest items the site's home page shows.
const HomeLatest = 6

// HomeFile is the site's home page, at the root of the brand's site.
const HomeFile = "index.html"

type homePage struct {
	Lang, Dir, Title, BrandName, BrandID, Canonical string
	AllURL, CatalogLabel, CatalogAllLabel           string
	LatestLabel                                     string
	FeedRSS, FeedAtom, FeedJSON                     string
	Subscribe                                       string // "" when the brand has no sign-up page
	SubscribeTitle, SubscribeText, SubscribeButton  string
	FollowLabel                                     string
	Social                                          []socialLink
	Cards                                           []template.HTML
	Style                                           any
	SignUp                                          *signup.Form // nil: link to Subscribe
}

// homePage renders the brand site's home page: the newest listed items
// as cards, then the ways further in (the catalog, the newsletter
// sign-up, the feeds and the brand's profiles). listed is newest first.
func (r *Renderer) homePage(b *content.Brand, listed []Entry, signUp string) (renderers.File, error) {
	p := homePage{
		Lang: b.Lang, Dir: content.Dir(b.Lang), Title: b.Name, BrandName: b.Name, BrandID: b.ID, Canonical: b.Site + "/",
		AllURL: b.Site + "/catalog/", CatalogLabel: b.T(b.Lang, "catalog"), CatalogAllLabel: b.T(b.Lang, "catalog_all"),
		LatestLabel: b.T(b.Lang, "latest"),
		FeedRSS:     b.Site + "/feed.xml", FeedAtom: b.Site + "/atom.xml", FeedJSON: b.Site + "/feed.json",
		Subscribe:      b.Email.SubscribeURL,
		SubscribeTitle: b.T(b.Lang, "subscribe_title"), SubscribeText: b.T(b.Lang, "subscribe_text"),
		SubscribeButton: b.T(b.Lang, "subscribe_button"), FollowLabel: b.T(b.Lang, "follow_us"),
		Style: cardStyle(b),
	}
	if signUp != "" {
		p.SignUp = signup.New(b, b.Lang, signUp, signup.VersionHome)
	}
	for _, n := range b.Social.Networks() {
		if n.Profile.URL != "" {
			p.Social = append(p.Social, socialLink{Label: n.Label, URL: n.Profile.URL})
		}
	}
	var buf bytes.Buffer
	for _, e := range listed[:min(len(listed), HomeLatest)] {
		buf.Reset()
		if err := r.index.ExecuteTemplate(&buf, "card", e); err != nil {
			return renderers.File{}, fmt.Errorf("home page card: %w", err)
		}
		p.Cards = append(p.Cards, template.HTML(buf.String())) // html/template escaped it
	}
	buf.Reset()
	if err := r.index.ExecuteTemplate(&buf, "home", p); err != nil {
		return renderers.File{}, fmt.Errorf("home page: %w", err)
	}
	return renderers.File{Name: HomeFile, MediaType: "text/html; charset=utf-8", Data: buf.Bytes()}, nil
}
