package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/digest"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// A digest run becomes an item: a generated item per period
// (digest-<id>-<yyyy-mm-dd>, its source written by digest.Source), whose
// portal page is the archive page and whose email channel is rendered by
// the digest renderer from the item versions the run recorded. Being an
// item, it goes through everything an item does, with no second path to
// keep in step: renderings and their retries, approval (or the digest's
// auto_publish), segments by its lang and email.topics, A/B subject
// variants, the delivery ledger and the reconciler. The digests table
// makes each period happen once: planned once, gathered once, and its
// item id derived from the period, so a retried run submits the same
// version again, which the store dedupes.

// digestCandidates bounds the published items a run reads to choose from.
const digestCandidates = 200

// PlanDigests plans the next run of every digest of every brand that has
// none planned: a digest:run task at the next scheduled time, for the
// period since the previous run (or, before the first, since the
// schedule's previous time). A digest that missed runs (the installation
// was down) gets one run now covering the whole gap, not one per missed
// period. It returns how many runs it planned.
func (s *Service) PlanDigests(ctx context.Context) (int, error) {
	brands, err := s.db.Brands(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, bi := range brands {
		b, _, err := s.brands.Current(ctx, bi.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, id := range b.DigestIDs() {
			ok, err := s.planDigest(ctx, b, b.Digests[id])
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				n++
			}
		}
	}
	return n, errors.Join(errs...)
}

func (s *Service) planDigest(ctx context.Context, b *content.Brand, d *content.Digest) (bool, error) {
	now := s.now()
	sc := d.When
	var start, end time.Time
	last, err := s.db.LastDigestRun(ctx, b.ID, d.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		start, end = sc.Prev(now), sc.Next(now)
	case err != nil:
		return false, err
	case last.Status == store.DigestPlanned:
		return false, nil // due or waiting; the reconciler re-enqueues a lost task
	default:
		start, end = last.End, sc.Next(last.End)
		if prev := sc.Prev(now); end.Before(prev) {
			end = prev // missed runs: one digest for the gap, now
		}
	}
	t, err := tasks.NewDigestRunTask(tasks.DigestRunPayload{Brand: b.ID, Digest: d.ID, Start: start.Unix(), End: end.Unix()})
	if err != nil {
		return false, err
	}
	planned, ts, err := s.db.PlanDigest(ctx, b.ID, d.ID, start, end, t)
	if err != nil {
		return false, err
	}
	if planned {
		s.log.Info("digest planned", "brand", b.ID, "digest", d.ID, "from", start, "at", end)
	}
	if err := s.Dispatch(ctx, ts); err != nil {
		s.log.Warn("enqueue digest run failed; the reconciler will retry", "err", err)
	}
	return planned, nil
}

// reconcileDigests enqueues again the planned runs whose time passed
// before cut and whose task is gone (Redis lost it), held by a dead
// worker (orphaned), or finished without finishing the run (out of
// retries, or it ran early): a task of their own ID, or a replacement
// when the queue still holds that one. Then it plans the runs that are
// missing. A run enqueued twice is harmless: it finishes once.
func (s *Service) reconcileDigests(ctx context.Context, cut time.Time, orphaned map[string]bool) (int, error) {
	due, err := s.db.DueDigests(ctx, cut, 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		t, err := tasks.NewDigestRunTask(tasks.DigestRunPayload{Brand: r.BrandID, Digest: r.DigestID, Start: r.Start.Unix(), End: r.End.Unix()})
		if err != nil {
			return n, err
		}
		info, err := s.queue.Task(ctx, t.Queue, t.ID)
		switch {
		case err != nil:
			return n, err
		case info.State == TaskGone:
		case info.State == TaskArchived, info.State == TaskCompleted, info.State == TaskActive && orphaned[t.ID]:
			t.ID = fmt.Sprintf("%s~%d", t.ID, s.now().UnixNano())
		default:
			continue // waiting, retrying or running
		}
		if err := s.queue.Enqueue(ctx, t); err != nil {
			return n, err
		}
		s.log.Info("digest run re-enqueued", "brand", r.BrandID, "digest", r.DigestID, "end", r.End, "task", t.ID)
		n++
	}
	// An auto_publish digest rendered but never scheduled: its worker
	// died between the two. autoPublish checks the policy and that it
	// is not scheduled already.
	unscheduled, err := s.db.UnscheduledDigests(ctx, 100)
	if err != nil {
		return n, err
	}
	for _, r := range unscheduled {
		if it, err := s.db.Item(ctx, r.ItemID); err == nil && it.Status == store.StatusRendered && it.LatestVersion == r.Version {
			s.autoPublish(ctx, r.ItemID, r.Version, nil)
		}
	}
	// A brand whose kit no longer loads must not stop the rest of the
	// pass (renderings, deliveries): its digests wait, logged.
	planned, err := s.PlanDigests(ctx)
	if err != nil {
		s.log.Warn("planning digests", "err", err)
	}
	return n + planned, nil
}

// DigestResult is what a digest run did.
type DigestResult struct {
	Status  string // store.DigestSkipped or store.DigestRendered
	ItemID  string // the digest's item
	Version int
	Items   int // items in it
}

// RunDigest runs one period of a digest: it gathers the items of the
// digest's language and topics published in the period, and records the
// run skipped when there are none; otherwise it submits the digest's
// item. A run that already finished does nothing, so a task that runs
// twice (a retry after a crash, a reconciler's copy) sends the digest
// once. The next run is planned either way.
func (s *Service) RunDigest(ctx context.Context, pl tasks.DigestRunPayload) (*DigestResult, error) {
	end := time.Unix(pl.End, 0).UTC()
	run, err := s.db.DigestRun(ctx, pl.Brand, pl.Digest, end)
	if errors.Is(err, store.ErrNotFound) {
		return nil, permanent(err)
	}
	if err != nil {
		return nil, err
	}
	res := &DigestResult{Status: run.Status, ItemID: run.ItemID, Version: run.Version, Items: len(run.Entries)}
	if run.Status != store.DigestPlanned {
		s.log.Debug("digest run finished already", "brand", pl.Brand, "digest", pl.Digest, "end", end)
		return res, s.planNext(ctx, pl.Brand)
	}
	if now := s.now(); now.Before(end) {
		// Early: this machine's clock is behind the one that queued it,
		// or the task was queued by hand. The reconciler enqueues it
		// again once it is due.
		s.log.Info("digest run is not due yet", "brand", pl.Brand, "digest", pl.Digest, "due", end)
		return res, nil
	}
	b, _, err := s.brands.Current(ctx, pl.Brand)
	if err != nil {
		return nil, err
	}
	d := b.Digests[pl.Digest]
	if d == nil {
		// The digest was removed from brand.yaml since it was planned.
		if _, err := s.db.FinishDigest(ctx, pl.Brand, pl.Digest, end, store.DigestSkipped, "", 0, nil); err != nil {
			return nil, err
		}
		return &DigestResult{Status: store.DigestSkipped}, nil
	}
	in, err := s.gatherDigest(ctx, b, d, run.Start, run.End)
	if err != nil {
		return nil, err
	}
	if len(in.Entries) == 0 {
		if _, err := s.db.FinishDigest(ctx, b.ID, d.ID, end, store.DigestSkipped, "", 0, nil); err != nil {
			return nil, err
		}
		s.log.Info("digest skipped: nothing new", "brand", b.ID, "digest", d.ID, "from", run.Start, "to", run.End)
		return &DigestResult{Status: store.DigestSkipped}, s.planNext(ctx, b.ID)
	}
	entries := make([]store.DigestEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = store.DigestEntry{ItemID: e.ItemID, Version: e.Version}
	}
	cid := digest.ItemID(d, end)
	itemID := ItemID(b.ID, d.Lang, cid)
	// The entries are recorded before the item exists, so its email
	// rendering, which may start as soon as it is submitted, finds them.
	if err := s.db.RecordDigestEntries(ctx, b.ID, d.ID, end, itemID, entries); err != nil {
		return nil, err
	}
	src, files := digest.Source(in.Input, cid)
	files["index.md"] = src
	sub, err := s.Submit(ctx, Bundle{Brand: b.ID, Path: "index.md", Files: files, Actor: "digest:" + d.ID})
	if err != nil {
		return nil, fmt.Errorf("digest %s/%s: %w", b.ID, d.ID, err)
	}
	if _, err := s.db.FinishDigest(ctx, b.ID, d.ID, end, store.DigestRendered, sub.ItemID, sub.Version, entries); err != nil {
		return nil, err
	}
	s.log.Info("digest submitted", "brand", b.ID, "digest", d.ID, "item", sub.ItemID, "version", sub.Version, "items", len(entries))
	return &DigestResult{Status: store.DigestRendered, ItemID: sub.ItemID, Version: sub.Version, Items: len(entries)}, s.planNext(ctx, b.ID)
}

// planNext plans a brand's next digest runs; a failure is left to the
// reconciler.
func (s *Service) planNext(ctx context.Context, brandID string) error {
	b, _, err := s.brands.Current(ctx, brandID)
	if err != nil {
		return nil
	}
	for _, id := range b.DigestIDs() {
		if _, err := s.planDigest(ctx, b, b.Digests[id]); err != nil {
			s.log.Warn("planning the next digest failed; the reconciler will retry", "brand", brandID, "digest", id, "err", err)
		}
	}
	return nil
}

// gathered is a digest's input and the stored versions of its entries.
type gathered struct {
	digest.Input
	Entries []gatheredEntry
}

type gatheredEntry struct {
	ItemID  string
	Version int
}

// gatherDigest chooses the items of digest d published in [from, to):
// its language, its topics (an item for every reader fits any), newest
// first, at most max_items.
func (s *Service) gatherDigest(ctx context.Context, b *content.Brand, d *content.Digest, from, to time.Time) (*gathered, error) {
	pub, err := s.db.PublishedBetween(ctx, b.ID, d.Lang, from, to, digestCandidates)
	if err != nil {
		return nil, err
	}
	g := &gathered{Input: digest.Input{Brand: b, Digest: d, From: from, To: to}}
	for _, p := range pub {
		if len(g.Entries) >= d.MaxItems {
			break
		}
		it, err := s.storedItem(ctx, p.ItemID, p.Version, b)
		if err != nil {
			return nil, err
		}
		if len(d.Topics) > 0 && len(it.Email.Topics) > 0 && !slices.ContainsFunc(it.Email.Topics, func(t string) bool { return slices.Contains(d.Topics, t) }) {
			continue
		}
		g.Input.Entries = append(g.Input.Entries, digest.Entry{Item: it, Links: s.linkPlan(it, b)})
		g.Entries = append(g.Entries, gatheredEntry{p.ItemID, p.Version})
	}
	return g, nil
}

// storedItem parses a stored version in brand b (the brand as it is now,
// as a digest shows its items).
func (s *Service) storedItem(ctx context.Context, itemID string, version int, b *content.Brand) (*content.Item, error) {
	v, err := s.db.Version(ctx, itemID, version)
	if err != nil {
		return nil, err
	}
	return s.loadItem(ctx, v, b)
}

// renderDigest renders the email of a digest's item, from the item
// versions its run recorded, when item it is a digest; ok is false for
// any other item.
func (s *Service) renderDigest(ctx context.Context, l *loaded, itemID string) (out *renderers.Output, ok bool, err error) {
	if s.digest == nil {
		return nil, false, nil
	}
	it, b := l.it, l.brand
	run, err := l.digestRun(ctx, s.db, itemID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	d := b.Digests[run.DigestID]
	if d == nil {
		// Removed from brand.yaml since: a digest already made renders
		// again (a brand change) from what its run recorded.
		d = &content.Digest{ID: run.DigestID, Lang: it.Lang, MaxItems: len(run.Entries), When: content.Schedule{Daily: true, Loc: time.UTC}}
	}
	in := digest.Input{Brand: b, Digest: d, From: run.Start, To: run.End, Item: it, Links: s.linkPlan(it, b)}
	for _, e := range run.Entries {
		eit, err := s.storedItem(ctx, e.ItemID, e.Version, b)
		if err != nil {
			return nil, true, err
		}
		in.Entries = append(in.Entries, digest.Entry{Item: eit, Links: s.linkPlan(eit, b)})
	}
	out, err = s.digest.Render(ctx, in)
	if err != nil {
		return nil, true, inputError{err}
	}
	return out, true, nil
}

// PreviewDigest renders what digest id of brand would send now for the
// period since since (zero: since its last run, else its schedule's
// previous time), without writing anything: the files of its email and
// of its item (index.md and the pictures its archive page shows), and the
// number of items. No items is not an error: files is then empty.
func (s *Service) PreviewDigest(ctx context.Context, brandID, id string, since time.Time) (files []renderers.File, items int, err error) {
	b, _, err := s.brands.Current(ctx, brandID)
	if err != nil {
		return nil, 0, err
	}
	d := b.Digests[id]
	if d == nil {
		return nil, 0, fmt.Errorf("brand %s has no digest %q (its digests: %v): %w", brandID, id, b.DigestIDs(), store.ErrNotFound)
	}
	if s.digest == nil {
		return nil, 0, errors.New("this service has no email renderer")
	}
	now := s.now()
	if since.IsZero() {
		since = d.When.Prev(now)
		if last, err := s.db.LastDigestRun(ctx, b.ID, d.ID); err == nil && last.Status != store.DigestPlanned {
			since = last.End
		}
	}
	g, err := s.gatherDigest(ctx, b, d, since, now)
	if err != nil || len(g.Input.Entries) == 0 {
		return nil, 0, err
	}
	cid := digest.ItemID(d, now)
	src, assets := digest.Source(g.Input, cid)
	fsys := memfs.FS{"index.md": src}
	for k, v := range assets {
		fsys[k] = v
	}
	it, err := content.ParseBytes(fsys, "index.md", src, content.ParseOptions{Brand: b, DefaultLang: b.Lang})
	if err != nil {
		return nil, 0, fmt.Errorf("digest item: %w", err)
	}
	in := g.Input
	in.Item, in.Links = it, s.linkPlan(it, b)
	out, err := s.digest.Render(ctx, in)
	if err != nil {
		return nil, 0, err
	}
	files = append(files, renderers.File{Name: "item/index.md", MediaType: "text/markdown; charset=utf-8", Data: src})
	for k, v := range assets {
		files = append(files, renderers.File{Name: "item/" + k, MediaType: "application/octet-stream", Data: v})
	}
	for _, f := range out.Files {
		f.Name = "email/" + f.Name
		files = append(files, f)
	}
	return files, len(in.Entries), nil
}

// digestAutoPublish reports whether item is a digest whose policy is
// auto_publish.
func (s *Service) digestAutoPublish(ctx context.Context, l *loaded, itemID string, b *content.Brand) bool {
	run, err := l.digestRun(ctx, s.db, itemID)
	if err != nil {
		return false
	}
	d := b.Digests[run.DigestID]
	return d != nil && d.Policy == content.DigestAutoPublish
}
