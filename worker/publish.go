package worker

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
)

// deliveryKinds are the target kinds a worker delivers to.
var deliveryKinds = []string{content.TargetSite, content.TargetSMTP, content.TargetMastodon, content.TargetBluesky, content.TargetWebhook}

// Schedule approves an item version for publishing at at (now when
// zero): one delivery per channel and target of its brand. Scheduling a
// version again before it starts moves it. version 0 means the latest.
func (p *Pipeline) Schedule(ctx context.Context, itemID string, version int, at time.Time, actor string) (*store.Publication, error) {
	if version == 0 {
		it, err := p.db.Item(ctx, itemID)
		if err != nil {
			return nil, err
		}
		version = it.LatestVersion
	}
	v, err := p.db.Version(ctx, itemID, version)
	if err != nil {
		return nil, err
	}
	brand, err := p.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	var ds []store.NewDelivery
	for _, t := range brand.Targets() {
		for _, ch := range t.Channels() {
			if _, ok := p.renderers[ch]; !ok {
				continue
			}
			if n := t.TargetNetwork(); ch == content.ChanSocial && !networkEnabled(brand, n) {
				continue
			}
			ds = append(ds, store.NewDelivery{Channel: ch, Target: t.ID, Kind: t.Kind})
		}
	}
	pub, tasks, err := p.db.Schedule(ctx, store.ScheduleRequest{
		ItemID: itemID, Version: version, At: at, Actor: actor, Deliveries: ds,
		Task: func(gen int) (store.Task, error) {
			return NewPublishItemTask(PublishItemPayload{ItemID: itemID, Version: version, Gen: gen}, at)
		},
	})
	if err != nil {
		return nil, err
	}
	if pub.Generation > 1 {
		p.deleteTask(PublishItemTaskID(itemID, version, pub.Generation-1))
	}
	if err := p.Dispatch(ctx, tasks); err != nil {
		p.log.Warn("enqueue publication failed; the reconciler will retry", "err", err)
	}
	return pub, nil
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
func (p *Pipeline) Cancel(ctx context.Context, itemID string, version int, actor string) (*store.Publication, error) {
	if version == 0 {
		it, err := p.db.Item(ctx, itemID)
		if err != nil {
			return nil, err
		}
		version = it.LatestVersion
	}
	pub, err := p.db.Cancel(ctx, itemID, version, actor)
	if err != nil {
		return nil, err
	}
	p.deleteTask(PublishItemTaskID(itemID, version, pub.Generation))
	return pub, nil
}

// deleteTask removes a queued task; a task already gone is fine, and a
// stale one left behind finds nothing to do.
func (p *Pipeline) deleteTask(id string) {
	err := p.inspector.DeleteTask(QueueDefault, id)
	if err != nil && !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
		p.log.Warn("could not delete a superseded task", "task", id, "err", err)
	}
}

// autoPublish schedules a freshly rendered version when its brand
// publishes without approval, at the item's publish_at.
func (p *Pipeline) autoPublish(ctx context.Context, itemID string, version int) {
	v, err := p.db.Version(ctx, itemID, version)
	if err != nil {
		p.log.Warn("auto-publish: load version", "item", itemID, "err", err)
		return
	}
	brand, err := p.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil || !brand.AutoPublish {
		return
	}
	if _, err := p.db.Publication(ctx, itemID, version); err == nil {
		return // scheduled already (a repeated finish)
	}
	it, err := p.loadItem(ctx, v, brand)
	if err != nil {
		p.log.Warn("auto-publish: load item", "item", itemID, "err", err)
		return
	}
	if _, err := p.Schedule(ctx, itemID, version, it.PublishAt.Time, "auto"); err != nil && !errors.Is(err, store.ErrConflict) {
		p.log.Warn("auto-publish failed", "item", itemID, "version", version, "err", err)
	}
}

// handlePublishItem starts a publication: the static site first (the
// other channels link to it), then a task per other delivery.
func (p *Pipeline) handlePublishItem(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[PublishItemPayload](t)
	if err != nil {
		return err
	}
	ds, err := p.db.StartPublication(ctx, pl.ItemID, pl.Version, pl.Gen)
	if err != nil {
		return err
	}
	if ds == nil {
		p.log.Info("publication task is stale (cancelled or rescheduled)", "item", pl.ItemID, "version", pl.Version, "gen", pl.Gen)
		return nil
	}
	for _, d := range ds {
		if d.Kind != content.TargetSite {
			continue
		}
		if err := p.deliver(ctx, d.Key); err != nil {
			return err
		}
	}
	var errs []error
	for _, d := range ds {
		if d.Kind == content.TargetSite || (d.Status != store.DelPending && d.Status != store.DelSending) {
			continue
		}
		task, err := NewDeliverTask(d.Kind, DeliverPayload{Key: d.Key})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := p.enqueue(ctx, task); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return p.db.FinishPublication(ctx, pl.ItemID, pl.Version)
}

// handleDeliver runs one delivery task.
func (p *Pipeline) handleDeliver(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[DeliverPayload](t)
	if err != nil {
		return err
	}
	d, err := p.db.Delivery(ctx, pl.Key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	suspect := d != nil && d.Attempts > d.Ended
	if suspect {
		p.log.Warn("a run of this delivery never ended; running it alone", "key", pl.Key)
	}
	leave, err := p.isolation.enter(ctx, suspect)
	if err != nil {
		return err
	}
	defer leave()
	return p.deliver(ctx, pl.Key)
}

// reconcilePublications re-enqueues publications and deliveries whose
// task Redis no longer has.
func (p *Pipeline) reconcilePublications(ctx context.Context, cut time.Time) (int, error) {
	n := 0
	missing := func(id string) (bool, error) {
		_, err := p.inspector.GetTaskInfo(QueueDefault, id)
		if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
			return true, nil
		}
		return false, err
	}
	pubs, err := p.db.DuePublications(ctx, cut, 1000)
	if err != nil {
		return n, err
	}
	for _, pub := range pubs {
		t, err := NewPublishItemTask(PublishItemPayload{ItemID: pub.ItemID, Version: pub.Version, Gen: pub.Generation}, time.Time{})
		if err != nil {
			return n, err
		}
		if gone, err := missing(t.ID); err != nil || !gone {
			if err != nil {
				return n, err
			}
			continue
		}
		if err := p.enqueue(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	ds, err := p.db.StalledDeliveries(ctx, cut, 1000)
	if err != nil {
		return n, err
	}
	for _, d := range ds {
		if d.Kind == content.TargetSite {
			continue // part of publish:item
		}
		t, err := NewDeliverTask(d.Kind, DeliverPayload{Key: d.Key})
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
			if _, err := p.db.GiveUpDelivery(ctx, d.Key); err != nil {
				return n, err
			}
			continue
		}
		if err := p.enqueue(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		p.metrics.reenqueues.WithLabelValues("publish").Add(float64(n))
	}
	return n, nil
}

// Redeliver queues a delivery an editor set back to pending.
func (p *Pipeline) Redeliver(ctx context.Context, d store.Delivery) error {
	t, err := NewDeliverTask(d.Kind, DeliverPayload{Key: d.Key})
	if err != nil {
		return err
	}
	t.ID = redeliverTaskID(d.Key, d.Attempts)
	return p.enqueue(ctx, t)
}
