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
			rec := []string{sb.Address, sb.Lang, strings.Join(sb.Topics, "|"), sb.Status, paused, sb.CreatedAt.Format(time.RFC3339), confirmed}
			for i := range rec {
				rec[i] = GuardCell(rec[i])
			}
			cw.Write(rec)
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

// GuardCell defuses a CSV cell a spreadsheet would run as a formula
// (OWASP's CSV injection): one starting with =, +, -, @, a tab or a
// carriage return gets a leading '. Addresses can start with = + or -
// ("-news@example.net" is valid), so the import takes the ' off again
// (UnguardCell).
func GuardCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// UnguardCell undoes GuardCell: a ' before a character GuardCell guards
// is dropped, and any other cell is left as it is.
func UnguardCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && GuardCell(s[1:]) != s[1:] {
		return s[1:]
	}
	return s
}
