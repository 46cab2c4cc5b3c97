// Package stats holds the statistics an A/B test report shows: the
// difference of two proportions with its 95% confidence interval and a
// two-sided z test of whether the difference is real.
package stats

import "math"

// z975 is the 97.5th percentile of the standard normal distribution:
// the half-width of a two-sided 95% interval, in standard errors.
const z975 = 1.959963984540054

// Diff compares a variant's proportion (X2 of N2) with the control's (X1
// of N1).
type Diff struct {
	P1, P2 float64 // the two proportions
	// Delta is P2 − P1; Low and High are its 95% confidence interval
	// from the unpooled standard error (the Wald interval, which R's
	// prop.test prints with correct = FALSE).
	Delta, Low, High float64
	// Z is the test statistic from the pooled standard error (under the
	// null hypothesis both proportions are the same, so they are
	// estimated together), and P its two-sided p-value.
	Z, P float64
	// Significant says P < 0.05. The interval and the test use different
	// standard errors, so near the edge one may exclude zero while the
	// other does not; the test decides what the page calls significant.
	Significant bool
	// Valid is false when either group is empty: nothing can be said.
	Valid bool
}

// TwoProportions compares x2/n2 with x1/n1. Counts outside 0 ≤ x ≤ n
// are clamped, so a report never shows a rate above 100%.
func TwoProportions(x1, n1, x2, n2 int64) Diff {
	if n1 <= 0 || n2 <= 0 {
		return Diff{P: 1}
	}
	x1, x2 = min(max(x1, 0), n1), min(max(x2, 0), n2)
	f1, f2 := float64(n1), float64(n2)
	d := Diff{P1: float64(x1) / f1, P2: float64(x2) / f2, Valid: true}
	d.Delta = d.P2 - d.P1
	se := math.Sqrt(d.P1*(1-d.P1)/f1 + d.P2*(1-d.P2)/f2)
	d.Low, d.High = d.Delta-z975*se, d.Delta+z975*se
	pool := float64(x1+x2) / (f1 + f2)
	sep := math.Sqrt(pool * (1 - pool) * (1/f1 + 1/f2))
	d.P = 1
	if sep > 0 {
		d.Z = d.Delta / sep
		d.P = math.Erfc(math.Abs(d.Z) / math.Sqrt2)
	}
	d.Significant = d.P < 0.05
	return d
}
