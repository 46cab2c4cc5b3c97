package bounce

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestPolicy(t *testing.T) {
	day := 24 * time.Hour
	now := time.Date(2025, 6, 20, 12, 0, 0, 0, time.UTC)
	p := Policy{SoftLimit: 3, Window: 7 * day}
	for _, tt := range []struct {
		name    string
		e       Event
		earlier []time.Time
		want    Decision
	}{
		{"hard at once", Event{Kind: Hard, At: now}, nil, Decision{true, "bounced"}},
		{"complaint at once", Event{Kind: Complaint, At: now}, nil, Decision{true, "complained"}},
		{"first soft", Event{Kind: Soft, At: now}, nil, Decision{}},
		{"second soft", Event{Kind: Soft, At: now}, []time.Time{now.Add(-day)}, Decision{}},
		{"third soft in the window", Event{Kind: Soft, At: now}, []time.Time{now.Add(-6 * day), now.Add(-day)}, Decision{true, "bounced"}},
		{"third soft, one outside", Event{Kind: Soft, At: now}, []time.Time{now.Add(-7 * day), now.Add(-day)}, Decision{}},
		// History after the event (reports arriving out of order) does
		// not count towards it.
		{"later ones ignored", Event{Kind: Soft, At: now}, []time.Time{now.Add(day), now.Add(2 * day)}, Decision{}},
	} {
		if got := p.Decide(tt.e, tt.earlier); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// The defaults: three in fourteen days.
	if got := (Policy{}).Decide(Event{Kind: Soft, At: now}, []time.Time{now.Add(-13 * day), now.Add(-12 * day)}); !got.Suppress {
		t.Error("default policy did not suppress the third soft bounce in 14 days")
	}
	if got := (Policy{SoftLimit: 1}).Decide(Event{Kind: Soft, At: now}, nil); !got.Suppress {
		t.Error("a limit of 1 did not suppress the first soft bounce")
	}
}

func TestLogRecorder(t *testing.T) {
	var buf bytes.Buffer
	l := LogRecorder{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	ref := &Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	if err := l.Record(context.Background(), []Event{{Kind: Hard, Recipient: "fwd@example.net", Ref: ref, Provider: ProviderDSN}}); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); !strings.Contains(s, "address=reader@example.org") || !strings.Contains(s, "delivery=0123456789abcdef") {
		t.Errorf("log: %s", s)
	}
}
