package svgchart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/golden"
)

func lines() Lines {
	return Lines{
		ID: "by-channel", Title: "Clicks per day by channel", Desc: "Email leads; Mastodon <rises> & falls.",
		Labels: []string{"Nov 27", "Nov 28", "Nov 29", "Nov 30", "Dec 1"},
		Series: []Series{
			{Name: "Email", Values: []float64{12, 30, 7, 0, 3}},
			{Name: "Mastodon", Values: []float64{0, 4, 19, 2, 1}},
			{Name: "print QR", Values: []float64{1, 1, 0, 0, 2}},
			{Name: "portal share", Values: []float64{0, 0, 0, 5, 0}},
		},
	}
}

func bars() Bars {
	return Bars{ID: "by-variant", Title: "Clicks by variant", Desc: "Variant b has the most clicks.", Bars: []Bar{
		{Label: "b", Value: 42}, {Label: "(default)", Value: 17}, {Label: "a very long link label that does not fit the column", Value: 3},
	}}
}

func TestGolden(t *testing.T) {
	golden.Check(t, "lines.svg.golden", []byte(lines().SVG()+"\n"))
	golden.Check(t, "bars.svg.golden", []byte(bars().SVG()+"\n"))
	golden.Check(t, "empty.svg.golden", []byte(Lines{ID: "none", Title: "No clicks"}.SVG()+Bars{ID: "nobars", Title: "No links"}.SVG()+"\n"))
}

// TestMarksCarryTheNumbers reads the charts as XML, as a screen reader's
// accessibility tree would: each names itself, and each mark holds the
// value it was given, which the page's table shows too.
func TestMarksCarryTheNumbers(t *testing.T) {
	check := func(svg string, want map[string]string) {
		t.Helper()
		dec := xml.NewDecoder(strings.NewReader(svg))
		got := map[string]string{}
		var title, series string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, svg)
			}
			if se, ok := tok.(xml.StartElement); ok {
				attrs := map[string]string{}
				for _, a := range se.Attr {
					attrs[a.Name.Local] = a.Value
				}
				if s, ok := attrs["data-series"]; ok {
					series = s
				}
				if v, ok := attrs["data-value"]; ok {
					got[series+"|"+attrs["data-label"]] = v
				}
				if se.Name.Local == "title" {
					tok, _ := dec.Token()
					if cd, ok := tok.(xml.CharData); ok {
						title = string(cd)
					}
				}
			}
		}
		if title == "" {
			t.Error("the chart has no title")
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("mark %s = %q, want %q", k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d marks, want %d: %v", len(got), len(want), got)
		}
	}
	want := map[string]string{}
	for _, s := range lines().Series {
		for i, v := range s.Values {
			want[s.Name+"|"+lines().Labels[i]] = num(v)
		}
	}
	check(string(lines().SVG()), want)
	check(string(bars().SVG()), map[string]string{"|b": "42", "|(default)": "17", "|a very long link label that does not fit the column": "3"})
}

func TestBounded(t *testing.T) {
	var c Lines
	c.ID, c.Title = "big", "big"
	for range 1000 {
		c.Labels = append(c.Labels, "d")
	}
	for range 50 {
		c.Series = append(c.Series, Series{Name: "s", Values: make([]float64, 1000)})
	}
	if n := strings.Count(string(c.SVG()), `class="point"`); n != MaxSeries*MaxPoints {
		t.Errorf("%d points drawn, want at most %d", n, MaxSeries*MaxPoints)
	}
	var b Bars
	for range 200 {
		b.Bars = append(b.Bars, Bar{Label: "x", Value: 1})
	}
	if n := strings.Count(string(b.SVG()), `class="bar `); n != MaxBars {
		t.Errorf("%d bars drawn, want %d", n, MaxBars)
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.5: 1, 3: 5, 7: 10, 12: 20, 42: 50, 100: 100, 101: 200, 999: 1000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}
