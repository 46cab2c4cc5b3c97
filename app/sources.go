package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/ingest"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// sourceParts is what importing from sources needs: guarded clients by
// allow-list (feeds and their images) and one HTML converter.
type sourceParts struct {
	clients *publish.Clients
	conv    *ingest.Converter
}

func newSourceParts(cfg Config) *sourceParts {
	mk := cfg.HTTPClient
	if mk == nil {
		// The guarded client, with room for a large feed (a target's
		// answers are small) and a minute to send it.
		mk = func(allow []string) *http.Client {
			return publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: allow, MaxBody: ingest.MaxFeedBytes, Timeout: time.Minute})
		}
	}
	return &sourceParts{clients: publish.NewClients(mk, 0), conv: ingest.NewConverter()}
}

// SourceActor is the system identity that submits, and so owns, the
// items a source makes: writers cannot change them, and a source changes
// only its own items.
func SourceActor(sourceID string) string { return "source:" + sourceID }

// sourceOf returns the source whose actor submitted a version.
func sourceOf(b *content.Brand, actor string) (content.Source, bool) {
	id, ok := strings.CutPrefix(actor, "source:")
	if !ok {
		return content.Source{}, false
	}
	return b.Source(id)
}

// Source actions, per entry.
const (
	SourceCreate    = "create"
	SourceUpdate    = "update"
	SourceUnchanged = "unchanged"
	SourceSkip      = "skip"
)

// SourceEntry is what a run did, or would do, with one entry or file.
type SourceEntry struct {
	Key      string   `json:"key"`
	ItemID   string   `json:"item_id,omitempty"`
	Title    string   `json:"title"`
	Action   string   `json:"action"`
	Reason   string   `json:"reason,omitempty"` // why it was skipped
	Version  int      `json:"version,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// SourceReport is the outcome of one run of a source.
type SourceReport struct {
	Brand       string        `json:"brand"`
	Source      string        `json:"source"`
	Kind        string        `json:"kind"`
	DryRun      bool          `json:"dry_run"`
	NotModified bool          `json:"not_modified"`
	Entries     []SourceEntry `json:"entries"`
	Warnings    []string      `json:"warnings,omitempty"`
}

// Count returns how many entries took action a.
func (r *SourceReport) Count(a string) int {
	n := 0
	for _, e := range r.Entries {
		if e.Action == a {
			n++
		}
	}
	return n
}

// Why entries are left out by the source's own filters: shown by check,
// left out of the stored report, where they would repeat every run.
const (
	reasonTags  = "no tag the source's tags: filter keeps"
	reasonSince = "older than the source's since:"
)

// note is the report's summary kept with the source's state: entries
// that could not be imported, and the feed's warnings.
func (r *SourceReport) note() string {
	var parts []string
	for _, e := range r.Entries {
		if e.Action == SourceSkip && e.Reason != "" && e.Reason != reasonTags && e.Reason != reasonSince {
			parts = append(parts, fmt.Sprintf("%s: %s", e.Title, e.Reason))
		}
	}
	parts = append(parts, r.Warnings...)
	return strings.Join(parts, "\n")
}

// CheckSource fetches a source once and reports what a run would create
// and update, writing nothing (crosscast source check).
func (s *Service) CheckSource(ctx context.Context, brandID, id string) (*SourceReport, error) {
	brand, src, err := s.source(ctx, brandID, id)
	if err != nil {
		return nil, err
	}
	rep, err := s.runSource(ctx, brand, src, ingest.Conditional{}, true)
	if err != nil {
		return nil, err
	}
	return rep.SourceReport, nil
}

// source returns a brand's declared source.
func (s *Service) source(ctx context.Context, brandID, id string) (*content.Brand, content.Source, error) {
	brand, _, err := s.brands.Current(ctx, brandID)
	if err != nil {
		return nil, content.Source{}, err
	}
	src, ok := brand.Source(id)
	if !ok {
		return nil, content.Source{}, fmt.Errorf("brand %s declares no source %q: %w", brandID, id, store.ErrNotFound)
	}
	return brand, src, nil
}

// PollSource runs one planned poll of a source and plans the next: a
// failed fetch is recorded and retried later with exponential backoff
// (not by the queue), so only the store being away is an error here. A
// source no longer in brand.yaml is not polled again.
func (s *Service) PollSource(ctx context.Context, p tasks.SourcePollPayload) error {
	brand, src, err := s.source(ctx, p.Brand, p.Source)
	if errors.Is(err, store.ErrNotFound) {
		s.log.Info("source no longer declared; polling stops", "brand", p.Brand, "source", p.Source)
		return nil
	}
	if err != nil {
		return err
	}
	st, err := s.db.SourceState(ctx, p.Brand, p.Source)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if st == nil {
		st = &store.SourceState{}
	}
	cond := ingest.Conditional{ETag: st.ETag, LastModified: st.LastModified}
	rep, runErr := s.runSource(ctx, brand, src, cond, false)
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the queue runs it again
	}
	now := s.now()
	run := store.SourceRun{Brand: p.Brand, ID: p.Source, Kind: src.Kind, At: now}
	switch {
	case runErr != nil && !errors.As(runErr, new(sourceFault)):
		return runErr // the store or the queue: the task is retried
	case runErr != nil:
		run.Status, run.Error, run.Failures = store.SourceFailed, runErr.Error(), st.Failures+1
		run.ETag, run.LastModified = st.ETag, st.LastModified
		s.log.Warn("source fetch failed", "brand", p.Brand, "source", p.Source, "failures", run.Failures, "err", runErr)
	default:
		run.Status = store.SourceOK
		if rep.NotModified {
			run.Status = store.SourceNotModified
		}
		run.ETag, run.LastModified, run.Entries = rep.etag, rep.lastModified, rep.entries
		for _, id := range goneEntries(st.Entries, rep.entries) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("the entry of item %s is no longer in the feed; the item is left as it is: unpublish it in the editor if it should go",
				ItemID(brand.ID, brand.Lang, id)))
		}
		run.Created, run.Updated, run.Note = rep.Count(SourceCreate), rep.Count(SourceUpdate), rep.note()
		s.log.Info("source polled", "brand", p.Brand, "source", p.Source, "status", run.Status, "created", run.Created, "updated", run.Updated)
	}
	run.NextRun = now.Add(nextDelay(src.Interval, run.Failures))
	if err := s.db.RecordSourceRun(ctx, run); err != nil {
		return err
	}
	s.planPoll(ctx, p.Brand, p.Source, run.NextRun)
	return nil
}

// sourceFault is a failure of the source itself (the feed cannot be
// fetched or read, the folder cannot be walked): recorded and retried
// with the source's backoff, never by the queue.
type sourceFault struct{ err error }

func (e sourceFault) Error() string { return e.err.Error() }
func (e sourceFault) Unwrap() error { return e.err }

// goneEntries are the entries of the previous fetch missing from this
// one that were newer than one still there: a feed drops its oldest
// entries as new ones come, which is not a deletion; an entry missing
// from between kept ones was deleted.
func goneEntries(prev, now []string) []string {
	if len(prev) == 0 || len(now) == 0 {
		return nil
	}
	here := map[string]bool{}
	for _, id := range now {
		here[id] = true
	}
	last := -1 // the oldest previous entry still in the feed
	for i, id := range prev {
		if here[id] {
			last = i
		}
	}
	var gone []string
	for _, id := range prev[:max(last, 0)] {
		if !here[id] {
			gone = append(gone, id)
		}
	}
	return gone
}

// MaxSourceBackoff bounds the wait after repeated failures.
const MaxSourceBackoff = 24 * time.Hour

// nextDelay is the wait before the next poll: the source's interval,
// doubled per failure in a row up to MaxSourceBackoff, with ±10 %
// jitter so sources declared together do not poll together.
func nextDelay(every time.Duration, failures int) time.Duration {
	d := every
	for i := 0; i < failures && d < MaxSourceBackoff; i++ {
		d *= 2
	}
	d = min(d, MaxSourceBackoff)
	j := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + j
}

// planPoll enqueues the poll planned for at; a failure is left to the
// reconciler, which finds the source overdue.
func (s *Service) planPoll(ctx context.Context, brand, id string, at time.Time) {
	t, err := tasks.NewSourcePollTask(tasks.SourcePollPayload{Brand: brand, Source: id, At: at.Unix()})
	if err == nil {
		err = s.queue.Enqueue(ctx, t)
	}
	if err != nil {
		s.log.Warn("plan source poll failed; the reconciler will retry", "brand", brand, "source", id, "err", err)
	}
}

// FetchSourceNow polls a source at once (the admin page's button).
func (s *Service) FetchSourceNow(ctx context.Context, brandID, id, actor string) error {
	_, src, err := s.source(ctx, brandID, id)
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := s.db.EnsureSource(ctx, brandID, id, src.Kind, now); err != nil {
		return err
	}
	if err := s.db.SetSourceNextRun(ctx, brandID, id, now); err != nil {
		return err
	}
	t, err := tasks.NewSourcePollTask(tasks.SourcePollPayload{Brand: brandID, Source: id, At: now.Unix()})
	if err != nil {
		return err
	}
	s.log.Info("source fetch requested", "brand", brandID, "source", id, "actor", actor)
	return s.queue.Enqueue(ctx, t)
}

// SourceStatus is a declared source with its polling state.
type SourceStatus struct {
	content.Source
	Brand string
	State store.SourceState // zero until first planned
}

// Sources lists every brand's declared sources ("" for all brands) with
// their state.
func (s *Service) Sources(ctx context.Context, brandID string) ([]SourceStatus, error) {
	brands, err := s.db.Brands(ctx)
	if err != nil {
		return nil, err
	}
	states, err := s.db.SourceStates(ctx, brandID)
	if err != nil {
		return nil, err
	}
	byKey := map[string]store.SourceState{}
	for _, st := range states {
		byKey[st.Brand+"/"+st.ID] = st
	}
	var out []SourceStatus
	for _, bi := range brands {
		if brandID != "" && bi.ID != brandID {
			continue
		}
		b, _, err := s.brands.Current(ctx, bi.ID)
		if err != nil {
			s.log.Warn("sources: brand does not load", "brand", bi.ID, "err", err)
			continue
		}
		for _, src := range b.SourceList() {
			out = append(out, SourceStatus{Source: src, Brand: bi.ID, State: byKey[bi.ID+"/"+src.ID]})
		}
	}
	return out, nil
}

// reconcileSources makes sure every declared source is known to the
// store and enqueues each poll that is overdue by grace (its task was
// lost, or the run before it died before planning it).
func (s *Service) reconcileSources(ctx context.Context, cut time.Time) (int, error) {
	all, err := s.Sources(ctx, "")
	if err != nil {
		return 0, err
	}
	declared := map[string]bool{}
	now := s.now()
	for _, src := range all {
		declared[src.Brand+"/"+src.ID] = true
		if _, err := s.db.EnsureSource(ctx, src.Brand, src.ID, src.Kind, now); err != nil {
			return 0, err
		}
	}
	due, err := s.db.DueSources(ctx, cut, 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range due {
		if !declared[st.Brand+"/"+st.ID] {
			continue
		}
		t, err := tasks.NewSourcePollTask(tasks.SourcePollPayload{Brand: st.Brand, Source: st.ID, At: st.NextRun.Unix()})
		if err != nil {
			return n, err
		}
		if err := s.queue.Enqueue(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	// New sources are due now: plan them without waiting a grace.
	for _, src := range all {
		if src.State.Status == "" {
			s.planPoll(ctx, src.Brand, src.ID, now)
			n++
		}
	}
	return n, nil
}

// runResult carries a feed's validators and the content ids of its
// entries, in feed order, out of runSource.
type runResult struct {
	*SourceReport
	etag, lastModified string
	entries            []string
}

// runSource fetches a source and imports (or, dry, only compares) its
// entries.
func (s *Service) runSource(ctx context.Context, brand *content.Brand, src content.Source, cond ingest.Conditional, dry bool) (*runResult, error) {
	rep := &runResult{SourceReport: &SourceReport{Brand: brand.ID, Source: src.ID, Kind: src.Kind, DryRun: dry}}
	if src.Kind == content.SourceFolder {
		return rep, s.importFolder(ctx, brand, src, rep, dry)
	}
	client := s.sources.clients.For(src.AllowHosts)
	f, err := ingest.Fetch(ctx, client, src.URL, cond)
	if err != nil {
		return nil, sourceFault{err}
	}
	rep.etag, rep.lastModified = f.ETag, f.LastModified
	if f.NotModified {
		rep.NotModified = true
		return rep, nil
	}
	feed, err := s.sources.conv.Parse(f.Body, src.URL, s.now())
	if err != nil {
		return nil, sourceFault{err}
	}
	rep.Warnings = append(rep.Warnings, feed.Warnings...)
	for _, e := range feed.Entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		se, err := s.importEntry(ctx, brand, src, e, dry)
		if err != nil {
			return nil, err
		}
		rep.Entries = append(rep.Entries, se)
		rep.entries = append(rep.entries, ingest.ContentID(src.ID, e.Key))
	}
	return rep, nil
}

// importEntry makes (or, dry, compares) the item of one feed entry.
func (s *Service) importEntry(ctx context.Context, brand *content.Brand, src content.Source, e ingest.Entry, dry bool) (SourceEntry, error) {
	contentID := ingest.ContentID(src.ID, e.Key)
	itemID := ItemID(brand.ID, brand.Lang, contentID)
	se := SourceEntry{Key: e.Key, ItemID: itemID, Title: e.Title, Warnings: e.Warnings}
	if !src.KeepsTags(e.Tags) {
		se.Action, se.Reason = SourceSkip, reasonTags
		return se, nil
	}
	stored, latest, err := s.ownedItem(ctx, itemID, SourceActor(src.ID))
	var no notOwned
	if errors.As(err, &no) {
		se.Action, se.Reason = SourceSkip, err.Error()
		return se, nil
	}
	if err != nil {
		return se, err
	}
	if stored == nil && !src.SinceTime.IsZero() && e.Date.Before(src.SinceTime) {
		se.Action, se.Reason = SourceSkip, reasonSince
		return se, nil
	}
	if e.DateGuessed && latest != nil {
		// The entry has no date: it keeps the fetch time it was first
		// seen at, or every poll would make a new version.
		if d, ok := ingest.StoredDate(latest.Source); ok {
			e.Date = d
		}
	}
	opts := ingest.ItemOptions{ID: contentID, Canonical: brand.Site != "" && e.Link != "" && !strings.HasPrefix(e.Link, brand.Site+"/")}
	if stored != nil {
		opts.Slug = stored.Slug
	} else {
		opts.Slug = content.Slugify(e.Title)
	}
	heroExt := ""
	if e.Image != "" {
		heroExt = path.Ext(strings.ToLower(strings.SplitN(e.Image, "?", 2)[0]))
		if !slices.Contains([]string{".jpg", ".jpeg", ".png", ".gif"}, heroExt) {
			heroExt = ".jpg"
		}
		opts.Hero = "hero" + heroExt
	}
	md, err := e.Item(opts)
	if err != nil {
		return se, err
	}
	if latest != nil && string(latest.Source) == string(md) {
		se.Action, se.Version = SourceUnchanged, latest.Version
		return se, nil
	}
	se.Action = SourceCreate
	if stored != nil {
		se.Action = SourceUpdate
	}
	if dry {
		return se, nil
	}
	files := map[string][]byte{}
	if e.Image != "" {
		data, ext, err := ingest.FetchImage(ctx, s.sources.clients.For(src.AllowHosts), e.Image, content.CheckImage)
		if err != nil {
			se.Warnings = append(se.Warnings, "hero left out: "+err.Error())
			opts.Hero = ""
		} else {
			opts.Hero = "hero" + ext
			files[opts.Hero] = data
		}
		if md, err = e.Item(opts); err != nil {
			return se, err
		}
	}
	files["index.md"] = md
	b := Bundle{Brand: brand.ID, Path: "index.md", Files: files, Actor: SourceActor(src.ID)}
	res, err := s.Submit(ctx, b)
	var ce content.Errors
	if errors.As(err, &ce) && stored == nil && slugTaken(ce) {
		// Another item has the title's slug: keep this one apart with
		// its id's tail.
		opts.Slug = content.Slugify(e.Title) + "-" + contentID[len(contentID)-6:]
		if b.Files["index.md"], err = e.Item(opts); err != nil {
			return se, err
		}
		res, err = s.Submit(ctx, b)
	}
	if errors.As(err, &ce) {
		se.Action, se.Reason = SourceSkip, ce.Error()
		return se, nil
	}
	if err != nil {
		return se, err
	}
	se.Version = res.Version
	if !res.Created {
		se.Action = SourceUnchanged
	}
	for _, w := range res.Warnings {
		se.Warnings = append(se.Warnings, w.String())
	}
	return se, nil
}

func slugTaken(ce content.Errors) bool {
	return len(ce) == 1 && ce[0].Field == "slug" && strings.Contains(ce[0].Message, "already used")
}

// ownedItem returns a stored item and its latest version when actor
// started it, nothing when it does not exist, and an error when someone
// else did: a source never writes over an item it did not make.
func (s *Service) ownedItem(ctx context.Context, itemID, actor string) (*store.Item, *store.Version, error) {
	it, err := s.db.Item(ctx, itemID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	first, err := s.db.Version(ctx, itemID, 1)
	if err != nil {
		return nil, nil, err
	}
	if first.SubmittedBy != actor {
		return nil, nil, notOwned{itemID, first.SubmittedBy}
	}
	latest, err := s.db.Version(ctx, itemID, it.LatestVersion)
	if err != nil {
		return nil, nil, err
	}
	return it, latest, nil
}

// notOwned is an entry whose item someone other than its source started.
type notOwned struct{ item, owner string }

func (e notOwned) Error() string {
	return fmt.Sprintf("item %s was started by %s, not by this source; it is left alone", e.item, e.owner)
}
