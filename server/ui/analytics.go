package ui

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/svgchart"
	"github.com/crosscast/crosscast/store"
)

// analyticsRanges are the date ranges a report covers, in days; the
// first is the default.
var analyticsRanges = []int{30, 7, 90}

// analyticsTopLinks is how many links the by-link chart shows.
const analyticsTopLinks = 15

// analyticsPage is a brand's or an item's clicks: over time by channel,
// by variant, by link, and the channel paths.
type analyticsPage struct {
	Brand  store.BrandInfo
	Brands []store.BrandInfo
	Item   *store.Item // nil on a brand's page
	Days   int
	Ranges []int
	Path   string // the page's own path, for the range form
	CSV    string // where its tables download as CSV
	From   time.Time
	To     time.Time // the last day covered
	Total  int64

	Over     overTime
	Variants barTable
	Links    linkTable
	Paths    barTable
}

type overTime struct {
	Chart    template.HTML
	Channels []string // column heads, in chart order
	Days     []dayRow
	Totals   []int64
}

type dayRow struct {
	Date   time.Time
	Clicks []int64
}

type barTable struct {
	Name, Head, Caption string // the table's id and CSV name, its first column's head
	CSV                 string
	Days                int
	Chart               template.HTML
	Rows                []barRow
}

type barRow struct {
	Label  string
	Clicks int64
}

type linkTable struct {
	Chart template.HTML
	Rows  []clickLinkRow
}

type clickLinkRow struct {
	Label, URL, Channel, Variant string
	Clicks                       int64
	link                         store.Link
}

// analyticsHome handles GET /analytics: the first brand's report.
func (ui *UI) analyticsHome(w http.ResponseWriter, r *http.Request) error {
	brands, err := ui.db.Brands(r.Context())
	if err != nil {
		return err
	}
	if len(brands) == 0 {
		return fmt.Errorf("no brand yet: an admin adds one on the Admin page: %w", store.ErrNotFound)
	}
	http.Redirect(w, r, "/analytics/"+url.PathEscape(brands[0].ID), http.StatusSeeOther)
	return nil
}

// brandAnalytics handles GET /analytics/{brand}?days=.
func (ui *UI) brandAnalytics(w http.ResponseWriter, r *http.Request) error {
	p, err := ui.analytics(r.Context(), r, r.PathValue("brand"), nil)
	if err != nil {
		return err
	}
	ui.html(w, r, http.StatusOK, "analytics", p)
	return nil
}

// itemAnalytics handles GET /items/{id}/analytics?days=.
func (ui *UI) itemAnalytics(w http.ResponseWriter, r *http.Request) error {
	it, err := ui.db.Item(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := ui.analytics(r.Context(), r, it.Brand, it)
	if err != nil {
		return err
	}
	ui.html(w, r, http.StatusOK, "analytics", p)
	return nil
}

// analyticsDays is the request's date range: one of analyticsRanges.
func analyticsDays(r *http.Request) int {
	if d, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && slices.Contains(analyticsRanges, d) {
		return d
	}
	return analyticsRanges[0]
}

// clickScope is the last days UTC days, today included, of the brand or
// item.
func clickScope(brand string, it *store.Item, days int, now time.Time) store.ClickScope {
	today := now.UTC().Truncate(24 * time.Hour)
	sc := store.ClickScope{Brand: brand, Since: today.AddDate(0, 0, 1-days), Until: today.AddDate(0, 0, 1)}
	if it != nil {
		sc.Item = it.ID
	}
	return sc
}

// analytics reads and draws the report.
func (ui *UI) analytics(ctx context.Context, r *http.Request, brandID string, it *store.Item) (*analyticsPage, error) {
	b, err := ui.db.Brand(ctx, brandID)
	if err != nil {
		return nil, err
	}
	p := &analyticsPage{Brand: *b, Item: it, Days: analyticsDays(r), Ranges: analyticsRanges, Path: "/analytics/" + url.PathEscape(b.ID)}
	p.CSV = p.Path + "/export.csv"
	if it != nil {
		p.Path = "/items/" + url.PathEscape(it.ID) + "/analytics"
		p.CSV = p.Path + ".csv"
	}
	if p.Brands, err = ui.db.Brands(ctx); err != nil {
		return nil, err
	}
	sc := clickScope(b.ID, it, p.Days, time.Now())
	p.From, p.To = sc.Since, sc.Until.AddDate(0, 0, -1)
	subject := b.Name
	if it != nil {
		subject = it.Title
	}

	// The two reads each add up the range's rollup rows; run side by
	// side, the page waits for the slower only.
	var (
		links   []store.Link
		linkErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() { links, linkErr = ui.db.ClickLinks(ctx, sc, analyticsTopLinks) })
	rows, err := ui.db.ClickBreakdown(ctx, sc)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if linkErr != nil {
		return nil, linkErr
	}
	p.Over = overTimeTable(rows, sc, p.Days)
	for _, n := range p.Over.Totals {
		p.Total += n
	}
	chart := svgchart.Lines{ID: "chart-channels", Title: "Clicks per day by channel, " + subject,
		Desc: fmt.Sprintf("%d clicks from %s to %s; the table below the chart lists every day.", p.Total, p.From.Format("2 Jan"), p.To.Format("2 Jan 2006"))}
	for _, d := range p.Over.Days {
		chart.Labels = append(chart.Labels, d.Date.Format("2 Jan"))
	}
	for ci, ch := range p.Over.Channels {
		s := svgchart.Series{Name: ch}
		for _, d := range p.Over.Days {
			s.Values = append(s.Values, float64(d.Clicks[ci]))
		}
		chart.Series = append(chart.Series, s)
	}
	p.Over.Chart = chart.SVG()

	p.Variants = barTable{Name: "variants", Head: "Variant", Caption: "Clicks by variant", CSV: p.CSV, Days: p.Days, Rows: variantRows(rows)}
	p.Variants.draw("Clicks by variant, " + subject)

	lc := svgchart.Bars{ID: "chart-links", Title: "Most clicked links, " + subject, Desc: "Clicks per tracked link; the table names each link's channel and address."}
	seen := map[string]int{}
	for _, l := range links {
		label := linkLabel(l)
		// Links to one page from one channel differ by version or
		// query; a chart's labels must not repeat.
		if seen[label]++; seen[label] > 1 {
			label = fmt.Sprintf("%s (v%d, #%d)", label, l.Version, seen[label])
		}
		row := clickLinkRow{Label: label, URL: l.URL, Channel: app.ChannelLabel(l.Channel), Variant: cmp.Or(l.Variant, "(default)"), Clicks: l.Clicks, link: l}
		p.Links.Rows = append(p.Links.Rows, row)
		lc.Bars = append(lc.Bars, svgchart.Bar{Label: row.Label, Value: float64(l.Clicks)})
	}
	p.Links.Chart = lc.SVG()

	p.Paths = barTable{Name: "paths", Head: "Path", Caption: "Clicks by channel path", CSV: p.CSV, Days: p.Days, Rows: pathRows(rows)}
	p.Paths.draw("Channel paths, " + subject)
	return p, nil
}

// overTimeTable spreads the rollup over every day of the range, with a
// column per channel, busiest channel first.
func overTimeTable(rows []store.ClickRow, sc store.ClickScope, days int) overTime {
	totals := map[string]int64{}
	for _, r := range rows {
		totals[r.Channel] += r.Clicks
	}
	var keys []string
	for k := range totals {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(totals[b], totals[a]), cmp.Compare(a, b))
	})
	col := map[string]int{}
	var o overTime
	for i, k := range keys {
		col[k] = i
		o.Channels = append(o.Channels, app.ChannelLabel(k))
		o.Totals = append(o.Totals, totals[k])
	}
	row := map[time.Time]int{}
	for i := range days {
		day := sc.Since.AddDate(0, 0, i)
		row[day] = i
		o.Days = append(o.Days, dayRow{Date: day, Clicks: make([]int64, len(keys))})
	}
	for _, r := range rows {
		if i, ok := row[r.Day]; ok {
			o.Days[i].Clicks[col[r.Channel]] += r.Clicks
		}
	}
	return o
}

func variantRows(rows []store.ClickRow) []barRow {
	totals := map[string]int64{}
	for _, r := range rows {
		totals[r.Variant] += r.Clicks
	}
	var out []barRow
	for k, n := range totals {
		out = append(out, barRow{Label: cmp.Or(k, "(default)"), Clicks: n})
	}
	sortRows(out)
	return out
}

// pathRows adds the clicks up by edge: the channel a link is placed in
// and where it leads.
func pathRows(rows []store.ClickRow) []barRow {
	totals := map[string]int64{}
	for _, r := range rows {
		totals[app.ChannelLabel(r.Channel)+" → "+destLabel(r.Dest)] += r.Clicks
	}
	var out []barRow
	for k, n := range totals {
		out = append(out, barRow{Label: k, Clicks: n})
	}
	sortRows(out)
	return out
}

func sortRows(rows []barRow) {
	slices.SortFunc(rows, func(a, b barRow) int {
		return cmp.Or(cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(a.Label, b.Label))
	})
}

// draw makes the table's bar chart.
func (t *barTable) draw(title string) {
	c := svgchart.Bars{ID: "chart-" + t.Name, Title: title, Desc: "One bar per row of the table below the chart, labelled with its clicks."}
	for _, r := range t.Rows {
		c.Bars = append(c.Bars, svgchart.Bar{Label: r.Label, Value: float64(r.Clicks)})
	}
	t.Chart = c.SVG()
}

// destLabel names where a link leads.
func destLabel(d string) string {
	switch d {
	case store.DestPortal:
		return "portal"
	case store.DestCatalog:
		return "catalog"
	case store.DestWeb:
		return "other site"
	}
	return "unknown"
}

// linkLabel is a link as its chart shows it: its channel and address
// without the scheme or query.
func linkLabel(l store.Link) string {
	shown := l.URL
	if u, err := url.Parse(l.URL); err == nil {
		shown = u.Host + u.Path
	}
	if l.Variant != "" {
		return app.ChannelLabel(l.Channel) + " " + l.Variant + ": " + shown
	}
	return app.ChannelLabel(l.Channel) + ": " + shown
}
