package api

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/crosscast/crosscast/store"
)

// ExportHeader is the first line of a subscriber export.
var ExportHeader = []string{"address", "language", "topics", "status", "paused", "created_at", "confirmed_at"}

// exportSubscribers handles GET /api/brands/{id}/subscribers.csv?status=:
// every subscriber of the brand as CSV, in address order, read a page
// at a time so a large list streams.
func (a *API) exportSubscribers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := a.db.Brand(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+b.ID+`-subscribers.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(ExportHeader)
	f := store.SubscriberFilter{Status: r.URL.Query().Get("status"), Limit: 1000}
	for {
		list, err := a.db.Subscribers(ctx, b.ID, f)
		if err != nil {
			// The header is out: all that is left is to cut the file
			// short, which its reader sees as a broken last line.
			return err
		}
		for _, sb := range list {
			confirmed := ""
			if !sb.ConfirmedAt.IsZero() {
				confirmed = sb.ConfirmedAt.Format(time.RFC3339)
			}
			paused := "no"
			if sb.Paused {
				paused = "yes"
			}
			cw.Write([]string{sb.Address, sb.Lang, strings.Join(sb.Topics, "|"), sb.Status, paused, sb.CreatedAt.Format(time.RFC3339), confirmed})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(list) < f.Limit {
			return nil
		}
		f.After = list[len(list)-1].Address
	}
}
