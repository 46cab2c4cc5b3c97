package content

import (
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// BrandUTM is a brand's campaign tagging: utm_campaign (by default the
// item's slug), and whether links to other sites carry campaign tags too.
type BrandUTM struct {
	Campaign string `yaml:"campaign"`
	// ThirdParty tags links to sites that are not the brand's. Off by
	// default: the tags tell another site's analytics about the brand's
	// campaigns and clutter the reader's link for nothing the brand sees.
	ThirdParty bool `yaml:"third_party"`
}

// UTM is one channel's set of campaign parameters.
type UTM struct {
	Source, Medium, Campaign, Content string
}

// Apply adds the UTM parameters to an absolute http(s) URL. Parameters the
// URL already carries are kept, so a writer's own tagging wins. Other URLs
// (relative, mailto:, fragments) come back unchanged.
func (u UTM) Apply(raw string) string {
	if u.Source == "" || !isWebURL(raw) {
		return raw
	}
	p, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := p.Query()
	set := func(k, v string) {
		if v != "" && !q.Has(k) {
			q.Set(k, v)
		}
	}
	set("utm_source", u.Source)
	set("utm_medium", u.Medium)
	set("utm_campaign", u.Campaign)
	set("utm_content", u.Content)
	p.RawQuery = q.Encode()
	return p.String()
}

// Resolve makes ref absolute against base, the way a browser resolves a
// link on the page at base; refs that do not parse are returned as they
// are.
func Resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(u).String()
}

// Channel names: these are the one definition, which the renderer
// packages' Channel constants repeat. Links are tagged with them too,
// except social links, which carry their network's name (NetX …), and
// print, which is a UTM source only, not a rendered channel.
const (
	ChanEmail   = "email"
	ChanSocial  = "social"
	ChanPortal  = "portal"
	ChanCatalog = "catalog"
	ChanPrint   = "print"
	// ChanPortalShare counts clicks on a portal page's share buttons
	// (a tracked-link channel, not a rendered one).
	ChanPortalShare = "portal-share"
)

// LinkPlan is every cross-link of one item version, computed once and
// handed to every renderer so that the channels agree on where they point.
// URLs here carry no UTM; a channel tags them with UTM(channel) as they
// leave it.
type LinkPlan struct {
	Campaign string

	Canonical   string // the portal page
	Catalog     string // the item's entry in the brand catalog
	CatalogTag  string // the catalog page of the item's first tag, or the catalog index
	Subscribe   string // newsletter sign-up, "" when the brand has none
	Unsubscribe string
	FeedRSS     string
	FeedAtom    string
	FeedJSON    string
	CTA         string // the call to action, made absolute; "" when none
	// ShareCard is the landscape share card the social renderer draws,
	// published beside the portal page: every page's link preview.
	ShareCard string
	// SignUp is the sign-up form's action, POST /s/{brand} on this
	// installation's public server; "" when that is not known (a render
	// without a server), and pages then link to Subscribe instead. The
	// service sets it, as it gives tracked links their base.
	SignUp string

	site       string // the brand's site, to tell its links from others'
	thirdParty bool   // BrandUTM.ThirdParty

	// Track, when set, turns a link that a published rendering carries
	// (the print QR code, a portal share button) into a tracked /r/ link
	// counted for channel. The service sets it when it renders for
	// publishing; previews leave it nil and links stay as they are.
	Track func(channel, url string) string
}

// Tracked is u as a rendering publishes it for channel: tracked when the
// plan has a Track hook, else u itself.
func (p *LinkPlan) Tracked(channel, u string) string {
	if p.Track == nil || u == "" {
		return u
	}
	return p.Track(channel, u)
}

// NewLinkPlan computes the link plan for it in brand b.
func NewLinkPlan(it *Item, b *Brand) *LinkPlan {
	site := b.Site
	campaign := b.UTM.Campaign
	if campaign == "" {
		campaign = it.Slug
	}
	p := &LinkPlan{
		Campaign:    campaign,
		Canonical:   site + PortalPath(it, b),
		Catalog:     site + "/catalog/#" + it.Slug,
		CatalogTag:  site + "/catalog/",
		Subscribe:   b.Email.SubscribeURL,
		Unsubscribe: b.Email.UnsubscribeURL,
		FeedRSS:     site + "/feed.xml",
		FeedAtom:    site + "/atom.xml",
		FeedJSON:    site + "/feed.json",
		site:        site,
		thirdParty:  b.UTM.ThirdParty,
	}
	p.ShareCard = p.Canonical + NewShareCard(it, b).Landscape
	if len(it.Tags) > 0 {
		if t := Slugify(it.Tags[0]); t != "" {
			p.CatalogTag = site + "/catalog/tags/" + t + "/"
		}
	}
	if it.CTA != nil {
		p.CTA = it.CTA.URL
		if strings.HasPrefix(p.CTA, "/") {
			p.CTA = site + p.CTA
		}
	}
	return p
}

// PortalPath is the item's path below the brand site: /slug/ in the brand's
// language and /lang/slug/ in any other, the way multilingual sites lay
// out translations.
func PortalPath(it *Item, b *Brand) string {
	if strings.EqualFold(it.Lang, b.Lang) {
		return "/" + it.Slug + "/"
	}
	return "/" + strings.ToLower(it.Lang) + "/" + it.Slug + "/"
}

// UTM returns the parameters for links leaving channel: "email",
// "catalog", "print", or a social network id. Variant, when set, becomes
// utm_content. The portal, canonical URLs and JSON-LD get none.
func (p *LinkPlan) UTM(channel, variant string) UTM {
	u := UTM{Campaign: p.Campaign, Content: variant}
	switch channel {
	case ChanEmail:
		u.Source, u.Medium = "newsletter", "email"
	case ChanCatalog:
		u.Source, u.Medium = "catalog", "referral"
	case ChanPrint:
		u.Source, u.Medium = "catalog", "print"
	case NetX, NetMastodon, NetBluesky, NetLinkedIn, NetThreads, NetFacebook:
		u.Source, u.Medium = channel, "social"
	default:
		return UTM{}
	}
	return u
}

// Tag applies u to an absolute link leaving a channel when it goes to the
// brand's own sites (its site's domain and subdomains, such as a shop or
// newsletter host), or to any site when the brand sets utm.third_party.
func (p *LinkPlan) Tag(u UTM, raw string) string {
	if !p.thirdParty && !p.Own(raw) {
		return raw
	}
	return u.Apply(raw)
}

// Own reports whether raw is an http(s) URL on the brand's registrable
// domain: www.kestrel.example, shop.kestrel.example and kestrel.example are
// one brand's; kestrel.example.net and maps.example are not.
func (p *LinkPlan) Own(raw string) bool {
	if !isWebURL(raw) {
		return false
	}
	a, err1 := url.Parse(raw)
	b, err2 := url.Parse(p.site)
	if err1 != nil || err2 != nil || b.Hostname() == "" {
		return false
	}
	return registrable(a.Hostname()) == registrable(b.Hostname())
}

// registrable is host's registrable domain ("kestrel.example" for
// "news.kestrel.example", "bbc.co.uk" for "www.bbc.co.uk"), or the host
// itself when it has none (an IP address, "localhost").
func registrable(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// Share is a share link for one network: Intent opens the network's
// composer with Target, the canonical URL tagged for that network.
type Share struct {
	Network string
	Label   string
	Intent  string
	Target  string
}

// Shares returns share links for the brand's networks that have a web
// share intent, in the brand's order. A reader's share is tagged
// utm_medium=share, so it is told apart from the brand's own posts
// (utm_medium=social) in the brand's analytics.
func (p *LinkPlan) Shares(it *Item, b *Brand) []Share {
	var out []Share
	for _, n := range b.Social.Networks() {
		u := p.UTM(n.ID, "")
		u.Medium = "share"
		target := u.Apply(p.Canonical)
		text := it.Title + " " + target
		var intent string
		switch n.ID {
		case NetX:
			intent = "https://x.com/intent/post?" + url.Values{"text": {it.Title}, "url": {target}}.Encode()
		case NetMastodon:
			// Share through the brand's own instance; readers on other
			// instances can still copy the link from there.
			if u, err := url.Parse(n.Profile.URL); err == nil && u.Host != "" {
				intent = "https://" + u.Host + "/share?" + url.Values{"text": {text}}.Encode()
			}
		case NetBluesky:
			intent = "https://bsky.app/intent/compose?" + url.Values{"text": {text}}.Encode()
		case NetLinkedIn:
			intent = "https://www.linkedin.com/sharing/share-offsite/?" + url.Values{"url": {target}}.Encode()
		case NetThreads:
			intent = "https://www.threads.net/intent/post?" + url.Values{"text": {text}}.Encode()
		case NetFacebook:
			intent = "https://www.facebook.com/sharer/sharer.php?" + url.Values{"u": {target}}.Encode()
		}
		if intent != "" {
			out = append(out, Share{Network: n.ID, Label: n.Label, Intent: p.Tracked(ChanPortalShare, intent), Target: target})
		}
	}
	return out
}
