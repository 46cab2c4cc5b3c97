package app

import (
	"context"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/stats"
	"github.com/crosscast/crosscast/store"
)

// ExperimentReport is an email A/B test as the item page and the API
// show it: each variant's test share, its clicks, and how it compares
// with the default.
type ExperimentReport struct {
	store.Experiment
	Variants []VariantReport `json:"variants"`
}

// VariantReport is one variant of a test. Rate is the share of its
// recipients who clicked at least once (unique clicks ÷ recipients), a
// proportion the two-proportion test can compare; Clicks counts repeats
// too. Diff compares Rate with the default's (nil for the default).
type VariantReport struct {
	Variant      string      `json:"variant"` // "" the default
	Recipients   int         `json:"recipients"`
	Clicks       int64       `json:"clicks"`
	UniqueClicks int64       `json:"unique_clicks"`
	Rate         float64     `json:"click_rate"`
	Diff         *stats.Diff `json:"difference,omitempty"`
	Winner       bool        `json:"winner"`
}

// Experiments returns the A/B tests of an item version (0: every
// version's).
func (s *Service) Experiments(ctx context.Context, itemID string, version int) ([]ExperimentReport, error) {
	es, err := s.db.Experiments(ctx, itemID)
	if err != nil {
		return nil, err
	}
	out := []ExperimentReport{}
	for _, e := range es {
		if version != 0 && e.Version != version {
			continue
		}
		out = append(out, Report(e))
	}
	return out, nil
}

// Report compares each variant of e with its default.
func Report(e store.Experiment) ExperimentReport {
	r := ExperimentReport{Experiment: e, Variants: []VariantReport{}}
	def := e.Arm("")
	for _, a := range e.Arms {
		v := VariantReport{Variant: a.Variant, Recipients: a.Recipients, Clicks: a.Clicks, UniqueClicks: a.UniqueClicks,
			Winner: e.State == store.ExpDecided && e.How != store.HowTooSmall && e.Winner == a.Variant}
		if a.Recipients > 0 {
			v.Rate = float64(min(a.UniqueClicks, int64(a.Recipients))) / float64(a.Recipients)
		}
		if a.Variant != "" && def != nil {
			d := stats.TwoProportions(def.UniqueClicks, int64(def.Recipients), a.UniqueClicks, int64(a.Recipients))
			v.Diff = &d
		}
		r.Variants = append(r.Variants, v)
	}
	return r
}

// MetricLabel names a test's metric for people.
func MetricLabel(metric string) string {
	if metric == content.MetricUniqueClicks {
		return "unique clicks"
	}
	return "clicks"
}
