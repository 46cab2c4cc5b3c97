package content

import (
	"strings"
	"testing"
	"time"
)

func TestBrandDigests(t *testing.T) {
	b, err := loadBrand(t, okBrand+"  topics:\n    guides: Guides\ndigests:\n  weekly:\n    schedule: Mon 08:00\n    timezone: Europe/Amsterdam\n    topics: [guides]\n  daily:\n    schedule: daily 07:30\n    lang: en\n    max_items: 3\n    policy: auto_publish\n")
	if err != nil {
		t.Fatal(err)
	}
	w := b.Digests["weekly"]
	if w.ID != "weekly" || w.When.Daily || w.When.Weekday != time.Monday || w.When.Hour != 8 || w.When.Loc.String() != "Europe/Amsterdam" ||
		w.MaxItems != 8 || w.Lang != "nl" || w.Policy != DigestApprove {
		t.Errorf("weekly: %+v", w)
	}
	if got := b.DigestSubject(w); got != "Deze week bij Test Co" {
		t.Errorf("subject %q", got)
	}
	d := b.Digests["daily"]
	if !d.When.Daily || d.When.Hour != 7 || d.When.Minute != 30 || d.When.Loc != time.UTC || d.MaxItems != 3 || d.Policy != DigestAutoPublish {
		t.Errorf("daily: %+v", d)
	}
	if got := b.DigestSubject(d); got != "This week at Test Co" {
		t.Errorf("subject %q", got)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"digests:\n  weekly:\n    schedule: Monday 8am\n", `brand.yaml:22:5: digests.weekly.schedule: "Monday 8am" does not start with a weekday`},
		{"digests:\n  weekly:\n    schedule: Mon 25:00\n", `brand.yaml:22:5: digests.weekly.schedule: "Mon 25:00" has no 24-hour time`},
		{"digests:\n  weekly:\n    schedule: Mon 08:00\n    timezone: Mars/Olympus\n", `brand.yaml:23:5: digests.weekly.timezone: timezone "Mars/Olympus" is not an IANA zone`},
		{"digests:\n  weekly:\n    schedule: Mon 08:00\n    max_items: 50\n", "brand.yaml:23:5: digests.weekly.max_items: must be between 1 and 20, not 50"},
		{"digests:\n  weekly:\n    schedule: Mon 08:00\n    policy: yolo\n", `digests.weekly.policy: must be auto_publish or approve, not "yolo"`},
		{"digests:\n  weekly:\n    schedule: Mon 08:00\n    topics: [nope]\n", `brand.yaml:23:5: digests.weekly.topics: brand has no email topic "nope"`},
		{"digests:\n  weekly:\n    timezone: UTC\n", "digests.weekly.schedule: is required"},
		{"digests:\n  Weekly!:\n    schedule: Mon 08:00\n", `digests: id "Weekly!" must be lower-case`},
		{"digests:\n  weekly:\n    schedul: Mon 08:00\n", "schedul"},
		{"email:\n  mode: summary\n", ""},
	} {
		_, err := loadBrand(t, okBrand+"  topics:\n    guides: Guides\n"+tt.yaml)
		if tt.want == "" {
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v\nwant %q", tt.yaml, err, tt.want)
		}
	}
	if _, err := loadBrand(t, strings.Replace(okBrand, "email:\n", "email:\n  mode: summary\n", 1)); err == nil || !strings.Contains(err.Error(), `email.mode: must be full or teaser, not "summary"`) {
		t.Errorf("email.mode: %v", err)
	}
}

// TestScheduleAcrossDST: a Monday 08:00 Amsterdam digest runs at 08:00
// local on both sides of the end of summer time (27 October 2024), so
// the instants are 06:00 and then 07:00 UTC, a week of 169 hours apart.
func TestScheduleAcrossDST(t *testing.T) {
	sc, err := ParseSchedule("Mon 08:00", "Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 10, 15, 12, 0, 0, 0, time.UTC) // a Tuesday
	var runs []time.Time
	for range 3 {
		at = sc.Next(at)
		runs = append(runs, at)
	}
	want := []string{"2024-10-21T06:00:00Z", "2024-10-28T07:00:00Z", "2024-11-04T07:00:00Z"}
	for i, r := range runs {
		if got := r.UTC().Format(time.RFC3339); got != want[i] {
			t.Errorf("run %d at %s, want %s", i, got, want[i])
		}
		if l := r.In(sc.Loc); l.Hour() != 8 || l.Minute() != 0 || l.Weekday() != time.Monday {
			t.Errorf("run %d is %s local", i, l)
		}
	}
	if h := runs[1].Sub(runs[0]).Hours(); h != 169 {
		t.Errorf("the week across the change is %v hours", h)
	}
	if p := sc.Prev(runs[1]); !p.Equal(runs[1]) {
		t.Errorf("Prev(run) = %s", p)
	}
	if p := sc.Prev(runs[1].Add(-time.Minute)); !p.Equal(runs[0]) {
		t.Errorf("Prev(before run) = %s", p)
	}
	// Spring forward: 02:30 does not exist on 31 March 2024 in Amsterdam.
	sc, _ = ParseSchedule("daily 02:30", "Europe/Amsterdam")
	n := sc.Next(time.Date(2024, 3, 30, 12, 0, 0, 0, time.UTC))
	if n.UTC().Format(time.RFC3339) != "2024-03-31T01:30:00Z" {
		t.Errorf("spring gap run at %s", n.UTC())
	}
	if n2 := sc.Next(n); n2.UTC().Format(time.RFC3339) != "2024-04-01T00:30:00Z" {
		t.Errorf("after the gap: %s", n2.UTC())
	}
}

func TestItemEmailMode(t *testing.T) {
	b, err := loadBrand(t, strings.Replace(okBrand, "email:\n", "email:\n  mode: teaser\n", 1))
	if err != nil {
		t.Fatal(err)
	}
	it, err := ParseBytes(nil, "a.md", []byte("---\ntitle: A\n---\nBody.\n"), ParseOptions{Brand: b})
	if err != nil {
		t.Fatal(err)
	}
	if EmailMode(it, b) != EmailTeaser || EmailMode(it, nil) != EmailFull {
		t.Errorf("brand default: %q", EmailMode(it, b))
	}
	it, err = ParseBytes(nil, "a.md", []byte("---\ntitle: A\nemail:\n  mode: full\n---\nBody.\n"), ParseOptions{Brand: b})
	if err != nil || EmailMode(it, b) != EmailFull {
		t.Errorf("item full: %v", err)
	}
	_, err = ParseBytes(nil, "a.md", []byte("---\ntitle: A\nemail:\n  mode: short\n---\nBody.\n"), ParseOptions{Brand: b})
	if err == nil || !strings.Contains(err.Error(), "a.md:4:3: email.mode: email.mode must be full or teaser") {
		t.Errorf("bad mode: %v", err)
	}
}

// FuzzParseSchedule: a schedule from brand.yaml never panics, and one
// that parses runs at its time of day, on its weekday, strictly after the
// time asked about and within eight days of it.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"Mon 08:00", "daily 07:30", "sun 23:59", "Fri 00:00", "Monday 8am", "daily 24:00", "Tue 8:00", "", " ", "Mon  08:00", "daily 02:30"} {
		for _, tz := range []string{"", "Europe/Amsterdam", "America/New_York", "Local", "../etc/passwd", "Australia/Lord_Howe"} {
			f.Add(s, tz, int64(1792000000))
		}
	}
	f.Fuzz(func(t *testing.T, s, tz string, unix int64) {
		sc, err := ParseSchedule(s, tz)
		if err != nil {
			return
		}
		at := time.Unix(unix%(1<<34), 0)
		n := sc.Next(at)
		if !n.After(at) || n.Sub(at) > 8*24*time.Hour+2*time.Hour {
			t.Fatalf("%q in %q: next after %s is %s", s, tz, at, n)
		}
		if !sc.Daily && n.In(sc.Loc).Weekday() != sc.Weekday {
			t.Fatalf("%q: next is a %s", s, n.In(sc.Loc).Weekday())
		}
		if p := sc.Prev(n); !p.Equal(n) {
			t.Fatalf("%q: Prev(Next) = %s, not %s", s, p, n)
		}
	})
}
