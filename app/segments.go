package app

import (
	"context"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
)

// baseLang is the language a subscriber chooses for a language tag:
// sign-up keeps only the base language ("pt" for pt-BR).
func baseLang(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return base
}

// segment is who an item's email goes to: subscribers of its language
// (and those who chose none, for the brand's own language), or, when the
// brand sends its default language to all, everyone whose language has
// no translation of the item; only those who chose one of the item's
// email topics when it names any. It returns the languages its
// translations take, which the email leaves to them.
func (s *Service) segment(ctx context.Context, b *content.Brand, itemID string, it *content.Item) (store.Segment, []string, error) {
	lang, home := baseLang(it.Lang), baseLang(b.Lang)
	seg := store.Segment{BrandID: b.ID, Langs: []string{lang}, Topics: it.Email.Topics}
	if lang == home {
		seg.Langs = append(seg.Langs, "")
	}
	trs, err := s.db.Translations(ctx, itemID)
	if err != nil {
		return seg, nil, err
	}
	var others []string
	for _, tr := range trs {
		if l := baseLang(tr.Lang); l != lang && !slices.Contains(others, l) {
			others = append(others, l)
		}
	}
	if lang == home && b.Email.SendDefaultToAll {
		// A translation counts once it is submitted, published or not:
		// its readers wait for it rather than get this language first.
		seg.Langs, seg.OtherLangs = slices.Clone(others), true
	}
	return seg, others, nil
}

// Audience is who an item version's email will reach, and why the
// others of its brand's list will not.
type Audience struct {
	ItemID  string `json:"item"`
	Version int    `json:"version"`
	// Lang is the subscriber language the email goes to; OtherLangs
	// means it goes to every language but Translations instead (the
	// brand's send_default_to_all).
	Lang       string `json:"lang"`
	OtherLangs bool   `json:"other_langs"`
	// Translations are the languages the item's translations go to.
	Translations []string `json:"translations"`
	// Topics limit it to subscribers who chose one of them; none: all.
	Topics []string `json:"topics"`
	// Sends is false when no email target of the brand sends to its
	// subscribers: then nobody is reached, whatever the counts say.
	Sends bool `json:"sends"`
	// Reached is the total; the rest are those of the segment's
	// languages not reached, each for its first reason (see
	// store.SegmentLang).
	Reached    int                 `json:"reached"`
	Suppressed int                 `json:"suppressed"`
	Pending    int                 `json:"pending"`
	NoTopic    int                 `json:"no_topic"`
	Paused     int                 `json:"paused"`
	Langs      []store.SegmentLang `json:"langs"`
}

// Audience counts the readers an item version's email reaches if it is
// published now. version 0 means the latest. Readers who were already
// sent a translation are left out at sending time and still counted
// here.
func (s *Service) Audience(ctx context.Context, itemID string, version int) (*Audience, error) {
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
	b, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return nil, err
	}
	it, err := s.loadItem(ctx, v, b)
	if err != nil {
		return nil, err
	}
	seg, trs, err := s.segment(ctx, b, itemID, it)
	if err != nil {
		return nil, err
	}
	langs, err := s.db.SegmentCounts(ctx, seg)
	if err != nil {
		return nil, err
	}
	a := &Audience{ItemID: itemID, Version: version, Lang: baseLang(it.Lang), OtherLangs: seg.OtherLangs,
		Translations: append([]string{}, trs...), Topics: append([]string{}, seg.Topics...), Langs: langs}
	if a.Langs == nil {
		a.Langs = []store.SegmentLang{}
	}
	for _, t := range b.Targets() {
		if t.Kind == content.TargetSMTP && t.To == content.ToSubscribers && slices.Contains(t.Channels(), content.ChanEmail) {
			a.Sends = true
		}
	}
	for _, l := range langs {
		a.Reached += l.Reached
		a.Suppressed += l.Suppressed
		a.Pending += l.Pending
		a.NoTopic += l.NoTopic
		a.Paused += l.Paused
	}
	return a, nil
}
