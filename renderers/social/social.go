package social

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/content/textcut"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/logo"
)

// Channel is the social channel's name.
const Channel = content.ChanSocial

// File names of the rendering: JSONFile holds the Doc (read it with
// Decode), TextFile the posts as people read them.
const (
	JSONFile = "social.json"
	TextFile = "social.txt"
)

// Renderer renders social posts and share cards. Create it once with New;
// it is safe for concurrent use.
type Renderer struct {
	cache      *images.Cache
	lib        *fonts.Library
	brandFonts sync.Map // brand font SHA-256 → *fonts.Font or error
	logos      *logo.Rasterizer
	layers     layerCache // typographic card backgrounds
}

// New makes a renderer that sets cards in the fonts the brand's CSS
// stacks name, found among the fonts installed on the machine
// (fonts.StandardDirs) or bundled. cache may be nil.
func New(cache *images.Cache) (*Renderer, error) {
	lib, err := fonts.New(fonts.StandardDirs()...)
	if err != nil {
		return nil, fmt.Errorf("social: %w", err)
	}
	return NewWithFonts(cache, lib), nil
}

// NewWithFonts makes a renderer that finds fonts in lib; a library of
// only the bundled fonts draws the same cards on every machine.
func NewWithFonts(cache *images.Cache, lib *fonts.Library) *Renderer {
	return &Renderer{cache: cache, lib: lib, logos: logo.New(lib)}
}

// Channel implements renderers.Renderer.
func (r *Renderer) Channel() string { return Channel }

// Doc is social.json.
type Doc struct {
	Item     string         `json:"item"`
	Lang     string         `json:"lang"`
	Title    string         `json:"title"`
	URL      string         `json:"url"` // canonical, no UTM
	Cards    []Card         `json:"cards"`
	Networks []NetworkPosts `json:"networks"`
	// Variant is the copy a variant's file holds ("" in JSONFile, the
	// item's own copy).
	Variant string `json:"variant,omitempty"`
	// Variants and Shares, in JSONFile only and only when the item has
	// social.variants or social.reshare: the variants rendered (each in
	// its own VariantOf files) and which copy each network posts when.
	Variants []string `json:"variants,omitempty"`
	Shares   []Share  `json:"shares,omitempty"`
}

// Share is one scheduled post of a copy to a network: at publishing
// (Reshare 0) or as its Reshare-th re-share, After the publication.
type Share struct {
	Network string `json:"network"`
	Variant string `json:"variant,omitempty"` // "" : the item's own copy
	Reshare int    `json:"reshare,omitempty"`
	After   string `json:"after,omitempty"` // "+2d"
	File    string `json:"file"`            // the JSON file with the posts
}

// NetworkPosts is what one network gets: a post, or a thread of them.
type NetworkPosts struct {
	Network   string `json:"network"`
	Label     string `json:"label"`
	Handle    string `json:"handle,omitempty"`
	Profile   string `json:"profile"`
	Limit     int    `json:"limit"`
	Unit      string `json:"unit"`
	Link      string `json:"link"` // the portal URL with this network's UTM
	Thread    bool   `json:"thread"`
	Truncated bool   `json:"truncated"`
	// LinkApart: the link is posted beside the text (a Facebook link
	// post), not in it.
	LinkApart       bool     `json:"link_apart,omitempty"`
	Posts           []Post   `json:"posts"`
	Image           *Image   `json:"image,omitempty"` // goes with the first post
	Embed           *Embed   `json:"embed,omitempty"`
	DroppedHashtags []string `json:"dropped_hashtags,omitempty"`
}

// Post is one post's text and its length by the network's own count.
type Post struct {
	Text   string  `json:"text"`
	Length int     `json:"length"`
	Facets []Facet `json:"facets,omitempty"`
	// Little is the text escaped for LinkedIn's little text format, the
	// form its Posts API takes.
	Little string `json:"little_text,omitempty"`
}

// Image is a card attached to a post.
type Image struct {
	File string `json:"file"`
	Alt  string `json:"alt"`
}

// Embed is Bluesky's link card (app.bsky.embed.external); Thumb names
// the card file the publisher uploads as the thumbnail blob.
type Embed struct {
	Type     string        `json:"$type"`
	External EmbedExternal `json:"external"`
}

// EmbedExternal is the link card's content.
type EmbedExternal struct {
	URI         string `json:"uri"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Thumb       string `json:"thumb,omitempty"`
}

// Render implements renderers.Renderer.
func (r *Renderer) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	it, b, links := in.Item, in.Brand, in.Links
	out := &renderers.Output{Metrics: map[string]float64{}}

	cards, variants, warns, err := r.cards(ctx, it, b)
	if err != nil {
		return nil, err
	}
	out.Warnings = append(out.Warnings, warns...)

	doc := Doc{Item: it.ID, Lang: it.Lang, Title: it.Title, URL: links.Canonical, Cards: cards, Networks: []NetworkPosts{}}
	nets := b.Social.Networks()
	if len(nets) == 0 {
		out.Warnings = append(out.Warnings, content.Diagnostic{File: "brand.yaml", Field: "social",
			Message: "the brand has no social profiles, so there are no posts (add one under social:, such as mastodon:)"})
	}
	outline, err := it.Outline(ctx)
	if err != nil {
		return nil, err
	}
	count := 0
	// attach gives a network's first post the share card.
	attach := func(p *NetworkPosts) {
		switch {
		case len(cards) == 0 || p.LinkApart:
			// A link post (Facebook's) shows the page's own preview,
			// whose og:image is this same card.
		case p.Embed != nil:
			// A post has one embed: Bluesky's link card carries the card.
			p.Embed.External.Thumb = cards[0].File
		default:
			p.Image = &Image{File: cards[0].File, Alt: cards[0].Alt}
		}
	}
	for _, np := range nets {
		// Fitting posts tries many candidates per network: stop between
		// networks once past the deadline.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, warns := posts(it, b, links, networkFor(np), outline, ownCopy(it, np.ID))
		attach(&p)
		out.Warnings = append(out.Warnings, warns...)
		doc.Networks = append(doc.Networks, p)
		count += len(p.Posts)
	}

	// Each variant is its own pair of files, checked like the item's own
	// copy, except that a variant that does not fit is an error: it is
	// written for the networks, so cutting it would post what nobody wrote.
	var vdocs []Doc
	var errs content.Errors
	for i, v := range it.Social.Variants {
		bad := false
		vd := Doc{Item: it.ID, Lang: it.Lang, Title: it.Title, URL: links.Canonical, Cards: cards, Networks: []NetworkPosts{}, Variant: v.ID}
		for _, np := range nets {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			text, f := v.For(np.ID)
			if f == "" {
				continue
			}
			c := copyText{id: v.ID, text: text, field: fmt.Sprintf("social.variants.%d.%s", i, f)}
			n := networkFor(np)
			p, warns := posts(it, b, links, n, outline, c)
			if p.Truncated {
				maxPosts := 1
				if n.threads && (it.Social.Thread == nil || *it.Social.Thread) {
					maxPosts = b.ThreadMax(it)
				}
				room := "one post"
				if maxPosts > 1 {
					room = fmt.Sprintf("a thread of %d posts (social.thread_max)", maxPosts)
				}
				d := it.Warning(c.field, "variant %q does not fit %s: %s of %d %s; shorten it or leave %s out of its networks",
					v.ID, n.label, room, n.limit, n.unit, n.id)
				d.Code = content.ETooLarge
				errs = append(errs, d)
				bad = true
				continue
			}
			attach(&p)
			out.Warnings = append(out.Warnings, warns...)
			vd.Networks = append(vd.Networks, p)
			count += len(p.Posts)
		}
		if len(vd.Networks) == 0 && len(nets) > 0 && !bad {
			out.Warnings = append(out.Warnings, it.Warning(fmt.Sprintf("social.variants.%d.networks", i),
				"variant %q goes to none of the brand's networks, so it is never posted", v.ID))
		}
		vdocs = append(vdocs, vd)
		doc.Variants = append(doc.Variants, v.ID)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(it.Social.Variants) > 0 || len(it.Social.Reshare) > 0 {
		for _, sh := range it.SocialShares(b) {
			x := Share{Network: sh.Network, Variant: sh.Copy, Reshare: sh.Reshare, File: VariantOf(sh.Copy).JSON()}
			if sh.Reshare > 0 {
				x.After = content.Offset{Duration: sh.Offset}.String()
			}
			doc.Shares = append(doc.Shares, x)
		}
	}

	for _, d := range append([]Doc{doc}, vdocs...) {
		var data bytes.Buffer
		enc := json.NewEncoder(&data)
		enc.SetEscapeHTML(false) // "&" stays "&" in URLs people read
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return nil, err
		}
		v := VariantOf(d.Variant)
		out.Files = append(out.Files,
			renderers.File{Name: v.JSON(), MediaType: "application/json", Data: data.Bytes()},
			renderers.File{Name: v.Text(), MediaType: "text/plain; charset=utf-8", Data: plainText(&d)})
	}
	for _, v := range variants {
		out.Files = append(out.Files, renderers.File{Name: v.Name, MediaType: v.MediaType, Data: v.Data})
		out.Metrics["card_bytes"] += float64(len(v.Data))
	}
	out.Metrics["networks"] = float64(len(doc.Networks))
	out.Metrics["posts"] = float64(count)
	out.Metrics["cards"] = float64(len(cards))
	out.Metrics["variants"] = float64(len(vdocs))
	out.Preview = TextFile
	if err := ctx.Err(); err != nil {
		return nil, err // finished past the deadline: nobody waits for it
	}
	return out, nil
}

// posts writes one network's post or thread: the item's own text for
// the network, whole, when it has one; else written from the article
// (see writtenUnits).
func posts(it *content.Item, b *content.Brand, links *content.LinkPlan, n network, o *content.Outline, c copyText) (NetworkPosts, []content.Diagnostic) {
	var warns []content.Diagnostic
	field := c.field
	link := links.UTM(n.id, c.id).Apply(links.Canonical)
	p := NetworkPosts{Network: n.id, Label: n.label, Profile: n.profile.URL, Handle: n.profile.Handle,
		Limit: n.limit, Unit: n.unit, Link: link, LinkApart: n.linkApart}

	own := c.text
	prose := own
	if own == "" {
		field = "title"
		price := ""
		if pr := it.Product; pr != nil {
			price = content.FormatPrice(it.Lang, pr.Price, pr.Currency)
		}
		// The brand's social_post is the hook; the article's sentences
		// take the place of {summary}, after it.
		prose = textcut.TrimEnd(b.T(it.Lang, "social_post", "title", it.Title, "summary", "", "author", it.Author, "price", price))
	}
	prose = tidy(prose)

	if n.maxLinks > 0 {
		var dropped []string
		prose, dropped = limitLinks(prose, n.maxLinks-1) // the item's own link is one
		if len(dropped) > 0 {
			warns = append(warns, it.Warning(field, "%s allows %d links in a post: left out %s", n.label, n.maxLinks, strings.Join(dropped, ", ")))
		}
	}

	budget := n.limit
	if n.id == content.NetFacebook {
		budget = min(budget, facebookBudget)
	}
	units := sentences(prose, it.Lang)
	if own == "" {
		units = writtenUnits(prose, it, o, n, budget)
	}
	text := joinAll(units)
	parts := Parts{Prose: text, Lang: it.Lang, Link: link}
	switch {
	case n.linkApart:
		parts.Link = ""
	case n.shortLink:
		parts.Link = ShortLinkText(link)
	}
	parts.Required, parts.Optional = hashtags(text, b.Social.Hashtags, it)
	if n.maxTags > 0 {
		parts.Required, parts.Optional = capTags(text, parts.Required, parts.Optional, n.maxTags)
	}

	maxPosts := 1
	if thread := it.Social.Thread; n.threads && (thread == nil || *thread) {
		maxPosts = b.ThreadMax(it)
	}
	texts, left, clipped := writePosts(units, parts, budget, n.count, maxPosts)
	p.DroppedHashtags = droppedTags(texts[0], parts.Required)
	p.Thread = len(texts) > 1
	p.Truncated = clipped || own != "" && left
	switch {
	case own == "" && clipped:
		warns = append(warns, it.Warning(field, "the %s post was cut short to fit %d %s", n.label, n.limit, n.unit))
	case own != "" && left && len(texts) > 1:
		warns = append(warns, it.Warning(field, "the %s thread stops at %d posts (social.thread_max); the rest of the text is left out", n.label, len(texts)))
	case own != "" && (left || clipped):
		warns = append(warns, it.Warning(field, "the %s post was cut short to fit %d %s", n.label, n.limit, n.unit))
	}
	if len(p.DroppedHashtags) > 0 {
		warns = append(warns, it.Warning(field, "no room in the %s post for %s", n.label, strings.Join(p.DroppedHashtags, " ")))
	}

	for i, t := range texts {
		post := Post{Text: t, Length: n.count(t)}
		if n.shortLink {
			display := ""
			if i == 0 {
				display = parts.Link
			}
			post.Facets = blueskyFacets(t, display, link)
		}
		if n.id == content.NetLinkedIn {
			post.Little = EscapeLittle(t)
		}
		p.Posts = append(p.Posts, post)
	}
	if n.id == content.NetBluesky {
		p.Embed = &Embed{Type: "app.bsky.embed.external", External: EmbedExternal{URI: link, Title: it.Title, Description: it.Summary}}
	}
	return p, warns
}

// droppedTags lists the required hashtags the first post lacks.
func droppedTags(post string, req []string) []string {
	var out []string
	for _, h := range req {
		if !strings.Contains(post, h) {
			out = append(out, h)
		}
	}
	return out
}

// copyText is the copy one network's posts are written from: the item's
// own (id "") or a variant's, whose id becomes utm_content. An empty
// text (the item's own copy only) writes the posts from the article.
type copyText struct {
	id, text string
	field    string // the front-matter field the text came from
}

func ownCopy(it *content.Item, net string) copyText {
	return copyText{text: override(it, net), field: "social." + net}
}

// override is the front matter's own text for a network, if any.
func override(it *content.Item, net string) string {
	s := it.Social
	switch net {
	case content.NetX:
		return s.X
	case content.NetMastodon:
		return s.Mastodon
	case content.NetBluesky:
		return s.Bluesky
	case content.NetLinkedIn:
		return s.LinkedIn
	case content.NetThreads:
		return s.Threads
	case content.NetFacebook:
		return s.Facebook
	}
	return ""
}

// tidy trims the prose and keeps at most one blank line between
// paragraphs, so a template with an empty part leaves no gap.
func tidy(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n")
	var out []string
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// hashtags returns the brand's hashtags (required) and the item's tags
// as hashtags (optional, unless social.hashtags is false), leaving out
// any the prose already has.
func hashtags(prose string, brandTags []string, it *content.Item) (req, opt []string) {
	have := map[string]bool{}
	for _, sp := range protected(prose) {
		if prose[sp[0]] == '#' {
			have[strings.ToLower(prose[sp[0]:sp[1]])] = true
		}
	}
	pick := func(tags []string) []string {
		var out []string
		for _, h := range Hashtags(tags) {
			if !have[strings.ToLower(h)] {
				have[strings.ToLower(h)] = true
				out = append(out, h)
			}
		}
		return out
	}
	req = pick(brandTags)
	if it.Social.Hashtags == nil || *it.Social.Hashtags {
		opt = pick(it.Tags)
	}
	return req, opt
}

// capTags keeps at most n hashtags in all, counting those in the prose.
func capTags(prose string, req, opt []string, n int) ([]string, []string) {
	for _, sp := range protected(prose) {
		if prose[sp[0]] == '#' {
			n--
		}
	}
	n = max(n, 0)
	if len(req) >= n {
		return req[:n], nil
	}
	return req, opt[:min(len(opt), n-len(req))]
}

// limitLinks keeps the first n distinct links in prose and takes out the
// rest, returning what it took out.
func limitLinks(prose string, n int) (string, []string) {
	seen := map[string]bool{}
	var out strings.Builder
	var dropped []string
	last := 0
	for _, sp := range FindURLs(prose) {
		u := prose[sp[0]:sp[1]]
		if seen[u] || len(seen) < n {
			seen[u] = true
			continue
		}
		out.WriteString(strings.TrimRight(prose[last:sp[0]], " "))
		last = sp[1]
		dropped = append(dropped, u)
	}
	if dropped == nil {
		return prose, nil
	}
	out.WriteString(prose[last:])
	return tidy(out.String()), dropped
}

// blueskyFacets links the shortened link text to the full URL, and every
// other link and hashtag in the post, since Bluesky links nothing that
// has no facet.
func blueskyFacets(post, display, uri string) []Facet {
	facets := Facets(post, display, uri)
	linked := map[int]bool{}
	for _, f := range facets {
		linked[f.ByteStart] = true
	}
	for _, sp := range FindURLs(post) {
		if linked[sp[0]] {
			continue
		}
		u := post[sp[0]:sp[1]]
		if !strings.Contains(u, "://") {
			u = "https://" + u
		}
		facets = append(facets, Facet{ByteStart: sp[0], ByteEnd: sp[1], URI: u})
	}
	return facets
}

// plainText is social.txt: each network's posts, ready to copy.
func plainText(doc *Doc) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%s\n", doc.Title, doc.URL)
	if doc.Variant != "" {
		fmt.Fprintf(&b, "Variant: %s (utm_content=%s)\n", doc.Variant, doc.Variant)
	}
	for _, n := range doc.Networks {
		head := n.Label
		if n.Handle != "" {
			head += " (" + n.Handle + ")"
		}
		fmt.Fprintf(&b, "\n== %s ==\n", head)
		for i, p := range n.Posts {
			if len(n.Posts) > 1 {
				fmt.Fprintf(&b, "\n-- post %d of %d, %d/%d %s --\n", i+1, len(n.Posts), p.Length, n.Limit, n.Unit)
			} else {
				fmt.Fprintf(&b, "\n-- %d/%d %s --\n", p.Length, n.Limit, n.Unit)
			}
			fmt.Fprintf(&b, "%s\n", p.Text)
		}
		if n.LinkApart {
			fmt.Fprintf(&b, "\nLink: %s\n", n.Link)
		}
		if n.Image != nil {
			fmt.Fprintf(&b, "\nImage: %s\nAlt text: %s\n", n.Image.File, n.Image.Alt)
		}
	}
	if len(doc.Cards) > 0 {
		b.WriteString("\n== Share cards ==\n\n")
		for _, c := range doc.Cards {
			fmt.Fprintf(&b, "%s (%d×%d, %s)\n", c.File, c.Width, c.Height, c.Kind)
		}
		fmt.Fprintf(&b, "Alt text: %s\n", doc.Cards[0].Alt)
	}
	if len(doc.Shares) > 0 {
		b.WriteString("\n== Schedule ==\n\n")
		for _, s := range doc.Shares {
			when := "at publishing"
			if s.Reshare > 0 {
				when = fmt.Sprintf("re-share %d, %s", s.Reshare, s.After)
			}
			copyID := s.Variant
			if copyID == "" {
				copyID = content.OriginalCopy
			}
			fmt.Fprintf(&b, "%s: %s (%s)\n", s.Network, copyID, when)
		}
	}
	return b.Bytes()
}
