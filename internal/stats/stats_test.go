package stats

import (
	"math"
	"testing"
)

// TestTwoProportions checks against values computed apart from this
// code, with Python's statistics.NormalDist (inv_cdf(0.975) for the
// interval, cdf for the p-value). The first row is also R's
// prop.test(c(56, 45), c(100, 100), correct = FALSE): X-squared =
// 2.4202 (= z²), p-value = 0.1198, 95% CI −0.02774 … 0.24774.
func TestTwoProportions(t *testing.T) {
	tests := []struct {
		x1, n1, x2, n2         int64
		delta, low, high, z, p float64
	}{
		{45, 100, 56, 100, 0.110000, -0.027742, 0.247742, 1.555713, 0.119776},
		{120, 1000, 150, 1000, 0.030000, 0.000076, 0.059924, 1.963050, 0.049640},
		{30, 500, 30, 500, 0.000000, -0.029439, 0.029439, 0.000000, 1.000000},
		{0, 400, 4, 400, 0.010000, 0.000249, 0.019751, 2.005019, 0.044961},
		{12, 250, 30, 260, 0.067385, 0.020371, 0.114398, 2.767292, 0.005652},
		{250, 5000, 310, 5000, 0.012000, 0.002990, 0.021010, 2.609584, 0.009065},
		{7, 80, 15, 90, 0.079167, -0.019637, 0.177970, 1.534938, 0.124799},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.0005 } // 3 decimals
	for _, tt := range tests {
		d := TwoProportions(tt.x1, tt.n1, tt.x2, tt.n2)
		if !d.Valid || !near(d.Delta, tt.delta) || !near(d.Low, tt.low) || !near(d.High, tt.high) || !near(d.Z, tt.z) || !near(d.P, tt.p) {
			t.Errorf("%d/%d vs %d/%d = Δ %.6f [%.6f, %.6f] z %.6f p %.6f; want Δ %.6f [%.6f, %.6f] z %.6f p %.6f",
				tt.x2, tt.n2, tt.x1, tt.n1, d.Delta, d.Low, d.High, d.Z, d.P, tt.delta, tt.low, tt.high, tt.z, tt.p)
		}
		if d.Significant != (tt.p < 0.05) {
			t.Errorf("%d/%d vs %d/%d: significant = %v at p %.4f", tt.x2, tt.n2, tt.x1, tt.n1, d.Significant, tt.p)
		}
	}
	if d := TwoProportions(0, 0, 3, 10); d.Valid || d.Significant {
		t.Errorf("an empty group gives %+v", d)
	}
	if d := TwoProportions(0, 10, 0, 10); !d.Valid || d.Significant || d.P != 1 || d.Z != 0 {
		t.Errorf("no clicks at all gives %+v", d)
	}
}
