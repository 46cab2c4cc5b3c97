package fonts

import "testing"

// BenchmarkScan is the one-time cost of indexing the machine's fonts.
func BenchmarkScan(b *testing.B) {
	n := 0
	for b.Loop() {
		l := &Library{dirs: StandardDirs()}
		l.scan()
		n = 0
		for _, fs := range l.index {
			n += len(fs)
		}
	}
	b.ReportMetric(float64(n), "faces")
}
