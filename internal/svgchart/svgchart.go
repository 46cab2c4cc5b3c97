// Package svgchart draws small, accessible charts as inline SVG on the
// server: a line chart of series over time and a horizontal bar chart.
// Each chart names itself (<title>, <desc>, role="img"), carries its
// numbers on its marks (data-value) for tests, and tells series apart by
// dash pattern and marker shape as well as colour. Colours come from CSS
// custom properties (--chart-1 … --chart-6, --ink, --muted, --line) so a
// page's light and dark themes apply; the page puts a <table> of the same
// numbers beside every chart.
package svgchart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Bounds on what a chart draws: a caller passing more is cut here, so a
// report over many links cannot make a page of unbounded size.
const (
	MaxSeries = 8
	MaxPoints = 400
	MaxBars   = 50
)

// Series is one line: a value per label of its chart.
type Series struct {
	Name   string
	Values []float64
}

// Lines is a line chart of Series over Labels (such as days).
type Lines struct {
	ID, Title, Desc string
	Labels          []string
	Series          []Series
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value float64
}

// Bars is a horizontal bar chart, one bar per row, labelled and valued in
// text beside each bar.
type Bars struct {
	ID, Title, Desc string
	Bars            []Bar
}

const (
	width   = 720
	height  = 260
	padL    = 56
	padR    = 16
	padT    = 16
	padB    = 40
	barRow  = 28
	barText = 260 // the label column of a bar chart
	valText = 64  // room for the value after the longest bar
)

// dashes tell the series apart without colour.
var dashes = []string{"", "6 4", "2 3", "10 3 2 3", "1 5", "12 6", "4 2 1 2", "8 2"}

// SVG draws the line chart.
func (c Lines) SVG() template.HTML {
	labels := c.Labels[:min(len(c.Labels), MaxPoints)]
	series := c.Series[:min(len(c.Series), MaxSeries)]
	top := 0.0
	for _, s := range series {
		for _, v := range s.Values[:min(len(s.Values), len(labels))] {
			top = math.Max(top, v)
		}
	}
	top = niceCeil(top)
	plotW, plotH := float64(width-padL-padR), float64(height-padT-padB)
	x := func(i int) float64 {
		if len(labels) < 2 {
			return padL + plotW/2
		}
		return padL + plotW*float64(i)/float64(len(labels)-1)
	}
	y := func(v float64) float64 { return padT + plotH - plotH*v/top }

	var b strings.Builder
	open(&b, c.ID, c.Title, c.Desc, width, height)
	// Grid and y axis: 0, half and the top, in whole numbers.
	for _, v := range []float64{0, top / 2, top} {
		if v != math.Trunc(v) {
			continue // counts: no half ticks
		}
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%s" y2="%s"/>`, padL, width-padR, num(y(v)), num(y(v)))
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", padL-8, num(y(v)), num(v))
	}
	// X labels: the first, the middle and the last, so they never overlap.
	if n := len(labels); n > 0 {
		for _, i := range uniq(0, n/2, n-1) {
			anchor := "middle"
			if i == 0 && n > 1 {
				anchor = "start"
			} else if i == n-1 && n > 1 {
				anchor = "end"
			}
			fmt.Fprintf(&b, `<text class="tick" x="%s" y="%d" text-anchor="%s">%s</text>`+"\n", num(x(i)), height-padB+18, anchor, esc(labels[i]))
		}
	}
	for si, s := range series {
		vals := s.Values[:min(len(s.Values), len(labels))]
		fmt.Fprintf(&b, `<g class="series s%d" data-series="%s">`, si%6+1, esc(s.Name))
		var d strings.Builder
		for i, v := range vals {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%s %s", cmd, num(x(i)), num(y(v)))
		}
		dash := ""
		if p := dashes[si%len(dashes)]; p != "" {
			dash = ` stroke-dasharray="` + p + `"`
		}
		if d.Len() > 0 {
			fmt.Fprintf(&b, `<path class="line" d="%s"%s/>`, d.String(), dash)
		}
		for i, v := range vals {
			fmt.Fprintf(&b, `%s`, marker(si, x(i), y(v), labels[i], v))
		}
		b.WriteString("</g>\n")
	}
	// The legend: each series' dash pattern, marker and name.
	lx := float64(padL)
	for si, s := range series {
		ly := float64(height - 6)
		dash := ""
		if p := dashes[si%len(dashes)]; p != "" {
			dash = ` stroke-dasharray="` + p + `"`
		}
		fmt.Fprintf(&b, `<g class="legend s%d"><line class="line" x1="%s" x2="%s" y1="%s" y2="%s"%s/>%s<text class="tick" x="%s" y="%s" dominant-baseline="middle">%s</text></g>`+"\n",
			si%6+1, num(lx), num(lx+24), num(ly-4), num(ly-4), dash, shape(si, lx+12, ly-4), num(lx+30), num(ly-4), esc(s.Name))
		lx += 40 + 7.5*float64(len([]rune(s.Name)))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// SVG draws the bar chart.
func (c Bars) SVG() template.HTML {
	bars := c.Bars[:min(len(c.Bars), MaxBars)]
	top := 0.0
	for _, br := range bars {
		top = math.Max(top, br.Value)
	}
	if top == 0 {
		top = 1
	}
	h := padT*2 + barRow*max(len(bars), 1)
	plotW := float64(width - barText - valText)
	var b strings.Builder
	open(&b, c.ID, c.Title, c.Desc, width, h)
	for i, br := range bars {
		yTop := float64(padT + i*barRow)
		w := plotW * br.Value / top
		label := []rune(br.Label)
		if len(label) > 34 {
			label = append(label[:33], '…')
		}
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, barText-8, num(yTop+barRow/2), esc(string(label)))
		fmt.Fprintf(&b, `<rect class="bar s%d" x="%d" y="%s" width="%s" height="%d" data-label="%s" data-value="%s"/>`,
			i%6+1, barText, num(yTop+4), num(w), barRow-8, esc(br.Label), num(br.Value))
		fmt.Fprintf(&b, `<text class="value" x="%s" y="%s" dominant-baseline="middle">%s</text>`+"\n", num(barText+w+6), num(yTop+barRow/2), num(br.Value))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`+"\n", barText, barText, padT, h-padT)
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func open(b *strings.Builder, id, title, desc string, w, h int) {
	id = esc(id)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc">`, w, h, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`+"\n", id, esc(title), id, esc(desc))
}

// marker is a data point with its numbers, a shape per series.
func marker(si int, x, y float64, label string, v float64) string {
	return fmt.Sprintf(`<g class="point" data-label="%s" data-value="%s">%s</g>`, esc(label), num(v), shape(si, x, y))
}

// shape draws series si's marker at (x, y): circle, square, diamond,
// triangle, in turn.
func shape(si int, x, y float64) string {
	const r = 3.5
	switch si % 4 {
	case 1:
		return fmt.Sprintf(`<rect class="mark" x="%s" y="%s" width="%s" height="%s"/>`, num(x-r), num(y-r), num(2*r), num(2*r))
	case 2:
		return fmt.Sprintf(`<path class="mark" d="M%s %sL%s %sL%s %sL%s %sZ"/>`, num(x), num(y-r-1), num(x+r+1), num(y), num(x), num(y+r+1), num(x-r-1), num(y))
	case 3:
		return fmt.Sprintf(`<path class="mark" d="M%s %sL%s %sL%s %sZ"/>`, num(x), num(y-r-1), num(x+r+1), num(y+r), num(x-r-1), num(y+r))
	}
	return fmt.Sprintf(`<circle class="mark" cx="%s" cy="%s" r="%s"/>`, num(x), num(y), num(r))
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 1),
// so the axis reads in round numbers.
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// num writes a coordinate or value briefly: at most two decimals, no
// trailing zeros.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func uniq(xs ...int) []int {
	var out []int
	for _, x := range xs {
		if len(out) == 0 || out[len(out)-1] != x {
			out = append(out, x)
		}
	}
	return out
}
