package app

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/crosscast/crosscast/store"
)

// ExportHeader is the first line of a subscriber export.
var ExportHeader = []string{"address", "language", "topics", "status", "paused", "created_at", "confirmed_at"}

// ExportSubscribers writes a brand's subscribers (of status, "" for
// all) to w as CSV in address order, a page at a time so a large list
// streams. An error after the header leaves the file cut short.
func (s *Service) ExportSubscribers(ctx context.Context, brand, status string, w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(ExportHeader)
	f := store.SubscriberFilter{Status: status, Limit: 1000}
	for {
		list, err := s.db.Subscribers(ctx, brand, f)
		if err != nil {
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
