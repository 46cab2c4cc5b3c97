package content

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Digest is one newsletter a brand sends on a schedule, gathering the
// items published since its previous run (brand.yaml digests.<id>).
type Digest struct {
	// Schedule is when it runs, in Timezone: "Mon 08:00" (weekly, a
	// weekday's three-letter English name) or "daily 08:00".
	Schedule string `yaml:"schedule"`
	// Timezone is an IANA zone name (Europe/Amsterdam); default UTC.
	Timezone string `yaml:"timezone"`
	// Topics keep items whose email.topics share one of them; none keeps
	// every item. The digest's own email goes to these topics' readers.
	Topics []string `yaml:"topics"`
	// MaxItems caps the items in one digest (default 8, at most
	// MaxDigestItems); the newest are kept.
	MaxItems int `yaml:"max_items"`
	// Lang is the language of the items gathered and of the email
	// (default the brand's).
	Lang string `yaml:"lang"`
	// Subject is the email's subject; default "This week at <brand>"
	// in Lang (the digest_subject string).
	Subject string `yaml:"subject"`
	// Policy is auto_publish (sent when rendered) or approve (an editor
	// approves it like an item); default approve.
	Policy string `yaml:"policy"`
	// Variants are A/B subject variants, as an item's email.variants.
	Variants []EmailVariant `yaml:"variants"`

	// ID is the digest's key in brand.yaml; When is the parsed schedule.
	ID   string   `yaml:"-"`
	When Schedule `yaml:"-"`
}

// Digest policies.
const (
	DigestAutoPublish = "auto_publish"
	DigestApprove     = "approve"
)

// Limits of a brand's digests.
const (
	MaxDigests     = 10
	MaxDigestItems = 20
)

var digestIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,29}$`)

// Schedule is a digest's parsed schedule: a time of day, every day or on
// one weekday, in a time zone.
type Schedule struct {
	Daily        bool
	Weekday      time.Weekday
	Hour, Minute int
	Loc          *time.Location
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseSchedule reads "Mon 08:00" or "daily 08:00" in the zone named tz
// ("" is UTC).
func ParseSchedule(s, tz string) (Schedule, error) {
	var sc Schedule
	day, hm, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return sc, fmt.Errorf("%q is not a schedule like \"Mon 08:00\" or \"daily 08:00\"", s)
	}
	day = strings.ToLower(day)
	if day == "daily" {
		sc.Daily = true
	} else if wd, ok := weekdays[day]; ok {
		sc.Weekday = wd
	} else {
		return sc, fmt.Errorf("%q does not start with a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun) or daily", s)
	}
	h, m, ok := strings.Cut(strings.TrimSpace(hm), ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) != 2 || len(m) != 2 || hour > 23 || minute > 59 || hour < 0 || minute < 0 {
		return sc, fmt.Errorf("%q has no 24-hour time like 08:00", s)
	}
	sc.Hour, sc.Minute = hour, minute
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return sc, fmt.Errorf("timezone %q is not an IANA zone name like Europe/Amsterdam", tz)
	}
	sc.Loc = loc
	return sc, nil
}

// Next is the first run strictly after t. It counts in wall-clock time
// in the schedule's zone, so 08:00 stays 08:00 local across a daylight
// saving change; a time that does not exist that day (inside a spring
// gap) runs at the instant the clocks jump to.
func (sc Schedule) Next(t time.Time) time.Time {
	loc := sc.Loc
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	for d := 0; d <= 8; d++ {
		c := time.Date(l.Year(), l.Month(), l.Day()+d, sc.Hour, sc.Minute, 0, 0, loc)
		if !sc.Daily && c.Weekday() != sc.Weekday {
			continue
		}
		if c.After(t) {
			return c
		}
	}
	return time.Time{} // unreachable: a weekday recurs within 8 days
}

// Prev is the last run at or before t.
func (sc Schedule) Prev(t time.Time) time.Time {
	loc := sc.Loc
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	for d := 0; d <= 8; d++ {
		c := time.Date(l.Year(), l.Month(), l.Day()-d, sc.Hour, sc.Minute, 0, 0, loc)
		if !sc.Daily && c.Weekday() != sc.Weekday {
			continue
		}
		if !c.After(t) {
			return c
		}
	}
	return time.Time{}
}

// DigestIDs returns the brand's digest ids, sorted.
func (b *Brand) DigestIDs() []string { return slices.Sorted(maps.Keys(b.Digests)) }

// DigestSubject is the digest's subject: its own, else the localised
// default.
func (b *Brand) DigestSubject(d *Digest) string {
	if d.Subject != "" {
		return d.Subject
	}
	return b.T(d.Lang, "digest_subject", "brand", b.Name)
}

// validateDigests checks digests: and fills in their defaults.
func (b *Brand) validateDigests(fail func(field, format string, args ...any)) {
	if len(b.Digests) > MaxDigests {
		fail("digests", "has %d digests; at most %d", len(b.Digests), MaxDigests)
	}
	for _, id := range b.DigestIDs() {
		d := b.Digests[id]
		f := "digests." + id
		if !digestIDRE.MatchString(id) {
			fail("digests", "id %q must be lower-case letters, digits and dashes, at most 30 (it names items and URLs), like weekly", id)
			continue
		}
		if d == nil {
			fail(f, "is empty: give it at least a schedule like \"Mon 08:00\"")
			continue
		}
		d.ID = id
		if d.Schedule == "" {
			fail(f+".schedule", "is required: a weekday and time like \"Mon 08:00\", or \"daily 08:00\"")
		} else if sc, err := ParseSchedule(d.Schedule, ""); err != nil {
			fail(f+".schedule", "%v", err)
		} else {
			d.When = sc
		}
		if d.Timezone != "" {
			if sc, err := ParseSchedule("daily 00:00", d.Timezone); err != nil {
				fail(f+".timezone", "%v", err)
			} else {
				d.When.Loc = sc.Loc
			}
		}
		if d.When.Loc == nil {
			d.When.Loc = time.UTC
		}
		switch n := d.MaxItems; {
		case n == 0:
			d.MaxItems = 8
		case n < 1 || n > MaxDigestItems:
			fail(f+".max_items", "must be between 1 and %d, not %d", MaxDigestItems, n)
		}
		if d.Lang == "" {
			d.Lang = b.Lang
		} else if t, err := language.Parse(d.Lang); err != nil {
			fail(f+".lang", "%q is not a language tag like en or nl", d.Lang)
		} else {
			d.Lang = t.String()
		}
		switch d.Policy {
		case "":
			d.Policy = DigestApprove
		case DigestApprove, DigestAutoPublish:
		default:
			fail(f+".policy", "must be auto_publish or approve, not %q", d.Policy)
		}
		if len(d.Subject) > 200 || strings.ContainsAny(d.Subject, "\r\n") {
			fail(f+".subject", "must be one line of at most 200 characters")
		}
		ts := slices.Clone(d.Topics)
		slices.Sort(ts)
		d.Topics = slices.Compact(ts)
		for _, t := range d.Topics {
			if b.Email.Topics[t] == "" {
				fail(f+".topics", "brand has no email topic %q (its topics: %s)", t, strings.Join(b.Email.TopicKeys(), ", "))
			}
		}
		names := map[string]bool{}
		for _, v := range d.Variants {
			switch {
			case !variantRE.MatchString(v.Name):
				fail(f+".variants", "variant name %q must be lower-case letters, digits, - or _ (it becomes utm_content)", v.Name)
			case names[v.Name]:
				fail(f+".variants", "variant %q appears twice", v.Name)
			case v.Subject == "":
				fail(f+".variants", "variant %q needs a subject", v.Name)
			}
			names[v.Name] = true
		}
	}
}

// Email modes: the whole item, or a teaser that leads to the portal page.
const (
	EmailFull   = "full"
	EmailTeaser = "teaser"
)

// EmailMode is how item it's email is written: its own email.mode, else
// the brand's, else full.
func EmailMode(it *Item, b *Brand) string {
	if it.Email.Mode != "" {
		return it.Email.Mode
	}
	if b != nil && b.Email.Mode != "" {
		return b.Email.Mode
	}
	return EmailFull
}

func validEmailMode(m string) bool { return m == "" || m == EmailFull || m == EmailTeaser }
