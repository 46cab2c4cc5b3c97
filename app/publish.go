package app

import (
	"context"
	"errors"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// DeliveryKinds are the target kinds a worker delivers to: those with a
// registered publisher, so a new kind needs no second list.
func (s *Service) DeliveryKinds() []string { return s.publishers.Kinds() }

// Schedule approves an item version for publishing at at (now when
// zero): one delivery per channel and target of its brand. Scheduling a
// version again before it starts moves it. version 0 means the latest.
func (s *Service) Schedule(ctx context.Context, itemID string, version int, at time.Time, actor string) (*store.Publication, error) {
	if version == 0 {
		it, err := s.db.Item(ctx, itemID)
		if err != nil {
			return nil, err
		}
		version = it.LatestVersion
	}
	v, err := s.db.Version(ctx, itemID, version)
	if err != nil {
		return nil, err
	}
	brand, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	var shares []content.SocialShare
	var ds []store.NewDelivery
	src, fromSource := sourceOf(brand, v.SubmittedBy)
	for _, t := range brand.Targets() {
		for _, ch := range t.Channels() {
			if _, ok := s.renderers[ch]; !ok {
				continue
			}
			if fromSource && !src.Wants(ch, t.ID) {
				continue // the source narrows where its items go
			}
			if n := t.TargetNetwork(); ch == content.ChanSocial && !networkEnabled(brand, n) {
				continue
			}
			if ch != content.ChanSocial {
				ds = append(ds, store.NewDelivery{Channel: ch, Target: t.ID, Kind: t.Kind})
				continue
			}
			if shares == nil {
				if shares, err = s.socialShares(ctx, v, brand); err != nil {
					return nil, err
				}
			}
			ds = append(ds, socialDeliveries(t, shares, at)...)
		}
	}
	pub, outbox, err := s.db.Schedule(ctx, store.ScheduleRequest{
		ItemID: itemID, Version: version, At: at, Actor: actor, Deliveries: ds,
		Task: func(gen int) (store.Task, error) {
			return tasks.NewPublishItemTask(tasks.PublishItemPayload{ItemID: itemID, Version: version, Gen: gen}, at)
		},
	})
	if err != nil {
		return nil, err
	}
	if pub.Generation > 1 {
		s.deleteTask(ctx, tasks.PublishItemTaskID(itemID, version, pub.Generation-1))
	}
	// A newer version's schedule replaces the re-shares an older one
	// has still to post: they would post the old copy.
	s.cancelReshares(ctx, itemID, version, true, actor)
	if err := s.Dispatch(ctx, outbox); err != nil {
		s.log.Warn("enqueue publication failed; the reconciler will retry", "err", err)
	}
	return pub, nil
}

// socialShares is the social schedule (content.Item.SocialShares) of a
// stored version: which copy each network posts, at publishing and at
// each re-share.
func (s *Service) socialShares(ctx context.Context, v *store.Version, brand *content.Brand) ([]content.SocialShare, error) {
	it, err := s.loadItem(ctx, v, brand)
	if err != nil {
		return nil, err
	}
	return it.SocialShares(brand), nil
}

// socialDeliveries are a social target's ledger rows: one per share of
// its network, each with its own variant (so its own idempotency key)
// and, for a re-share, its own time.
func socialDeliveries(t content.Target, shares []content.SocialShare, at time.Time) []store.NewDelivery {
	var out []store.NewDelivery
	for _, sh := range shares {
		if sh.Network != t.TargetNetwork() {
			continue
		}
		d := store.NewDelivery{Channel: content.ChanSocial, Target: t.ID, Kind: t.Kind, Variant: sh.LedgerVariant()}
		if sh.Reshare > 0 {
			d.At = at.Add(sh.Offset)
		}
		out = append(out, d)
	}
	return out
}

// cancelReshares cancels pending re-shares (see store.CancelReshares)
// and deletes their queued tasks; it reports how many it cancelled. A
// failure is logged: the editor can cancel again.
func (s *Service) cancelReshares(ctx context.Context, itemID string, version int, before bool, actor string) int {
	ds, err := s.db.CancelReshares(ctx, itemID, version, before, actor)
	if err != nil {
		s.log.Warn("cancelling re-shares failed", "item", itemID, "err", err)
		return 0
	}
	for _, d := range ds {
		s.deleteTask(ctx, tasks.DeliverTaskID(d.Key))
	}
	return len(ds)
}

func networkEnabled(b *content.Brand, network string) bool {
	for _, n := range b.Social.Networks() {
		if n.ID == network {
			return true
		}
	}
	return false
}

// Cancel withdraws a scheduled publication before it starts.
func (s *Service) Cancel(ctx context.Context, itemID string, version int, actor string) (*store.Publication, error) {
	if version == 0 {
		it, err := s.db.Item(ctx, itemID)
		if err != nil {
			return nil, err
		}
		version = it.LatestVersion
	}
	pub, err := s.db.Cancel(ctx, itemID, version, actor)
	if errors.Is(err, store.ErrConflict) {
		// Started already: what is left to cancel is its re-shares.
		ds, rerr := s.db.CancelReshares(ctx, itemID, version, false, actor)
		if rerr != nil {
			return nil, rerr
		}
		if len(ds) == 0 {
			return nil, err
		}
		for _, d := range ds {
			s.deleteTask(ctx, tasks.DeliverTaskID(d.Key))
		}
		return s.db.Publication(ctx, itemID, version)
	}
	if err != nil {
		return nil, err
	}
	s.deleteTask(ctx, tasks.PublishItemTaskID(itemID, version, pub.Generation))
	return pub, nil
}

// deleteTask removes a queued task; a task already gone is fine, and a
// stale one left behind finds nothing to do.
func (s *Service) deleteTask(ctx context.Context, id string) {
	if err := s.queue.Delete(ctx, tasks.QueueDefault, id); err != nil {
		s.log.Warn("could not delete a superseded task", "task", id, "err", err)
	}
}

// autoPublish schedules a freshly rendered version when its brand
// publishes without approval, at the item's publish_at. l, when not
// nil, is the version as its rendering loaded it, which spares loading
// and parsing it again.
func (s *Service) autoPublish(ctx context.Context, itemID string, version int, l *loaded) {
	if l == nil {
		v, err := s.db.Version(ctx, itemID, version)
		if err != nil {
			s.log.Warn("auto-publish: load version", "item", itemID, "err", err)
			return
		}
		brand, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
		if err != nil {
			return
		}
		l = &loaded{v: v, brand: brand}
	}
	v, brand := l.v, l.brand
	src, fromSource := sourceOf(brand, v.SubmittedBy)
	// A source's policy decides for its items, whatever the brand's.
	if fromSource && src.Policy == content.PolicyDraft || !fromSource && !brand.AutoPublish && !s.digestAutoPublish(ctx, l, itemID, brand) {
		return
	}
	if _, err := s.db.Publication(ctx, itemID, version); err == nil {
		return // scheduled already (a repeated finish)
	}
	it := l.it
	if it == nil {
		var err error
		if it, err = s.loadItem(ctx, v, brand); err != nil {
			s.log.Warn("auto-publish: load item", "item", itemID, "err", err)
			return
		}
	}
	at := it.PublishAt.Time
	if fromSource && src.Policy == content.PolicyPublishAfter {
		// The delay runs from the version's arrival, so an editor has it
		// to cancel the publication.
		at = later(at, v.CreatedAt.Add(src.Delay))
	}
	if _, err := s.Schedule(ctx, itemID, version, at, "auto"); err != nil && !errors.Is(err, store.ErrConflict) {
		s.log.Warn("auto-publish failed", "item", itemID, "version", version, "err", err)
	}
}

// StartPublication starts a publication: the static site first (the
// other channels link to it), then a task per other delivery. last says
// whether this is the task's last attempt, which makes a failing site
// delivery final.
func (s *Service) StartPublication(ctx context.Context, pl tasks.PublishItemPayload, last bool) error {
	ds, err := s.db.StartPublication(ctx, pl.ItemID, pl.Version, pl.Gen)
	if err != nil {
		return err
	}
	if ds == nil {
		s.log.Info("publication task is stale (cancelled or rescheduled)", "item", pl.ItemID, "version", pl.Version, "gen", pl.Gen)
		return nil
	}
	for _, d := range ds {
		if d.Kind != content.TargetSite {
			continue
		}
		if err := s.Deliver(ctx, d.Key, last); err != nil {
			return err
		}
	}
	var errs []error
	for _, d := range ds {
		if d.Kind == content.TargetSite || (d.Status != store.DelPending && d.Status != store.DelSending) {
			continue
		}
		task, err := tasks.NewDeliverTask(d.Kind, tasks.DeliverPayload{Key: d.Key})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if isReshare(&d) && d.Status == store.DelPending && d.ProcessAt.After(s.now()) {
			task.ProcessAt = d.ProcessAt // a re-share, due later
		}
		if err := s.queue.Enqueue(ctx, task); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return s.db.FinishPublication(ctx, pl.ItemID, pl.Version)
}

// DeliverySuspect reports whether a run of the delivery started and
// never ended (its process died), so the caller runs it alone.
func (s *Service) DeliverySuspect(ctx context.Context, key string) (bool, error) {
	d, err := s.db.Delivery(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return d.Attempts > d.Ended, nil
}

// reconcilePublications re-enqueues publications and deliveries whose
// task Redis no longer has.
func (s *Service) reconcilePublications(ctx context.Context, cut time.Time) (int, error) {
	n := 0
	missing := func(id string) (bool, error) {
		info, err := s.queue.Task(ctx, tasks.QueueDefault, id)
		return err == nil && info.State == TaskGone, err
	}
	pubs, err := s.db.DuePublications(ctx, cut, 1000)
	if err != nil {
		return n, err
	}
	for _, pub := range pubs {
		t, err := tasks.NewPublishItemTask(tasks.PublishItemPayload{ItemID: pub.ItemID, Version: pub.Version, Gen: pub.Generation}, time.Time{})
		if err != nil {
			return n, err
		}
		if gone, err := missing(t.ID); err != nil || !gone {
			if err != nil {
				return n, err
			}
			continue
		}
		if err := s.queue.Enqueue(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	ds, err := s.db.StalledDeliveries(ctx, cut, 1000)
	if err != nil {
		return n, err
	}
	for _, d := range ds {
		if d.Kind == content.TargetSite {
			continue // part of publish:item
		}
		t, err := tasks.NewDeliverTask(d.Kind, tasks.DeliverPayload{Key: d.Key})
		if err != nil {
			return n, err
		}
		if gone, err := missing(t.ID); err != nil || !gone {
			if err != nil {
				return n, err
			}
			continue
		}
		if d.Status == store.DelSending && d.Attempts-d.Ended >= store.MaxUnended {
			// Its runs keep killing their worker: do not send it again.
			if _, err := s.db.GiveUpDelivery(ctx, d.Key); err != nil {
				return n, err
			}
			continue
		}
		if err := s.queue.Enqueue(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	nb, err := s.reconcileBatches(ctx, cut)
	n += nb
	if n > 0 {
		s.metrics.reenqueues.WithLabelValues("publish").Add(float64(n))
	}
	return n, err
}

// Redeliver queues a delivery an editor set back to pending.
func (s *Service) Redeliver(ctx context.Context, d store.Delivery) error {
	t, err := tasks.NewDeliverTask(d.Kind, tasks.DeliverPayload{Key: d.Key})
	if err != nil {
		return err
	}
	t.ID = tasks.RedeliverTaskID(d.Key, d.Attempts)
	return s.queue.Enqueue(ctx, t)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
