package app

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/crosscast/crosscast/store"
)

// FuzzClickToken reads click tokens from /r/<code>?t=…, which anyone can
// send: a token the test did not make is refused, never a panic, and a
// token it made always passes and is the same recipient again.
func FuzzClickToken(f *testing.F) {
	good := clickToken("secret", "ann@example.net")
	f.Add(good)
	f.Add("")
	f.Add(strings.Repeat("A", tokenLen))
	f.Add(good[:tokenLen-1] + "!")
	f.Fuzz(func(t *testing.T, tok string) {
		h, ok := tokenHash("secret", tok)
		if ok && (len(h) != 32 || len(tok) != tokenLen) {
			t.Fatalf("accepted %q as %q", tok, h)
		}
		if tok == good && !ok {
			t.Fatal("refused a token it made")
		}
	})
}

func TestClickToken(t *testing.T) {
	a, b := clickToken("s1", "ann@example.net"), clickToken("s1", "bob@example.net")
	ha, okA := tokenHash("s1", a)
	hb, okB := tokenHash("s1", b)
	ha2, _ := tokenHash("s1", clickToken("s1", "ann@example.net"))
	if !okA || !okB || ha == hb || ha != ha2 || len(a) != tokenLen {
		t.Errorf("tokens %q %q hash to %q %q", a, b, ha, hb)
	}
	// Another test's secret, or one blanked when its test ended, refuses it.
	if _, ok := tokenHash("s2", a); ok {
		t.Error("another test's secret accepts the token")
	}
	if _, ok := tokenHash("", a); ok {
		t.Error("an ended test (no secret) accepts the token")
	}
}

// The outcome metric names how a test ended and what won.
func TestTestOutcomeMetric(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.testOutcome(&store.Experiment{State: store.ExpDecided, How: store.HowAuto, Winner: "b"})
	m.testOutcome(&store.Experiment{State: store.ExpDecided, How: store.HowEditor})
	m.testOutcome(&store.Experiment{State: store.ExpStopped, How: store.HowStopped})
	m.testOutcome(&store.Experiment{State: store.ExpDecided, How: store.HowTooSmall})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "crosscast_ab_tests_total" {
			continue
		}
		for _, x := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range x.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["how"]+"/"+labels["winner"]] = x.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"auto/variant": 1, "editor/default": 1, "stopped/none": 1, "too_small/default": 1}
	if len(got) != len(want) {
		t.Errorf("crosscast_ab_tests_total = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("crosscast_ab_tests_total{%s} = %v, want %v", k, got[k], v)
		}
	}
}
