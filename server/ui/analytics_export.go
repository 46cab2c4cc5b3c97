package ui

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
)

// exportBrandAnalytics handles GET /analytics/{brand}/export.csv?days=&table=.
func (ui *UI) exportBrandAnalytics(w http.ResponseWriter, r *http.Request) error {
	p, err := ui.analytics(r.Context(), r, r.PathValue("brand"), nil)
	if err != nil {
		return err
	}
	return writeAnalyticsCSV(w, r, p, p.Brand.ID)
}

// exportItemAnalytics handles GET /items/{id}/analytics.csv?days=&table=.
func (ui *UI) exportItemAnalytics(w http.ResponseWriter, r *http.Request) error {
	it, err := ui.db.Item(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := ui.analytics(r.Context(), r, it.Brand, it)
	if err != nil {
		return err
	}
	return writeAnalyticsCSV(w, r, p, it.Slug)
}

// writeAnalyticsCSV writes one of the report's tables (table=channels,
// variants, links or paths) as CSV.
func writeAnalyticsCSV(w http.ResponseWriter, r *http.Request, p *analyticsPage, name string) error {
	table := r.URL.Query().Get("table")
	var rows [][]string
	switch table {
	case "channels":
		rows = append(rows, append([]string{"date"}, p.Over.Channels...))
		for _, d := range p.Over.Days {
			row := []string{d.Date.Format("2006-01-02")}
			for _, n := range d.Clicks {
				row = append(row, strconv.FormatInt(n, 10))
			}
			rows = append(rows, row)
		}
	case "variants", "paths":
		head, src := []string{"variant", "clicks"}, p.Variants.Rows
		if table == "paths" {
			head, src = []string{"path", "clicks"}, p.Paths.Rows
		}
		rows = append(rows, head)
		for _, b := range src {
			rows = append(rows, []string{b.Label, strconv.FormatInt(b.Clicks, 10)})
		}
	case "links":
		rows = append(rows, []string{"channel", "variant", "item", "url", "clicks"})
		for _, r := range p.Links.Rows {
			rows = append(rows, []string{r.Channel, r.link.Variant, r.link.ItemID, r.URL, strconv.FormatInt(r.Clicks, 10)})
		}
	default:
		return fmt.Errorf("table %q: want channels, variants, links or paths: %w", table, store.ErrInvalid)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%dd.csv"`, safeFileName(name), table, p.Days))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i := range row {
			row[i] = app.GuardCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeFileName keeps letters, digits, '-' and '_' of s, for a download's name.
func safeFileName(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c < 128 && (c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "analytics"
	}
	return b.String()
}
