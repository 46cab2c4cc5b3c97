package bounce

import (
	"context"
	"encoding/json"
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

// FuzzWebhookBodies feeds each provider's body parser (after the point
// where its signature would have been checked) and the SNS envelope.
func FuzzWebhookBodies(f *testing.F) {
	for i, name := range []string{"ses-bounce.json", "postmark-bounce.json", "sendgrid-events.json", "mailgun-failed.json", "ses-complaint.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	f.Add(uint8(4), []byte(`{"Type":"Notification","TopicArn":"arn:t","SignatureVersion":"2","Timestamp":"2025-06-03T07:14:00Z"}`))
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		var evs []Event
		var err error
		switch which % 5 {
		case 0:
			evs, err = parseSES(b)
		case 1:
			evs, err = (&Postmark{}).parse(b)
		case 2:
			evs, err = (&SendGrid{}).parse(b)
		case 3:
			var body mailgunBody
			if json.Unmarshal(b, &body) == nil {
				evs = (&Mailgun{}).events(&body)
			}
		case 4:
			// No client: nothing may be fetched, whatever the body says.
			evs, err = (&SNS{Topics: []string{"arn:t"}}).Parse(context.Background(), b)
			if err == nil && len(evs) > 0 {
				t.Fatalf("unsigned SNS body gave events: %+v", evs)
			}
		}
		if err == nil && len(evs) > 1000 {
			t.Fatalf("%d events", len(evs))
		}
		for _, e := range evs {
			if e.Recipient == "" || len(e.Diagnostic) > 1000 {
				t.Fatalf("event %+v", e)
			}
		}
	})
}
