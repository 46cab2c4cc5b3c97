package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/store"
)

// deliver claims one ledger row, sends it and records the outcome. A
// temporary failure puts the row back and returns the error, so the task
// is retried with the same key; on the last retry it is recorded failed.
func (p *Pipeline) deliver(ctx context.Context, key string) error {
	claim, d, err := p.db.ClaimDelivery(ctx, key, true)
	if err != nil {
		return err
	}
	if claim != store.ClaimGo {
		return nil
	}
	log := p.log.With("delivery", key, "kind", d.Kind)
	began := time.Now()
	res, err := p.send(ctx, d)
	last := false
	if n, ok := asynq.GetRetryCount(ctx); ok {
		m, _ := asynq.GetMaxRetry(ctx)
		last = n >= m
	}
	var status string
	switch {
	case err == nil:
		status = store.DelSent
	case errors.Is(err, publish.ErrAmbiguous):
		status = store.DelUnknown
	case publish.IsPermanent(err), last:
		status = store.DelFailed
	default:
		log.Warn("delivery failed; will retry", "err", err)
		if rerr := p.db.ReleaseDelivery(context.WithoutCancel(ctx), key, err.Error()); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	p.metrics.observe("deliver:"+d.Kind, status, time.Since(began))
	if res == nil {
		res = &publish.Posted{}
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	log.Info("delivered", "status", status, "external", res.URL, "err", msg)
	if ferr := p.db.FinishDelivery(context.WithoutCancel(ctx), key, status, res.ID, res.URL, msg); ferr != nil {
		return ferr
	}
	if status == store.DelFailed {
		return permanent(err)
	}
	return nil
}

// job is what one delivery needs: the item version, its brand, links
// and target, and its rendering's files.
type job struct {
	d      *store.Delivery
	item   *content.Item
	brand  *content.Brand
	links  *content.LinkPlan
	target content.Target
	pub    *store.Publication
	track  *tracker
}

func (p *Pipeline) send(ctx context.Context, d *store.Delivery) (*publish.Posted, error) {
	v, err := p.db.Version(ctx, d.ItemID, d.Version)
	if err != nil {
		return nil, err
	}
	brand, err := p.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return nil, err
	}
	it, err := p.loadItem(ctx, v, brand)
	if err != nil {
		return nil, permanentIf(err)
	}
	pub, err := p.db.Publication(ctx, d.ItemID, d.Version)
	if err != nil {
		return nil, err
	}
	j := &job{d: d, item: it, brand: brand, links: content.NewLinkPlan(it, brand), pub: pub}
	targets := brand.Targets()
	i := slices.IndexFunc(targets, func(t content.Target) bool { return t.ID == d.Target })
	if i < 0 {
		return nil, publish.ErrPermanentf("brand %s has no target %q any more", brand.ID, d.Target)
	}
	j.target = targets[i]
	channel := d.Channel
	if n := j.target.TargetNetwork(); n != "" {
		channel = n
	}
	j.track = &tracker{base: p.publicURL, item: d.ItemID, version: d.Version, channel: channel, variant: d.Variant}
	switch d.Kind {
	case content.TargetSite:
		return p.sendSite(ctx, j)
	case content.TargetSMTP:
		return p.sendSMTP(ctx, j)
	case content.TargetMastodon:
		return p.sendMastodon(ctx, j)
	case content.TargetBluesky:
		return p.sendBluesky(ctx, j)
	case content.TargetWebhook:
		return p.sendWebhook(ctx, j)
	}
	return nil, publish.ErrPermanentf("unknown target kind %q", d.Kind)
}

// permanentIf makes an input error (the stored item no longer parses)
// permanent for publishing.
func permanentIf(err error) error {
	var ie inputError
	if errors.As(err, &ie) {
		return publish.ErrPermanentf("%v", err)
	}
	return err
}

// file returns one rendered file of the delivery's version.
func (p *Pipeline) file(ctx context.Context, d *store.Delivery, channel, name string) ([]byte, error) {
	_, data, err := p.db.RenderingFile(ctx, store.RenderKey{ItemID: d.ItemID, Version: d.Version, Channel: channel}, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, publish.ErrPermanentf("the %s rendering has no %s", channel, name)
	}
	return data, err
}

// files returns all of a channel's rendered files of the delivery's
// version (the site publishes them all).
func (p *Pipeline) files(ctx context.Context, d *store.Delivery, channel string) (map[string][]byte, error) {
	rs, err := p.db.Renderings(ctx, d.ItemID, d.Version)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, r := range rs {
		if r.Channel != channel {
			continue
		}
		if r.Status != store.StatusRendered {
			return nil, publish.ErrPermanentf("the %s rendering is %s", channel, r.Status)
		}
		for _, f := range r.Files {
			_, data, err := p.db.RenderingFile(ctx, r.RenderKey, f.Name)
			if err != nil {
				return nil, err
			}
			out[f.Name] = data
		}
	}
	return out, nil
}

// secret reads an environment variable a target names.
func (p *Pipeline) secret(t content.Target, field, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	v := p.getenv(name)
	if v == "" {
		return "", publish.ErrPermanentf("target %s: %s names %s, which is not set on this worker", t.ID, field, name)
	}
	return v, nil
}

func (p *Pipeline) httpFor(t content.Target) *http.Client {
	return p.httpClient(t.AllowHosts)
}

// sendSite writes the portal page (with the email's images and the
// social cards beside it), or rebuilds the site's catalog and feeds.
func (p *Pipeline) sendSite(ctx context.Context, j *job) (*publish.Posted, error) {
	if p.site == nil {
		return nil, publish.ErrPermanentf("this worker has no site folder configured")
	}
	dir := content.PortalPath(j.item, j.brand)
	switch j.d.Channel {
	case content.ChanPortal:
		var out []publish.File
		for ch, prefix := range map[string]string{content.ChanPortal: "", email.Channel: email.Channel + "/", social.Channel: ""} {
			if _, ok := p.renderers[ch]; !ok {
				continue
			}
			fs, err := p.files(ctx, j.d, ch)
			if err != nil {
				return nil, err
			}
			for _, name := range slices.Sorted(maps.Keys(fs)) {
				keep := ch == content.ChanPortal || (ch == email.Channel && strings.HasPrefix(name, email.ImageDir)) ||
					(ch == social.Channel && strings.HasSuffix(name, ".jpg"))
				if keep {
					out = append(out, publish.File{Name: dir + prefix + name, Data: fs[name]})
				}
			}
		}
		if err := p.site.Write(j.brand.ID, out); err != nil {
			return nil, err
		}
		return &publish.Posted{ID: dir, URL: j.links.Canonical}, nil
	case content.ChanCatalog:
		// The item's card, thumbnails, JSON and print snippet go where
		// catalog.AssetBase says (cards embedded elsewhere point there),
		// then the index is rebuilt with the item on it.
		fs, err := p.files(ctx, j.d, content.ChanCatalog)
		if err != nil {
			return nil, err
		}
		var out []publish.File
		for _, name := range slices.Sorted(maps.Keys(fs)) {
			if name != catalog.EntryFile {
				out = append(out, publish.File{Name: "catalog/items" + dir + name, Data: fs[name]})
			}
		}
		if err := p.site.Write(j.brand.ID, out); err != nil {
			return nil, err
		}
		if err := p.buildSiteIndex(ctx, j.brand); err != nil {
			return nil, err
		}
		return &publish.Posted{ID: "/catalog/#" + j.item.Slug, URL: j.links.Catalog}, nil
	}
	return nil, publish.ErrPermanentf("the site takes portal and catalog, not %s", j.d.Channel)
}

// buildSiteIndex writes the site's catalog pages and feeds from the
// items on it.
func (p *Pipeline) buildSiteIndex(ctx context.Context, brand *content.Brand) error {
	if p.catalog == nil {
		return nil
	}
	raw, err := p.db.PublishedFiles(ctx, brand.ID, catalog.Channel, catalog.EntryFile)
	if err != nil {
		return err
	}
	entries := make([]catalog.Entry, 0, len(raw))
	for _, id := range slices.Sorted(maps.Keys(raw)) {
		var e catalog.Entry
		if err := json.Unmarshal(raw[id], &e); err != nil {
			return publish.ErrPermanentf("item %s: catalog entry: %v", id, err)
		}
		entries = append(entries, e)
	}
	out, err := p.catalog.RenderIndex(ctx, brand, entries)
	if err != nil {
		return publish.ErrPermanentf("site index: %v", err)
	}
	files := make([]publish.File, len(out.Files))
	for i, f := range out.Files {
		files[i] = publish.File{Name: f.Name, Data: f.Data}
	}
	return p.site.Write(brand.ID, files)
}

// Unpublish takes an item's page off its brand's site and rebuilds the
// site's catalog and feeds without it.
func (p *Pipeline) Unpublish(ctx context.Context, itemID, actor string) error {
	it, err := p.db.Item(ctx, itemID)
	if err != nil {
		return err
	}
	v, err := p.db.Version(ctx, itemID, it.LatestVersion)
	if err != nil {
		return err
	}
	brand, err := p.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return err
	}
	if err := p.db.Unpublish(ctx, itemID, actor); err != nil {
		return err
	}
	if p.site == nil {
		return nil
	}
	ci := &content.Item{FrontMatter: content.FrontMatter{Lang: it.Lang, Slug: it.Slug}}
	dir := content.PortalPath(ci, brand)
	for _, d := range []string{dir, "catalog/items" + dir} {
		if err := p.site.Remove(brand.ID, d); err != nil {
			return err
		}
	}
	return p.buildSiteIndex(ctx, brand)
}

// sendSMTP sends the email to each recipient with their own unsubscribe
// link. Each recipient is claimed before its message goes out, so a
// crash mid-send leaves that one recipient unknown and sends the rest.
func (p *Pipeline) sendSMTP(ctx context.Context, j *job) (*publish.Posted, error) {
	t := j.target
	host, err := p.secret(t, "host_env", t.HostEnv)
	if err != nil {
		return nil, err
	}
	if host == "" {
		return nil, publish.ErrPermanentf("target %s: host_env is required", t.ID)
	}
	portText, err := p.secret(t, "port_env", t.PortEnv)
	if err != nil {
		return nil, err
	}
	port := 0
	if portText != "" {
		if port, err = strconv.Atoi(portText); err != nil || port < 1 || port > 65535 {
			return nil, publish.ErrPermanentf("target %s: %s=%q is not a port number", t.ID, t.PortEnv, portText)
		}
	}
	user, err := p.secret(t, "username_env", t.UsernameEnv)
	if err != nil {
		return nil, err
	}
	pass, err := p.secret(t, "password_env", t.PasswordEnv)
	if err != nil {
		return nil, err
	}
	msg, err := p.trackedEmail(ctx, j)
	if err != nil {
		return nil, err
	}
	if err := p.db.PutLinks(ctx, j.track.links); err != nil {
		return nil, err
	}
	var addrs []string
	if t.To != content.ToSubscribers {
		addrs = []string{t.To}
	}
	rcpts, err := p.db.Recipients(ctx, j.d, addrs, t.To == content.ToSubscribers)
	if err != nil {
		return nil, err
	}
	srv := &publish.SMTP{Host: host, Port: port, Implicit: t.TLS == "implicit", Username: user, Password: pass, TLSConfig: p.smtpTLS}
	var conn *publish.SMTPConn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	limiter := p.limiter(j.brand.ID, t.Rate)
	for _, r := range rcpts {
		if r.Status != store.DelPending && r.Status != store.DelSending {
			continue
		}
		claim, err := p.db.ClaimRecipient(ctx, j.d, r.Address)
		if err != nil {
			return nil, err
		}
		if claim != store.ClaimGo {
			continue
		}
		unsub := j.links.Unsubscribe
		if r.Token != "" && unsub != "" {
			unsub = strings.TrimRight(unsub, "/") + "/" + r.Token
		}
		// Date is when the message goes out, not the item's date: a
		// message dated months back sorts out of sight and looks forged.
		body, err := msg.ForRecipient(r.Address, unsub, p.now())
		if err != nil {
			p.db.FinishRecipient(ctx, j.d, r.Address, store.DelFailed, "", err.Error())
			continue
		}
		if err := limiter.Wait(ctx); err != nil {
			p.db.FinishRecipient(context.WithoutCancel(ctx), j.d, r.Address, store.DelPending, "", err.Error())
			return nil, err
		}
		if conn == nil {
			if conn, err = srv.Dial(ctx); err != nil {
				p.db.FinishRecipient(context.WithoutCancel(ctx), j.d, r.Address, store.DelPending, "", err.Error())
				return nil, err
			}
		}
		err = conn.Send(j.brand.Email.FromAddress, r.Address, body)
		switch {
		case err == nil:
			err = p.db.FinishRecipient(ctx, j.d, r.Address, store.DelSent, msg.MessageID(), "")
		case errors.Is(err, publish.ErrAmbiguous):
			conn.Close()
			conn = nil
			err = p.db.FinishRecipient(ctx, j.d, r.Address, store.DelUnknown, "", err.Error())
		case publish.IsPermanent(err):
			err = p.db.FinishRecipient(ctx, j.d, r.Address, store.DelFailed, "", err.Error())
		default:
			// Temporary (4xx, connection lost before the message): it was
			// not taken; the task's retry sends it.
			p.db.FinishRecipient(context.WithoutCancel(ctx), j.d, r.Address, store.DelPending, "", err.Error())
			return nil, err
		}
		if err != nil {
			return nil, err
		}
	}
	final, err := p.db.DeliveryRecipients(ctx, j.d)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	var firstErr string
	for _, r := range final {
		count[r.Status]++
		if r.Error != "" && firstErr == "" {
			firstErr = r.Address + ": " + r.Error
		}
	}
	summary := fmt.Sprintf("%d sent, %d failed, %d unknown, %d suppressed", count[store.DelSent], count[store.DelFailed], count[store.DelUnknown], count[store.DelSuppressed])
	switch {
	case count[store.DelUnknown] > 0:
		return &publish.Posted{ID: msg.MessageID()}, fmt.Errorf("%w: %s", publish.ErrAmbiguous, summary)
	case count[store.DelSent] == 0 && count[store.DelFailed] > 0:
		return nil, publish.ErrPermanentf("%s; %s", summary, firstErr)
	}
	return &publish.Posted{ID: msg.MessageID(), URL: j.links.Canonical}, nil
}

// trackedEmail reads the rendered .eml with its links made tracked.
func (p *Pipeline) trackedEmail(ctx context.Context, j *job) (*email.Message, error) {
	eml, err := p.file(ctx, j.d, email.Channel, email.EMLFile)
	if err != nil {
		return nil, err
	}
	msg, err := email.ParseEML(eml, j.links.Unsubscribe)
	if err != nil {
		return nil, publish.ErrPermanentf("%v", err)
	}
	msg.RewriteLinks(j.track.URL)
	return msg, nil
}

// socialDoc reads the rendering's social.Doc.
func (p *Pipeline) socialDoc(ctx context.Context, j *job) (*social.Doc, error) {
	raw, err := p.file(ctx, j.d, social.Channel, social.JSONFile)
	if err != nil {
		return nil, err
	}
	doc, err := social.Decode(raw)
	if err != nil {
		return nil, publish.ErrPermanentf("%v", err)
	}
	return doc, nil
}

func network(doc *social.Doc, id string) (*social.NetworkPosts, error) {
	for i := range doc.Networks {
		if doc.Networks[i].Network == id {
			return &doc.Networks[i], nil
		}
	}
	return nil, publish.ErrPermanentf("the social rendering has no %s posts (is the network in the brand's social profiles?)", id)
}

// sendMastodon uploads the card with its alt text and posts the status
// or thread. When the instance allows another length than the brand file
// says, the posts are rendered again for the instance's limit.
func (p *Pipeline) sendMastodon(ctx context.Context, j *job) (*publish.Posted, error) {
	token, err := p.secret(j.target, "token_env", j.target.TokenEnv)
	if err != nil {
		return nil, err
	}
	m := &publish.Mastodon{Instance: j.target.Instance, Token: token, Client: p.httpFor(j.target)}
	doc, err := p.socialDoc(ctx, j)
	if err != nil {
		return nil, err
	}
	np, err := network(doc, content.NetMastodon)
	if err != nil {
		return nil, err
	}
	if limit, err := m.Limit(ctx); err != nil {
		return nil, err
	} else if limit > 0 && limit != np.Limit {
		if np, err = p.rerenderMastodon(ctx, j, limit); err != nil {
			return nil, err
		}
	}
	var media []string
	if np.Image != nil {
		// The card does not depend on the length limit: the stored one
		// serves a re-render too.
		card, err := p.file(ctx, j.d, social.Channel, np.Image.File)
		if err != nil {
			return nil, err
		}
		id, err := m.UploadMedia(ctx, np.Image.File, card, np.Image.Alt)
		if err != nil {
			return nil, err
		}
		media = []string{id}
	}
	texts := make([]string, len(np.Posts))
	for i, post := range np.Posts {
		texts[i] = strings.ReplaceAll(post.Text, np.Link, j.track.URL(np.Link))
	}
	if err := p.db.PutLinks(ctx, j.track.links); err != nil {
		return nil, err
	}
	posted, err := m.PostThread(ctx, texts, j.item.Lang, media, store.KeyHash(j.d.Key))
	if err != nil {
		return nil, err
	}
	return joinPosted(posted), nil
}

// rerenderMastodon renders the social channel again with the instance's
// limit, for this delivery only.
func (p *Pipeline) rerenderMastodon(ctx context.Context, j *job, limit int) (*social.NetworkPosts, error) {
	r, ok := p.renderers[social.Channel]
	if !ok || j.brand.Social.Mastodon == nil {
		return nil, publish.ErrPermanentf("cannot re-render for the instance's limit of %d", limit)
	}
	b := *j.brand
	prof := *b.Social.Mastodon
	prof.Limit = limit
	b.Social.Mastodon = &prof
	out, err := safeRender(ctx, r, renderers.Input{Item: j.item, Brand: &b, Links: content.NewLinkPlan(j.item, &b)})
	if err != nil {
		return nil, publish.ErrPermanentf("re-render for the instance's limit: %v", err)
	}
	var doc social.Doc
	for _, f := range out.Files {
		if f.Name == social.JSONFile {
			d, err := social.Decode(f.Data)
			if err != nil {
				return nil, publish.ErrPermanentf("%v", err)
			}
			doc = *d
		}
	}
	p.log.Info("mastodon posts re-rendered for the instance's limit", "item", j.d.ItemID, "limit", limit)
	return network(&doc, content.NetMastodon)
}

// sendBluesky posts the thread with its facets and the link card.
func (p *Pipeline) sendBluesky(ctx context.Context, j *job) (*publish.Posted, error) {
	pass, err := p.secret(j.target, "password_env", j.target.PasswordEnv)
	if err != nil {
		return nil, err
	}
	service := j.target.Service
	if service == "" {
		service = "https://bsky.social"
	}
	b := &publish.Bluesky{Service: service, Identifier: j.target.Identifier, Password: pass, Client: p.httpFor(j.target)}
	doc, err := p.socialDoc(ctx, j)
	if err != nil {
		return nil, err
	}
	np, err := network(doc, content.NetBluesky)
	if err != nil {
		return nil, err
	}
	posts := make([]publish.BlueskyPost, len(np.Posts))
	for i, post := range np.Posts {
		posts[i].Text = post.Text
		for _, f := range post.Facets {
			uri := f.URI
			if uri == np.Link {
				uri = j.track.URL(uri)
			}
			posts[i].Facets = append(posts[i].Facets, publish.BlueskyFacet{ByteStart: f.ByteStart, ByteEnd: f.ByteEnd, URI: uri, Tag: f.Tag})
		}
	}
	var embed *publish.BlueskyEmbed
	if np.Embed != nil {
		e := np.Embed.External
		embed = &publish.BlueskyEmbed{URI: j.track.URL(e.URI), Title: e.Title, Description: e.Description}
		if e.Thumb != "" {
			if embed.Thumb, err = p.file(ctx, j.d, social.Channel, e.Thumb); err != nil {
				return nil, err
			}
		}
	}
	if err := p.db.PutLinks(ctx, j.track.links); err != nil {
		return nil, err
	}
	posted, err := b.PostThread(ctx, posts, j.item.Lang, embed, j.d.Key, j.pub.ProcessAt)
	if err != nil {
		return nil, err
	}
	return joinPosted(posted), nil
}

// joinPosted records a thread as its first post's URL and every id.
func joinPosted(ps []publish.Posted) *publish.Posted {
	if len(ps) == 0 {
		return &publish.Posted{}
	}
	ids := make([]string, len(ps))
	for i, x := range ps {
		ids[i] = x.ID
	}
	return &publish.Posted{ID: strings.Join(ids, " "), URL: ps[0].URL}
}

// WebhookEvent is the body every webhook receives.
type WebhookEvent struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      WebhookData `json:"data"`
}

// WebhookData says which item a webhook is about, with the channel's
// rendering in Payload.
type WebhookData struct {
	ItemID  string          `json:"item_id"`
	Version int             `json:"version"`
	Channel string          `json:"channel"`
	Network string          `json:"network,omitempty"`
	Target  string          `json:"target"`
	URL     string          `json:"url"`
	Payload json.RawMessage `json:"payload"`
}

// sendWebhook posts the channel's JSON, signed, with the delivery's
// stable webhook-id.
func (p *Pipeline) sendWebhook(ctx context.Context, j *job) (*publish.Posted, error) {
	secretText, err := p.secret(j.target, "secret_env", j.target.SecretEnv)
	if err != nil {
		return nil, err
	}
	secret, err := publish.DecodeSecret(secretText)
	if err != nil {
		return nil, publish.ErrPermanentf("target %s: %v", j.target.ID, err)
	}
	var payload any
	switch j.d.Channel {
	case social.Channel:
		doc, err := p.socialDoc(ctx, j)
		if err != nil {
			return nil, err
		}
		np, err := network(doc, j.target.Network)
		if err != nil {
			return nil, err
		}
		tracked := j.track.URL(np.Link)
		for i := range np.Posts {
			np.Posts[i].Text = strings.ReplaceAll(np.Posts[i].Text, np.Link, tracked)
			np.Posts[i].Little = strings.ReplaceAll(np.Posts[i].Little, np.Link, tracked)
		}
		np.Link = tracked
		if np.Image != nil {
			np.Image.File = content.Resolve(j.links.Canonical, np.Image.File)
		}
		payload = np
	case email.Channel:
		msg, err := p.trackedEmail(ctx, j)
		if err != nil {
			return nil, err
		}
		payload = map[string]any{"headers": msg.Dated(p.now()), "html": string(msg.HTML), "text": string(msg.Text)}
	case content.ChanPortal:
		page, err := p.file(ctx, j.d, content.ChanPortal, portal.PageFile)
		if err != nil {
			return nil, err
		}
		payload = map[string]any{"title": j.item.Title, "html": string(page)}
	case content.ChanCatalog:
		entry, err := p.file(ctx, j.d, content.ChanCatalog, catalog.EntryFile)
		if err != nil {
			return nil, err
		}
		payload = json.RawMessage(entry)
	default:
		return nil, publish.ErrPermanentf("webhook for channel %q", j.d.Channel)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, publish.ErrPermanentf("%v", err)
	}
	body, err := json.Marshal(WebhookEvent{Type: "item.published", Timestamp: j.pub.ProcessAt.UTC(), Data: WebhookData{
		ItemID: j.d.ItemID, Version: j.d.Version, Channel: j.d.Channel, Network: j.target.Network, Target: j.target.ID,
		URL: j.links.Canonical, Payload: raw,
	}})
	if err != nil {
		return nil, publish.ErrPermanentf("%v", err)
	}
	if err := p.db.PutLinks(ctx, j.track.links); err != nil {
		return nil, err
	}
	id := "msg_" + store.KeyHash(j.d.Key)
	w := &publish.Webhook{URL: j.target.URL, Secret: secret, Client: p.httpFor(j.target)}
	if err := w.Send(ctx, id, body); err != nil {
		return nil, err
	}
	return &publish.Posted{ID: id}, nil
}

// tracker turns cross-links into /r/<code> links on the public server,
// remembering each so it is stored before the message goes out.
type tracker struct {
	base             string // "" : links stay as they are
	item             string
	version          int
	channel, variant string
	links            []store.Link
	seen             map[string]string
}

// URL returns the tracked form of u.
func (t *tracker) URL(u string) string {
	if t.base == "" || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || strings.HasPrefix(u, t.base+"/r/") {
		return u
	}
	if t.seen == nil {
		t.seen = map[string]string{}
	}
	if r, ok := t.seen[u]; ok {
		return r
	}
	code := store.LinkCode(t.item, t.version, t.channel, t.variant, u)
	t.links = append(t.links, store.Link{Code: code, ItemID: t.item, Version: t.version, Channel: t.channel, Variant: t.variant, URL: u})
	r := t.base + "/r/" + code
	t.seen[u] = r
	return r
}
