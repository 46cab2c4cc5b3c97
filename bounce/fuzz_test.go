package bounce

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func addSamples(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// fuzzParse checks what every input must give: no panic, an answer
// within the deadline, no more events than the limit, known kinds only.
func fuzzParse(t *testing.T, b []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	lim := Limits{MaxSize: 1 << 20, MaxRecipients: 20}
	evs, err := ParseMessage(ctx, b, lim)
	if err != nil {
		if !errors.Is(err, ErrNotReport) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		return
	}
	if len(evs) > lim.MaxRecipients {
		t.Fatalf("%d events over the limit", len(evs))
	}
	for _, e := range evs {
		switch e.Kind {
		case Hard, Soft, Complaint:
		default:
			t.Fatalf("kind %q", e.Kind)
		}
		if len(e.Diagnostic) > 1000 {
			t.Fatalf("diagnostic of %d bytes", len(e.Diagnostic))
		}
	}
}

func FuzzDSN(f *testing.F) {
	addSamples(f, "dsn-*.eml")
	f.Fuzz(fuzzParse)
}

func FuzzARF(f *testing.F) {
	addSamples(f, "arf-*.eml")
	f.Fuzz(fuzzParse)
}
