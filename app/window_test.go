package app

import (
	"testing"
	"time"
)

// Outside its sending window a batch waits for the window's next start;
// inside it, it goes now. A window may wrap past midnight.
func TestWindowOpens(t *testing.T) {
	day := func(h, m int) time.Time { return time.Date(2026, 12, 3, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		window string
		now    time.Time
		want   time.Time
	}{
		{"", day(3, 0), time.Time{}},
		{"08:00-20:00", day(12, 0), time.Time{}},
		{"08:00-20:00", day(7, 59), day(8, 0)},
		{"08:00-20:00", day(20, 0), day(8, 0).Add(24 * time.Hour)},
		{"22:00-06:00", day(23, 0), time.Time{}},
		{"22:00-06:00", day(5, 59), time.Time{}},
		{"22:00-06:00", day(6, 0), day(22, 0)},
	} {
		if got := windowOpens(c.window, c.now); !got.Equal(c.want) {
			t.Errorf("window %q at %s: %s, want %s", c.window, c.now.Format("15:04"), got, c.want)
		}
	}
}
