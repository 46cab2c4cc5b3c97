package ui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
)

// targetsDoc is where the brand kit's publishing targets are explained.
const targetsDoc = "https://github.com/crosscast/crosscast/blob/main/docs/brand-kit.md#publishing-targets"

// channelState is one channel of a publication: where it goes, or that
// the brand has nowhere for it to go.
type channelState struct {
	Channel    string
	Deliveries []store.Delivery
	// Progress is an email delivery's recipients so far, by key, while
	// it is being sent.
	Progress map[string]*progressRow
}

// progressRow is where an email delivery under way stands, as the page
// words it.
type progressRow struct {
	store.Progress
	Rate, ETA string
}

// liveVersion is an earlier (or later) version that is on the site
// while the one shown is not.
type liveVersion struct {
	Version int
	URL     string // the page on the site; empty when unknown
}

// eventRow is one audit log line as the page words it.
type eventRow struct {
	store.Event
	What string
	When time.Time // a schedule's time, shown in the editor's zone; zero: none
}

// publishingState fills what the side panel says about publishing: the
// shown version's publication per channel, the version that is live if
// another, and whether the item is on its site at all.
func (ui *UI) publishingState(ctx context.Context, p *itemPage, channels []string) error {
	all, err := ui.db.Deliveries(ctx, p.Item.ID, 0)
	if err != nil {
		return err
	}
	for _, d := range all {
		if d.Target != content.TargetSite || d.Status != store.DelSent {
			continue
		}
		p.OnSite = true
		if d.Version != p.Version && (p.Live == nil || d.Version > p.Live.Version) {
			p.Live = &liveVersion{Version: d.Version}
		}
	}
	if p.Live != nil {
		for _, d := range all {
			if d.Version == p.Live.Version && d.Target == content.TargetSite && d.Channel == content.ChanPortal {
				p.Live.URL = d.ExternalURL
			}
		}
	}
	if p.Publication == nil {
		return nil
	}
	for _, d := range all {
		if d.Version == p.Version {
			p.Deliveries = append(p.Deliveries, d)
		}
	}
	for _, ch := range channels {
		cs := channelState{Channel: ch}
		for _, d := range p.Deliveries {
			if d.Channel == ch {
				cs.Deliveries = append(cs.Deliveries, d)
				if d.Kind == content.TargetSMTP && d.Status == store.DelSending {
					pr, err := ui.db.DeliveryProgress(ctx, &d)
					if err != nil {
						return err
					}
					if cs.Progress == nil {
						cs.Progress = map[string]*progressRow{}
					}
					row := progressRow{Progress: pr, Rate: fmt.Sprintf("%.0f/s", pr.PerSecond)}
					if pr.ETA > 0 {
						row.ETA = pr.ETA.String()
					}
					cs.Progress[d.Key] = &row
				}
			}
		}
		p.Channels = append(p.Channels, cs)
	}
	return nil
}

// eventRows words the audit log: a schedule's time in the editor's
// zone, and an approval to publish at once as that.
func eventRows(es []store.Event) []eventRow {
	out := make([]eventRow, len(es))
	for i, e := range es {
		r := eventRow{Event: e, What: e.Kind}
		if e.Kind == "scheduled" || e.Kind == "rescheduled" {
			if at, err := time.Parse(time.RFC3339, e.Detail); err == nil {
				r.Detail = ""
				// "Publish now" schedules at the moment of the click.
				if at.Sub(e.At).Abs() < time.Minute {
					r.What = "approved to publish now"
				} else {
					r.What, r.When = e.Kind+" for", at
				}
			}
		}
		out[i] = r
	}
	return out
}

// versionStatus is a version's status as the history lists it: its
// publication's once it has one, else its rendering's.
func versionStatus(v store.VersionInfo, pubs []store.Publication) string {
	i := slices.IndexFunc(pubs, func(p store.Publication) bool { return p.Version == v.Version })
	if i < 0 {
		return v.Status
	}
	return pubs[i].Status
}
