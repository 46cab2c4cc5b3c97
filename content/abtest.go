package content

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EmailTest is email.test, in front matter or as a brand default: send
// Share of the segment the variants, split evenly, wait Wait, then send
// the variant with the most Metric to everyone else. Unset fields take
// the brand's value, then the defaults (20%, 4h, clicks, 500).
type EmailTest struct {
	Share         Percent  `yaml:"share"`
	Wait          Duration `yaml:"wait"`
	Metric        string   `yaml:"metric"`
	MinRecipients *int     `yaml:"min_recipients"`
}

// Test metrics.
const (
	MetricClicks       = "clicks"
	MetricUniqueClicks = "unique_clicks"
)

// Bounds of an email test.
const (
	MaxTestWait          = 30 * 24 * time.Hour
	MaxTestMinRecipients = 10_000_000
)

// EmailTestPlan is a resolved email.test.
type EmailTestPlan struct {
	Share         int // percent, 1–100
	Wait          time.Duration
	Metric        string
	MinRecipients int
}

// TestPlan returns the A/B test an item's email runs, merged from its
// email.test and the brand's, or false when it runs none: it has no
// variants, or neither sets email.test.
func (it *Item) TestPlan(b *Brand) (EmailTestPlan, bool) {
	var brand *EmailTest
	if b != nil {
		brand = b.Email.Test
	}
	if len(it.Email.Variants) == 0 || (it.Email.Test == nil && brand == nil) {
		return EmailTestPlan{}, false
	}
	p := EmailTestPlan{Share: 20, Wait: 4 * time.Hour, Metric: MetricClicks, MinRecipients: 500}
	for _, t := range []*EmailTest{brand, it.Email.Test} {
		if t == nil {
			continue
		}
		if t.Share.Set {
			p.Share = t.Share.Value
		}
		if t.Wait.Set {
			p.Wait = t.Wait.Value
		}
		if t.Metric != "" {
			p.Metric = t.Metric
		}
		if t.MinRecipients != nil {
			p.MinRecipients = *t.MinRecipients
		}
	}
	return p, true
}

// Percent is a share written "20%" or 20.
type Percent struct {
	Value int
	Set   bool
}

func (p *Percent) decodeScalar(value, _ string) error {
	s := strings.TrimSpace(value)
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(s, "%")))
	if err != nil || n < 1 || n > 100 {
		return fmt.Errorf("must be a whole percentage from 1%% to 100%%, such as 20%%, not %q", value)
	}
	p.Value, p.Set = n, true
	return nil
}

// Duration is a Go duration such as 90s, 45m or 4h.
type Duration struct {
	Value time.Duration
	Set   bool
}

func (d *Duration) decodeScalar(value, _ string) error {
	v, err := time.ParseDuration(strings.TrimSpace(value))
	if err != nil || v < time.Second || v > MaxTestWait {
		return fmt.Errorf("must be a duration from 1s to 720h, such as 90s, 45m or 4h, not %q", value)
	}
	d.Value, d.Set = v, true
	return nil
}

// checkTest reports the rules of an email.test the decoder cannot.
func (t *EmailTest) check(field string, fail func(field, format string, args ...any)) {
	if t == nil {
		return
	}
	if t.Metric != "" && t.Metric != MetricClicks && t.Metric != MetricUniqueClicks {
		fail(field+".metric", "must be clicks or unique_clicks, not %q", t.Metric)
	}
	if n := t.MinRecipients; n != nil && (*n < 0 || *n > MaxTestMinRecipients) {
		fail(field+".min_recipients", "must be between 0 and %d, not %d", MaxTestMinRecipients, *n)
	}
}

// checkEmailTest holds an item's email.test and its variants' calls to
// action to their rules.
func checkEmailTest(it *Item, fmErr func(field, code, format string, args ...any)) {
	fail := func(field, format string, args ...any) { fmErr(field, EInvalid, format, args...) }
	if it.Email.Test != nil && len(it.Email.Variants) == 0 {
		fail("email.test", "needs email.variants: there is nothing to test without a second variant")
	}
	it.Email.Test.check("email.test", fail)
	for _, v := range it.Email.Variants {
		c := v.CTA
		if c == nil {
			continue
		}
		if strings.TrimSpace(c.Label) == "" {
			fail("email.variants", "variant %q: cta.label is required", v.Name)
		}
		if !isWebURL(c.URL) && !strings.HasPrefix(c.URL, "/") {
			fail("email.variants", "variant %q: cta.url must be an http(s) URL or a path starting with /", v.Name)
		}
	}
}
