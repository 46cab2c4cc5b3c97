package content

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/currency"
)

// Time is a front-matter date. It accepts the forms writers and other
// tools use: RFC 3339, a plain date, and Jekyll's "2006-01-02 15:04:05 -0700".
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

func (t *Time) decodeScalar(value, _ string) error {
	value = strings.TrimSpace(value)
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, value); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("must be a date like 2026-03-14 or 2026-03-14T09:30:00+01:00, not %q", value)
}

// Amount is a money amount in hundredths, parsed exactly (no floats), so
// "1299.90" stays 129990.
type Amount struct {
	Cents int64
	Set   bool
}

func (a *Amount) decodeScalar(value, tag string) error {
	if tag != "!!int" && tag != "!!float" && tag != "!!str" {
		return fmt.Errorf("must be a number like 1299.00, not %q", value)
	}
	v, err := ParseAmount(value)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseAmount parses a decimal amount with a dot and at most two decimals.
func ParseAmount(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ",") {
		return Amount{}, fmt.Errorf("price %q: write it with a dot and no thousands separators, like 1299.00", s)
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") || len(whole) > 12 {
		return Amount{}, fmt.Errorf("price %q must be a positive number like 1299.00", s)
	}
	if hasFrac && (len(frac) == 0 || len(frac) > 2) {
		return Amount{}, fmt.Errorf("price %q may have at most two decimals", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return Amount{}, fmt.Errorf("price %q is not a number", s)
	}
	var f int64
	if hasFrac {
		for len(frac) < 2 {
			frac += "0"
		}
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || frac[0] == '-' || frac[0] == '+' {
			return Amount{}, fmt.Errorf("price %q is not a number", s)
		}
	}
	return Amount{Cents: w*100 + f, Set: true}, nil
}

// String formats the amount as a plain decimal, "1299.00".
func (a Amount) String() string {
	return fmt.Sprintf("%d.%02d", a.Cents/100, a.Cents%100)
}

// Focus is an image's focal point as fractions of its width and height;
// crops keep it in frame. The zero value means the centre.
type Focus struct {
	X, Y float64
	Set  bool
}

func (f *Focus) decodeScalar(value, _ string) error {
	xs, ys, ok := strings.Cut(value, ",")
	if !ok {
		return errors.New(`must be "x,y" with fractions between 0 and 1, like "0.5,0.3"`)
	}
	x, err1 := strconv.ParseFloat(strings.TrimSpace(xs), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(ys), 64)
	// Written as "inside [0,1]" so NaN, which compares false, fails too.
	if err1 != nil || err2 != nil || !(x >= 0 && x <= 1) || !(y >= 0 && y <= 1) {
		return fmt.Errorf(`must be "x,y" with fractions between 0 and 1, not %q`, value)
	}
	*f = Focus{X: x, Y: y, Set: true}
	return nil
}

// ValidCurrency reports whether code is an ISO 4217 code of a real
// currency: upper-case, known to the standard, and not XXX ("no
// currency") or XTS (reserved for testing).
func ValidCurrency(code string) bool {
	if !currRE.MatchString(code) || code == "XXX" || code == "XTS" {
		return false
	}
	_, err := currency.ParseISO(code)
	return err == nil
}

// Point returns the focal point, defaulting to the centre.
func (f Focus) Point() (x, y float64) {
	if !f.Set {
		return 0.5, 0.5
	}
	return f.X, f.Y
}
