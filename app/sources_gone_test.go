package app

import (
	"slices"
	"testing"
	"time"
)

func TestGoneEntries(t *testing.T) {
	for _, tc := range []struct {
		prev, now, want []string
	}{
		{[]string{"c", "b", "a"}, []string{"d", "c", "b"}, nil},      // a aged out
		{[]string{"c", "b", "a"}, []string{"c", "a"}, []string{"b"}}, // b deleted
		{[]string{"c", "b", "a"}, []string{"e", "d"}, nil},           // the window moved past all
		{nil, []string{"a"}, nil},                                    // the first fetch
		{[]string{"c", "b", "a"}, []string{"a"}, []string{"c", "b"}}, // the newest two deleted
	} {
		if got := goneEntries(tc.prev, tc.now); !slices.Equal(got, tc.want) {
			t.Errorf("goneEntries(%v, %v) = %v, want %v", tc.prev, tc.now, got, tc.want)
		}
	}
}

func TestNextDelay(t *testing.T) {
	for failures, want := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour} {
		for range 20 {
			if d := nextDelay(30*time.Minute, failures); d < want*9/10 || d > want*11/10 {
				t.Fatalf("%d failures: %v, want %v ± 10%%", failures, d, want)
			}
		}
	}
	if d := nextDelay(30*time.Minute, 40); d > MaxSourceBackoff*11/10 {
		t.Errorf("the backoff is not capped: %v", d)
	}
}
