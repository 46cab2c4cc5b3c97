package ui

import (
	"context"
	"fmt"
	"math"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
)

// experimentView is one email A/B test on the item page (the
// "experiments" template block).
type experimentView struct {
	app.ExperimentReport
	Metric   string
	Running  bool
	TooSmall bool
	Outcome  string // who won and how, in words
	Rows     []experimentRow
}

type experimentRow struct {
	Variant, Label       string
	Recipients           int
	Clicks, UniqueClicks int64
	Rate                 string // "12.3%"
	Diff, Interval       string // "+4.5 pts", "−1.2 to +10.1 pts"; "" for the default
	Significant          bool
	P                    string
	Winner               bool
}

// itemExperiments is the A/B tests of an item version for its page; nil
// when it has none or they cannot be read (the page works without them).
func (ui *UI) itemExperiments(ctx context.Context, id string, version int) []experimentView {
	rs, err := ui.svc.Experiments(ctx, id, version)
	if err != nil {
		ui.log.Warn("item page: experiments", "item", id, "version", version, "err", err)
		return nil
	}
	var out []experimentView
	for _, r := range rs {
		v := experimentView{ExperimentReport: r, Metric: app.MetricLabel(r.Metric),
			Running: r.State == store.ExpRunning, TooSmall: r.How == store.HowTooSmall}
		win := variantLabel(r.Winner)
		switch {
		case v.Running:
			v.Outcome = "Running: the winner by " + v.Metric + " goes to the rest of the segment at the decision time."
		case v.TooSmall:
			v.Outcome = fmt.Sprintf("Not tested: the segment had %d recipients, fewer than min_recipients (%d), so the default variant went to everyone.", r.SegmentSize, r.MinRecipients)
		case r.State == store.ExpStopped:
			v.Outcome = "Stopped by " + r.DecidedBy + ": the test share kept what it was sent; the rest of the segment was sent nothing."
		case r.How == store.HowEditor:
			v.Outcome = win + " won: picked by " + r.DecidedBy + " before the wait was over, and sent to the rest of the segment."
		default:
			v.Outcome = win + " won on " + v.Metric + " after the wait" + map[bool]string{true: " (the default wins ties and a test nobody clicked)", false: ""}[r.Winner == ""] + ", and was sent to the rest of the segment."
		}
		for _, vr := range r.Variants {
			row := experimentRow{Variant: vr.Variant, Label: variantLabel(vr.Variant), Recipients: vr.Recipients, Clicks: vr.Clicks,
				UniqueClicks: vr.UniqueClicks, Rate: fmt.Sprintf("%.1f%%", vr.Rate*100), Winner: vr.Winner}
			if d := vr.Diff; d != nil && d.Valid {
				row.Diff = points(d.Delta)
				// A difference of two proportions lies in ±100 points; the
				// Wald interval can reach past that with few recipients.
				row.Interval = points(max(d.Low, -1)) + " to " + points(min(d.High, 1))
				row.Significant = d.Significant
				row.P = fmt.Sprintf("%.3f", d.P)
			}
			v.Rows = append(v.Rows, row)
		}
		out = append(out, v)
	}
	return out
}

func variantLabel(v string) string {
	if v == "" {
		return "default"
	}
	return v
}

// points writes a difference of proportions in percentage points, signed.
func points(x float64) string {
	x = math.Round(x*1000) / 10
	if x == 0 {
		x = 0 // no "−0.0"
	}
	s := fmt.Sprintf("%+.1f", x)
	if s[0] == '-' {
		s = "−" + s[1:]
	}
	return s + " pts"
}
