package app

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/store"
)

// Deliver claims one ledger row, sends it and records the outcome. A
// temporary failure puts the row back and returns the error, so the task
// is retried with the same key; on the last attempt (last) it is
// recorded failed, and the error is permanent.
func (s *Service) Deliver(ctx context.Context, key string, last bool) error {
	if due, err := s.due(ctx, key); err != nil || !due {
		return err
	}
	if err := s.startTest(ctx, key); err != nil {
		if !publish.IsPermanent(err) && !IsPermanent(err) {
			return err
		}
		// The item cannot be read: sending fails the same way below and
		// records it, rather than leave the delivery pending.
		s.log.Warn("A/B test not started", "delivery", key, "err", err)
	}
	claim, d, err := s.db.ClaimDelivery(ctx, key, true)
	if err != nil {
		return err
	}
	if claim != store.ClaimGo {
		return nil
	}
	log := s.log.With("delivery", key, "kind", d.Kind)
	began := time.Now()
	var res *publish.Posted
	if d.Kind == content.TargetSMTP {
		// Email goes out in batches, each its own task; planning them
		// ends this run and the last batch makes the delivery final.
		if err = s.planBatches(ctx, d, log); err == nil {
			return nil
		}
	} else {
		res, err = s.send(ctx, d)
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
		if rerr := s.db.ReleaseDelivery(context.WithoutCancel(ctx), key, err.Error()); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	s.metrics.observe("deliver:"+d.Kind, status, time.Since(began))
	if res == nil {
		res = &publish.Posted{}
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	log.Info("delivered", "status", status, "external", res.URL, "err", msg)
	if ferr := s.db.FinishDelivery(context.WithoutCancel(ctx), key, status, res.ID, res.URL, msg); ferr != nil {
		return ferr
	}
	if status == store.DelFailed {
		return permanent(err)
	}
	return nil
}

// dueSlack is how early a delivery may go out: a worker's clock a
// little ahead of the one that scheduled it should not hold a re-share
// back until the reconciler's next pass.
const dueSlack = time.Minute

// due reports whether a delivery may go out now. A re-share's task run
// before its time (queued again by hand, or by a clock far ahead) sends
// nothing; the reconciler queues it once it is due. Any other delivery
// is due when its task runs (an editor's redelivery goes at once).
func (s *Service) due(ctx context.Context, key string) (bool, error) {
	d, err := s.db.Delivery(ctx, key)
	if err != nil {
		return false, err
	}
	if isReshare(d) && d.Status == store.DelPending && d.ProcessAt.After(s.now().Add(dueSlack)) {
		s.log.Info("delivery not due yet", "delivery", key, "process_at", d.ProcessAt)
		return false, nil
	}
	return true, nil
}

// isReshare tells a social re-share's ledger row, which goes out later
// than its publication.
func isReshare(d *store.Delivery) bool {
	if d.Channel != content.ChanSocial {
		return false
	}
	_, n := content.ParseLedgerVariant(d.Variant)
	return n > 0
}

// send builds the delivery's job from the store and hands it to the
// publisher of its target's kind.
func (s *Service) send(ctx context.Context, d *store.Delivery) (*publish.Posted, error) {
	j, err := s.job(ctx, d, true)
	if err != nil {
		return nil, err
	}
	pr, ok := s.publishers.Lookup(d.Kind)
	if !ok {
		return nil, publish.ErrPermanentf("unknown target kind %q", d.Kind)
	}
	return pr.Deliver(ctx, j)
}

// job builds a delivery's job from the store: its target, brand, item,
// links, files and ledger. segment makes the item's segment of the
// brand's list for a delivery to subscribers whose recipients are not
// fixed yet; a batch's are, so its runs skip the queries.
func (s *Service) job(ctx context.Context, d *store.Delivery, segment bool) (publish.Job, error) {
	v, err := s.db.Version(ctx, d.ItemID, d.Version)
	if err != nil {
		return publish.Job{}, err
	}
	brand, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return publish.Job{}, err
	}
	it, err := s.loadItem(ctx, v, brand)
	if err != nil {
		return publish.Job{}, permanentIf(err)
	}
	pub, err := s.db.Publication(ctx, d.ItemID, d.Version)
	if err != nil {
		return publish.Job{}, err
	}
	targets := brand.Targets()
	i := slices.IndexFunc(targets, func(t content.Target) bool { return t.ID == d.Target })
	if i < 0 {
		return publish.Job{}, publish.ErrPermanentf("brand %s has no target %q any more", brand.ID, d.Target)
	}
	target := targets[i]
	rcpts := &recipients{db: s.db, d: d}
	// An A/B test's deliveries have their recipients fixed when they are
	// made: they never take the segment again.
	phase, variant, inTest := store.SplitPhase(d.Variant)
	if target.Kind == content.TargetSMTP && target.To == content.ToSubscribers && !inTest && segment {
		seg, _, err := s.segment(ctx, brand, d.ItemID, it)
		if err != nil {
			return publish.Job{}, err
		}
		rcpts.seg = &seg
	}
	channel := d.Channel
	if n := target.TargetNetwork(); n != "" {
		channel = n
		// Clicks count by copy: a re-share's ledger variant names its
		// copy and its turn.
		variant, _ = content.ParseLedgerVariant(d.Variant)
	}
	publishAt := later(pub.ProcessAt, d.ProcessAt) // a re-share is dated when it goes out
	links := s.linkPlan(it, brand)
	j := publish.Job{
		Delivery: publish.Delivery{
			ItemID: d.ItemID, Version: d.Version, Channel: d.Channel, Variant: variant,
			Key: d.Key, KeyHash: store.KeyHash(d.Key),
		},
		Target:    target,
		Brand:     brand,
		Item:      it,
		Links:     links,
		PublishAt: publishAt,
		File: func(ctx context.Context, channel, name string) ([]byte, error) {
			return s.file(ctx, d, channel, name)
		},
		Files: func(ctx context.Context, channel string) (map[string][]byte, error) {
			return s.files(ctx, d, channel)
		},
		Published: func(ctx context.Context, channel, name string) (map[string][]byte, error) {
			return s.db.PublishedFiles(ctx, brand.ID, channel, name)
		},
		FormerPages: func(ctx context.Context) ([]string, error) {
			return s.formerPages(ctx, d.ItemID, content.PortalPath(it, brand))
		},
		Secret:     s.getenv,
		Track:      &tracker{db: s.db, base: s.publicURL, item: d.ItemID, version: d.Version, channel: channel, variant: variant, plan: links},
		Recipients: rcpts,
		Now:        s.now,
	}
	if phase == store.PhaseTest {
		if j.LinkQuery, err = s.testRecipientLinks(ctx, d); err != nil {
			return publish.Job{}, err
		}
	}
	return j, nil
}

// newPublishers makes the publisher of every target kind from the
// service's configuration. The site's is returned apart too, for
// unpublishing.
func (s *Service) newPublishers(cfg Config) (*publish.Publishers, *publish.SitePublisher) {
	clients := publish.NewClients(cfg.HTTPClient, 0)
	site := &publish.SitePublisher{Site: cfg.Site, Channels: s.Channels()}
	if s.catalog != nil {
		site.Index = s.siteIndex
	}
	masto := &publish.MastodonPublisher{Clients: clients, Log: s.log}
	if r, ok := s.renderers[social.Channel]; ok {
		masto.Rerender = func(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
			return safeRender(ctx, r, in)
		}
	}
	s.smtp = &publish.SMTPPublisher{TLS: cfg.SMTPTLS}
	return publish.NewPublishers(
		site,
		s.smtp,
		masto,
		&publish.BlueskyPublisher{Clients: clients},
		&publish.WebhookPublisher{Clients: clients},
	), site
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
func (s *Service) file(ctx context.Context, d *store.Delivery, channel, name string) ([]byte, error) {
	_, data, err := s.db.RenderingFile(ctx, store.RenderKey{ItemID: d.ItemID, Version: d.Version, Channel: channel}, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, publish.ErrPermanentf("the %s rendering has no %s", channel, name)
	}
	return data, err
}

// files returns all of a channel's rendered files of the delivery's
// version (the site publishes them all).
func (s *Service) files(ctx context.Context, d *store.Delivery, channel string) (map[string][]byte, error) {
	rs, err := s.db.Renderings(ctx, d.ItemID, d.Version)
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
			_, data, err := s.db.RenderingFile(ctx, r.RenderKey, f.Name)
			if err != nil {
				return nil, err
			}
			out[f.Name] = data
		}
	}
	return out, nil
}

// Unpublish takes an item's page off its brand's site and rebuilds the
// site's catalog and feeds without it.
func (s *Service) Unpublish(ctx context.Context, itemID, actor string) error {
	it, err := s.db.Item(ctx, itemID)
	if err != nil {
		return err
	}
	v, err := s.db.Version(ctx, itemID, it.LatestVersion)
	if err != nil {
		return err
	}
	brand, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return err
	}
	ci := &content.Item{FrontMatter: content.FrontMatter{Lang: it.Lang, Slug: it.Slug}}
	// The redirect pages at the addresses it had before go too.
	if ci.Aliases, err = s.formerPages(ctx, itemID, content.PortalPath(ci, brand)); err != nil {
		return err
	}
	if err := s.db.Unpublish(ctx, itemID, actor); err != nil {
		return err
	}
	// A page taken down is not re-shared.
	s.cancelReshares(ctx, itemID, 0, false, actor)
	return s.site.Unpublish(ctx, brand, ci, func(ctx context.Context, channel, name string) (map[string][]byte, error) {
		return s.db.PublishedFiles(ctx, brand.ID, channel, name)
	})
}

// recipients is an email delivery's recipients in the ledger. The
// ledger's states are the names publish uses.
type recipients struct {
	db  *store.DB
	d   *store.Delivery
	seg *store.Segment // the item's segment of the brand's list, for a target sending to subscribers
}

func (r *recipients) List(ctx context.Context, addrs []string, subscribers bool) ([]publish.Recipient, error) {
	var seg *store.Segment
	if subscribers {
		seg = r.seg
	}
	rs, err := r.db.Recipients(ctx, r.d, addrs, seg)
	return toRecipients(rs), err
}

func (r *recipients) All(ctx context.Context) ([]publish.Recipient, error) {
	rs, err := r.db.DeliveryRecipients(ctx, r.d)
	return toRecipients(rs), err
}

func (r *recipients) Claim(ctx context.Context, addr string) (bool, error) {
	c, err := r.db.ClaimRecipient(ctx, r.d, addr)
	return c == store.ClaimGo, err
}

func (r *recipients) Finish(ctx context.Context, addr, status, messageID, errText string) error {
	return r.db.FinishRecipient(ctx, r.d, addr, status, messageID, errText)
}

func toRecipients(rs []store.Recipient) []publish.Recipient {
	if rs == nil {
		return nil
	}
	out := make([]publish.Recipient, len(rs))
	for i, r := range rs {
		out[i] = publish.Recipient{Address: r.Address, Status: r.Status, Error: r.Error, Token: r.Token}
	}
	return out
}

// tracker turns cross-links into /r/<code> links on the public server,
// remembering each so it is stored before the message goes out.
type tracker struct {
	db               *store.DB
	base             string // "" : links stay as they are
	item             string
	version          int
	channel, variant string
	links            []store.Link
	seen             map[string]string
	plan             *content.LinkPlan // tells where a link leads (linkDest)
	dest             string            // where every link leads, when plan is nil
}

// URL returns the tracked form of u.
func (t *tracker) URL(u string) string { return t.For(t.channel, u) }

// For returns the tracked form of u, counted for channel.
func (t *tracker) For(channel, u string) string {
	if t.base == "" || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || strings.HasPrefix(u, t.base+"/r/") {
		return u
	}
	if t.seen == nil {
		t.seen = map[string]string{}
	}
	key := channel + " " + u
	if r, ok := t.seen[key]; ok {
		return r
	}
	code := store.LinkCode(t.item, t.version, channel, t.variant, u)
	t.links = append(t.links, store.Link{Code: code, ItemID: t.item, Version: t.version, Channel: channel, Variant: t.variant, URL: u, Dest: cmp.Or(t.dest, linkDest(t.plan, u))})
	r := t.base + "/r/" + code
	t.seen[key] = r
	return r
}

// Save stores the links made tracked so far.
func (t *tracker) Save(ctx context.Context) error {
	if len(t.links) == 0 {
		return nil
	}
	return t.db.PutLinks(ctx, t.links)
}
