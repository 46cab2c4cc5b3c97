package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// gmailClip is where Gmail cuts an email's HTML off behind "View entire
// message".
const gmailClip = 102 * 1024

var itemTabs = []struct{ ID, Label, Channel string }{
	{email.Channel, "Email", email.Channel},
	{social.Channel, "Social", social.Channel},
	{portal.Channel, "Portal", portal.Channel},
	{catalog.Channel, "Catalog", catalog.Channel},
	{"links", "Links", ""},
	{"warnings", "Warnings", ""},
	{"history", "History", ""},
}

// itemFrames names the files the portal and catalog tabs frame.
type itemFrames struct{ Portal, Card, Print string }

type tabLink struct {
	ID, Label, Status, URL string
	Current                bool
	Count                  int
}

type emailView struct {
	Variants        []string
	Variant         string // "" is the default
	Dir             string // file prefix of the variant shown
	HTML            string // the shown variant's page, which the frames show
	Subject, From   string
	Preheader       string
	Headers         [][2]string
	Text            string
	HTMLSize, Limit int64
}

type linkRow struct {
	Channel, Where, URL, Path string
	Shown                     string // URL without its UTM parameters, which show as chips
	UTM                       [][2]string
	Target                    string // "this item", "the catalog", "another site" …
	Known                     bool
	Local                     string // the same page on the site served here, "" when none
	Clicks                    int64
}

type warningRow struct {
	Channel string
	content.Diagnostic
	Error bool
}

type itemPage struct {
	Item        *store.Item
	BrandName   string
	Audience    *app.Audience // who the email reaches, until it is sent (item_audience.go)
	Version     int
	Versions    []store.VersionInfo
	Tab         string
	Tabs        []tabLink
	Renderings  map[string]*store.Rendering
	Preview     string
	Frames      itemFrames
	Email       *emailView
	Social      *social.Doc
	SocialMock  *socialMock // Social with its variants and schedule
	Reshares    int         // social re-shares of this version still to go out
	CatalogJSON string
	JSONLD      string
	Links       []linkRow
	Warnings    []warningRow
	Publication *store.Publication
	Deliveries  []store.Delivery
	Channels    []channelState // per channel, once the version has a publication
	Live        *liveVersion   // another version that is on the site
	OnSite      bool           // some version is on the site
	TargetsDoc  string
	Events      []eventRow
	Statuses    map[int]string // version → what the history says it is
	Editor      bool
	Experiments []experimentView // email A/B tests of this version (item_experiment.go)
}

// itemPage handles GET /items/{id}: one item version, a tab per channel
// with its previews, and the actions an editor takes on it.
func (ui *UI) itemPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	it, err := ui.db.Item(ctx, id)
	if err != nil {
		return err
	}
	p := itemPage{Item: it, Version: it.LatestVersion, Tab: r.URL.Query().Get("tab"), Renderings: map[string]*store.Rendering{},
		Frames: itemFrames{Portal: portal.PageFile, Card: catalog.CardFile, Print: catalog.PrintHTMLFile},
		Editor: store.RoleAtLeast(web.CurrentUser(r).Role, store.RoleEditor)}
	if v, err := strconv.Atoi(r.URL.Query().Get("v")); err == nil && v >= 1 && v <= it.LatestVersion {
		p.Version = v
	}
	if b, err := ui.db.Brand(ctx, it.Brand); err == nil {
		p.BrandName = b.Name
	}
	if p.Versions, err = ui.db.Versions(ctx, id); err != nil {
		return err
	}
	rs, err := ui.db.Renderings(ctx, id, p.Version)
	if err != nil {
		return err
	}
	for i := range rs {
		p.Renderings[rs[i].Channel] = &rs[i]
	}
	if p.Preview, err = ui.previewBase(ctx, id, p.Version); err != nil {
		return err
	}
	if !slices.ContainsFunc(itemTabs, func(t struct{ ID, Label, Channel string }) bool { return t.ID == p.Tab }) {
		p.Tab = email.Channel
	}
	p.Warnings = warnings(rs)
	p.Audience = ui.itemAudience(ctx, id, p.Version)
	p.Experiments = ui.itemExperiments(ctx, id, p.Version)
	for _, t := range itemTabs {
		tl := tabLink{ID: t.ID, Label: t.Label, Current: t.ID == p.Tab, URL: "/items/" + id + "?tab=" + t.ID}
		if p.Version != it.LatestVersion {
			tl.URL += "&v=" + strconv.Itoa(p.Version)
		}
		if rr := p.Renderings[t.Channel]; rr != nil {
			tl.Status = rr.Status
		}
		if t.ID == "warnings" {
			tl.Count = len(p.Warnings)
		}
		p.Tabs = append(p.Tabs, tl)
	}
	file := func(channel, name string) []byte {
		if rr := p.Renderings[channel]; rr == nil || rr.Status != store.StatusRendered {
			return nil
		}
		_, data, err := ui.db.RenderingFile(ctx, store.RenderKey{ItemID: id, Version: p.Version, Channel: channel}, name)
		if err != nil {
			return nil
		}
		return data
	}
	switch p.Tab {
	case email.Channel:
		p.Email = emailTab(p.Renderings[email.Channel], r.URL.Query().Get("variant"), file)
	case social.Channel:
		if doc, err := social.Decode(file(social.Channel, social.JSONFile)); err == nil && doc.Title != "" {
			p.Social = doc
			m := newSocialMock(p.Preview+"/social", doc)
			m.withVariants(func(name string) []byte { return file(social.Channel, name) })
			p.SocialMock = &m
		}
	case catalog.Channel:
		p.CatalogJSON = prettyJSON(file(catalog.Channel, catalog.APIFile))
		p.JSONLD = prettyJSON(file(catalog.Channel, catalog.JSONLDFile))
	case "links":
		links, err := ui.db.Links(ctx, id)
		if err != nil {
			return err
		}
		p.Links = linkMap(it, file, links, ui.localSite(ctx, it.Brand))
	case "history":
		es, err := ui.db.Events(ctx, id, 500)
		if err != nil {
			return err
		}
		p.Events = eventRows(es)
		pubs, err := ui.db.Publications(ctx, id)
		if err != nil {
			return err
		}
		p.Statuses = map[int]string{}
		for _, v := range p.Versions {
			p.Statuses[v.Version] = versionStatus(v, pubs)
		}
	}
	if pub, err := ui.db.Publication(ctx, id, p.Version); err == nil {
		p.Publication = pub
	}
	p.TargetsDoc = targetsDoc
	channels := make([]string, 0, len(rs))
	for _, r := range rs {
		if !slices.Contains(channels, r.Channel) {
			channels = append(channels, r.Channel)
		}
	}
	if err := ui.publishingState(ctx, &p, channels); err != nil {
		return err
	}
	if p.SocialMock != nil && p.Publication != nil && len(p.SocialMock.Schedule) > 0 {
		p.SocialMock.withLedger(p.Deliveries)
	}
	for _, d := range p.Deliveries {
		if _, n := content.ParseLedgerVariant(d.Variant); d.Channel == social.Channel && n > 0 && d.Status == store.DelPending {
			p.Reshares++
		}
	}
	ui.html(w, r, http.StatusOK, "item", p)
	return nil
}

func warnings(rs []store.Rendering) []warningRow {
	var out []warningRow
	for _, r := range rs {
		if r.Error != "" {
			out = append(out, warningRow{Channel: r.Channel, Diagnostic: content.Diagnostic{Message: r.Error}, Error: true})
		}
		var ds []content.Diagnostic
		if len(r.Warnings) > 0 && json.Unmarshal(r.Warnings, &ds) == nil {
			for _, d := range ds {
				out = append(out, warningRow{Channel: r.Channel, Diagnostic: d})
			}
		}
	}
	return out
}

func emailTab(rr *store.Rendering, variant string, file func(channel, name string) []byte) *emailView {
	if rr == nil {
		return nil
	}
	v := &emailView{Limit: gmailClip}
	names := make([]string, len(rr.Files))
	for i, f := range rr.Files {
		names[i] = f.Name
	}
	shown := email.VariantOf("")
	for _, ev := range email.Variants(names)[1:] { // after the control
		v.Variants = append(v.Variants, ev.Name)
		if ev.Name == variant {
			shown = ev
		}
	}
	v.Variant, v.Dir, v.HTML = shown.Name, shown.Dir, shown.HTML()
	for _, f := range rr.Files {
		if f.Name == shown.HTML() {
			v.HTMLSize = f.Size
		}
	}
	v.Preheader = email.Preheader(file(email.Channel, shown.HTML()))
	v.Text = string(file(email.Channel, shown.Text()))
	if msg, err := mail.ReadMessage(bytes.NewReader(file(email.Channel, shown.EML()))); err == nil {
		dec := new(mime.WordDecoder)
		for _, k := range []string{"From", "Subject", "Date", "Message-Id", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type"} {
			if val := msg.Header.Get(k); val != "" {
				if d, err := dec.DecodeHeader(val); err == nil {
					val = d
				}
				v.Headers = append(v.Headers, [2]string{k, val})
				switch k {
				case "From":
					v.From = val
					// The raw value, not val: decoding twice would turn a name
					// that reads "=?utf-8?q?…?=" into what it spells.
					if a, err := mail.ParseAddress(msg.Header.Get(k)); err == nil && a.Name != "" {
						v.From = a.Name
					}
				case "Subject":
					v.Subject = val
				}
			}
		}
	}
	return v
}

// linkMap lists every link out of each channel's rendering: where it
// goes, its UTM tags, whether it reaches a page of the brand's site, and
// its clicks once published.
// local maps a link into the brand's site to the page on the site served
// here; nil when this server serves none.
func linkMap(it *store.Item, file func(channel, name string) []byte, tracked []store.Link, local func(string) string) []linkRow {
	clicks := map[string]int64{}
	for _, l := range tracked {
		clicks[l.Channel+" "+l.URL] += l.Clicks
	}
	doc := &social.Doc{}
	if d, err := social.Decode(file(social.Channel, social.JSONFile)); err == nil {
		doc = d
	}
	cat := &catalog.APIEntry{}
	if a, err := catalog.DecodeAPI(file(catalog.Channel, catalog.APIFile)); err == nil {
		cat = a
	}
	site := ""
	for _, c := range []string{doc.URL, cat.URL} {
		if u, err := url.Parse(c); err == nil && u.Host != "" {
			site = u.Host
			break
		}
	}
	var out []linkRow
	seen := map[string]bool{}
	add := func(channel, where, raw string) {
		if seen[channel+" "+raw] {
			return
		}
		seen[channel+" "+raw] = true
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return
		}
		row := linkRow{Channel: channel, Where: where, URL: raw, Path: u.Path, Clicks: clicks[channel+" "+raw]}
		q := u.Query()
		for _, k := range []string{"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"} {
			if v := q.Get(k); v != "" {
				row.UTM = append(row.UTM, [2]string{strings.TrimPrefix(k, "utm_"), v})
			}
			q.Del(k)
		}
		bare := *u
		bare.RawQuery = q.Encode()
		row.Shown = bare.String()
		row.Target, row.Known = u.Host, u.Host == site
		if row.Known && local != nil {
			row.Local = local(bare.String())
		}
		if row.Known {
			switch {
			case strings.HasSuffix(u.Path, "/"+it.Slug+"/"):
				row.Target = "this item's page"
			case strings.HasPrefix(u.Path, "/catalog/"):
				row.Target = "the catalog"
			case u.Path == "/" || u.Path == "":
				row.Target = "the site's home page"
			case strings.HasSuffix(u.Path, ".xml") || strings.HasSuffix(u.Path, ".json"):
				row.Target = "a feed"
			default:
				row.Target = "the site: " + u.Path
			}
		}
		out = append(out, row)
	}
	anchors := func(channel, name string) {
		for _, m := range anchorRE.FindAllSubmatch(file(channel, name), -1) {
			where := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(string(m[2]), " "))), " ")
			if where == "" {
				where = "(image or icon)"
			}
			add(channel, where, html.UnescapeString(string(m[1])))
		}
	}
	anchors(email.Channel, email.HTMLFile)
	for _, n := range doc.Networks {
		add(social.Channel, n.Label+" post", n.Link)
	}
	for _, id := range doc.Variants {
		if vd, err := social.Decode(file(social.Channel, social.VariantOf(id).JSON())); err == nil {
			for _, n := range vd.Networks {
				add(social.Channel, n.Label+" post, variant "+id, n.Link)
			}
		}
	}
	if cat.URL != "" {
		add(catalog.Channel, "card", cat.URL)
	}
	anchors(portal.Channel, portal.PageFile)
	return out
}

var (
	anchorRE = regexp.MustCompile(`(?s)<a\b[^>]*\bhref="([^"]+)"[^>]*>(.*?)</a>`)
	tagRE    = regexp.MustCompile(`<[^>]*>`)
)

// prettyJSON indents JSON for reading; what does not parse shows as it is.
func prettyJSON(data []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, data, "", "  "); err != nil {
		return string(data)
	}
	return buf.String()
}

// localSite returns the mapping of links into a brand's site onto the
// copy this server serves under /sites/<brand>/, or nil when it serves
// none.
func (ui *UI) localSite(ctx context.Context, brand string) func(string) string {
	if !ui.sites || ui.svc == nil {
		return nil
	}
	base, err := ui.svc.BrandSite(ctx, brand)
	if err != nil || base == "" {
		return nil
	}
	return func(raw string) string {
		rest, ok := strings.CutPrefix(raw, base)
		if !ok || rest != "" && rest[0] != '/' && rest[0] != '?' && rest[0] != '#' {
			return ""
		}
		return "/sites/" + url.PathEscape(brand) + "/" + strings.TrimPrefix(rest, "/")
	}
}
