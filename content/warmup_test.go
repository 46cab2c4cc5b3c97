package content

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The schedule's day is the UTC day: before its first day and after its
// last no cap applies; in between, day i allows Daily[i] until the next
// UTC midnight, whatever zone the clock reads in.
func TestWarmupOn(t *testing.T) {
	w := &Warmup{From: Date{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, Daily: []int{500, 1000, 2500}}
	utc := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, time.UTC) }
	tokyo := time.FixedZone("JST", 9*3600)
	honolulu := time.FixedZone("HST", -10*3600)
	for _, c := range []struct {
		name string
		now  time.Time
		ok   bool
		want WarmupDay
	}{
		{"the day before", utc(0, 23, 59), false, WarmupDay{}}, // Nov 30
		{"the first minute", utc(1, 0, 0), true, WarmupDay{0, "2026-12-01", 500, utc(2, 0, 0)}},
		{"the first day's end", utc(1, 23, 59), true, WarmupDay{0, "2026-12-01", 500, utc(2, 0, 0)}},
		{"day 2", utc(2, 12, 0), true, WarmupDay{1, "2026-12-02", 1000, utc(3, 0, 0)}},
		{"the last day", utc(3, 8, 0), true, WarmupDay{2, "2026-12-03", 2500, utc(4, 0, 0)}},
		{"past the list", utc(4, 0, 0), false, WarmupDay{}},
		{"a month on", utc(31, 0, 0), false, WarmupDay{}},
		// 08:30 on Dec 2 in Tokyo is still Dec 1 in UTC.
		{"Tokyo morning", time.Date(2026, 12, 2, 8, 30, 0, 0, tokyo), true, WarmupDay{0, "2026-12-01", 500, utc(2, 0, 0)}},
		// 20:00 on Nov 30 in Honolulu is already Dec 1 in UTC.
		{"Honolulu evening", time.Date(2026, 11, 30, 20, 0, 0, 0, honolulu), true, WarmupDay{0, "2026-12-01", 500, utc(2, 0, 0)}},
		// 18:00 on Dec 3 in Honolulu is Dec 4 in UTC: over.
		{"Honolulu, the last evening", time.Date(2026, 12, 3, 18, 0, 0, 0, honolulu), false, WarmupDay{}},
	} {
		got, ok := w.On(c.now)
		if ok != c.ok || got.N != c.want.N || got.Day != c.want.Day || got.Cap != c.want.Cap || !got.Next.Equal(c.want.Next) {
			t.Errorf("%s (%s): %+v %v, want %+v %v", c.name, c.now, got, ok, c.want, c.ok)
		}
		if ok && got.Next.Location() != time.UTC {
			t.Errorf("%s: next midnight %s is not in UTC", c.name, got.Next)
		}
	}
	var none *Warmup
	if _, ok := none.On(utc(1, 0, 0)); ok {
		t.Error("no schedule capped the day")
	}
	old := &Warmup{From: Date{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)}, Daily: []int{1}}
	if _, ok := old.On(utc(1, 0, 0)); ok {
		t.Error("a schedule from year 1 still caps 2026")
	}
}

// A warm-up loads on an smtp target; its errors are at their field and
// line, and it is refused on other kinds.
func TestBrandTargetWarmup(t *testing.T) {
	good := okBrand + `  from_address: news@test.example
targets:
  news:
    kind: smtp
    host_env: CROSSCAST_TEST__SMTP_HOST
    to: subscribers
    warmup:
      from: 2026-12-01
      daily: [500, 1000, 2500]
  hook:
    kind: webhook
    channel: email
    url: https://hooks.test.example/x
    secret_env: CROSSCAST_TEST__HOOK_SECRET
`
	b, err := loadBrand(t, good)
	if err != nil {
		t.Fatal(err)
	}
	w := b.Targets()[2].Warmup // site, hook, news
	if w == nil || !w.From.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) || len(w.Daily) != 3 || w.Daily[2] != 2500 {
		t.Fatalf("warmup %+v", w)
	}
	long := "[" + strings.TrimSuffix(strings.Repeat("1, ", 366), ", ") + "]"
	for _, tt := range []struct{ edit, at, want string }{
		{"from: 2026-12-01|from: 2026-12-32", "from:", "targets.news.warmup.from: must be a date like 2026-12-01"},
		{"from: 2026-12-01|from: next monday", "from:", "targets.news.warmup.from: must be a date"},
		{"from: 2026-12-01|from: 2026-12-01T09:00:00Z", "from:", "targets.news.warmup.from: must be a date"},
		{"      from: 2026-12-01\n|", "warmup:", "targets.news.warmup.from: is required"},
		{"daily: [500, 1000, 2500]|daily: []", "daily:", "targets.news.warmup.daily: must list 1 to 365 daily message counts"},
		{"daily: [500, 1000, 2500]|daily: " + long, "daily:", "not 366"},
		{"daily: [500, 1000, 2500]|daily: 500", "daily:", "targets.news.warmup.daily: must be a list"},
		{"daily: [500, 1000, 2500]|daily: [500, 0, 2500]", "daily:", "targets.news.warmup.daily.1: day 2: 0 must be between 1 and 10000000"},
		{"daily: [500, 1000, 2500]|daily: [500, 1000, 20000000]", "daily:", "targets.news.warmup.daily.2: day 3: 20000000 must be"},
		{"daily: [500, 1000, 2500]|daily: [500, 1000, 900]", "daily:", "targets.news.warmup.daily.2: day 3 allows 900, fewer than day 2's 1000"},
		{"daily: [500, 1000, 2500]|daily: [500, 1.5]", "daily:", "must be a whole number"},
		{"daily: [500, 1000, 2500]|dayly: [500]", "dayly:", "unknown field, did you mean `daily`?"},
		{"secret_env: CROSSCAST_TEST__HOOK_SECRET|secret_env: CROSSCAST_TEST__HOOK_SECRET\n    warmup: {from: 2026-12-01, daily: [5]}", "warmup: {from", "targets.hook.warmup: is only for smtp targets"},
	} {
		from, to, _ := strings.Cut(tt.edit, "|")
		if !strings.Contains(good, from) {
			t.Fatalf("edit %q does not apply", from)
		}
		yml := strings.Replace(good, from, to, 1)
		_, err := loadBrand(t, yml)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\ngot  %v\nwant %q", tt.edit, err, tt.want)
			continue
		}
		// The error is on the field's line.
		at := strings.Count(yml[:strings.Index(yml, tt.at)], "\n") + 1
		if want := "brand.yaml:" + strconv.Itoa(at) + ":"; !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, not at %s", tt.edit, err, want)
		}
	}
}
