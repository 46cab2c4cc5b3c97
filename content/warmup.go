package content

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Warmup is an SMTP target's warm-up schedule: a new sending IP or
// domain ramps its daily volume up, as mailbox providers throttle or
// junk a sudden burst from a sender they do not know.
type Warmup struct {
	// From is the schedule's first day (UTC).
	From Date `yaml:"from"`
	// Daily[i] is how many messages day i (0-based, in UTC days from
	// From) allows, across every worker process.
	Daily []int `yaml:"daily"`
}

// Bounds of a warm-up schedule.
const (
	MaxWarmupDays  = 365
	MaxWarmupDaily = 10_000_000
)

// Date is a calendar day in UTC, written 2026-12-01.
type Date struct{ time.Time }

func (d *Date) decodeScalar(value, _ string) error {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(value))
	if err != nil {
		return fmt.Errorf("must be a date like 2026-12-01 (a UTC day), not %q", value)
	}
	d.Time = t
	return nil
}

// WarmupDay is one UTC day of a warm-up schedule.
type WarmupDay struct {
	N    int       // the day of the schedule, 0-based
	Day  string    // its date, 2026-12-01: what the day's count is kept under
	Cap  int       // messages it allows
	Next time.Time // the next UTC midnight, when the next day's cap applies
}

// On returns the schedule's day at now. It reports false, no cap
// applying, before From, after the last day and for no schedule.
func (w *Warmup) On(now time.Time) (WarmupDay, bool) {
	if w == nil || len(w.Daily) == 0 {
		return WarmupDay{}, false
	}
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := time.Date(w.From.Year(), w.From.Month(), w.From.Day(), 0, 0, 0, 0, time.UTC)
	if day.Before(from) {
		return WarmupDay{}, false
	}
	// UTC days are all 24 hours long; a From centuries back saturates
	// Sub and lands past the end.
	n := int(day.Sub(from) / (24 * time.Hour))
	if n >= len(w.Daily) {
		return WarmupDay{}, false
	}
	return WarmupDay{N: n, Day: day.Format(time.DateOnly), Cap: w.Daily[n], Next: day.AddDate(0, 0, 1)}, true
}

// check reports the rules of a warm-up the decoder cannot; field is its
// path (targets.news.warmup).
func (w *Warmup) check(field string, fail func(field, format string, args ...any)) {
	if w.From.IsZero() {
		fail(field+".from", "is required: the schedule's first day, like 2026-12-01 (UTC)")
	}
	if n := len(w.Daily); n < 1 || n > MaxWarmupDays {
		fail(field+".daily", "must list 1 to %d daily message counts (day 1, day 2, …), not %d", MaxWarmupDays, n)
		return
	}
	for i, n := range w.Daily {
		at := field + ".daily." + strconv.Itoa(i)
		switch {
		case n < 1 || n > MaxWarmupDaily:
			fail(at, "day %d: %d must be between 1 and %d messages", i+1, n, MaxWarmupDaily)
		case i > 0 && n < w.Daily[i-1]:
			fail(at, "day %d allows %d, fewer than day %d's %d: a warm-up never sends less than the day before", i+1, n, i, w.Daily[i-1])
		}
	}
}
