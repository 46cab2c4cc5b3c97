package bounce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef-test-verp-key")

func testKeys(brand string) [][]byte {
	if brand == "kestrel" {
		return [][]byte{testKey}
	}
	return nil
}

// sample reads a testdata message with {{TOKEN}} replaced by a token
// signed for r.
func sample(t *testing.T, name string, r Ref) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Sign(testKey, r)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "{{TOKEN}}", tok))
}

func TestParseMessage(t *testing.T) {
	ref := Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	type want struct {
		kind      Kind
		rcpt      string // the report's
		addr      string // after the token is verified
		status    string
		diag      string // a part of it
		messageID string
		at        string
	}
	for _, tt := range []struct {
		file string
		want []want
	}{
		{"dsn-hard.eml", []want{{Hard, "reader@example.org", "reader@example.org", "5.1.1", "User unknown in local recipient table", "v3.field-notes.kestrel@kestrel.example", "2025-06-03T07:13:58Z"}}},
		{"dsn-soft-expired.eml", []want{{Soft, "walker@hills.example", "reader@example.org", "4.4.7", "retry timeout exceeded", "trail.v1@kestrel.example", "2025-06-07T11:02:40Z"}}},
		// Failed without a Status: the diagnostic's code; delayed and
		// delivered recipients are no bounces.
		{"dsn-multi.eml", []want{{Hard, "full@example.com", "reader@example.org", "5.2.2", "over quota", "multi@kestrel.example", "2025-06-09T20:10:00Z"}}},
		// Base64 report, LF-less folding, forwarded: the original
		// recipient wins over the final one.
		{"dsn-base64-forwarded.eml", []want{{Hard, "old-name@lakes.example", "reader@example.org", "5.7.1", "rejected by policy", "", "2025-06-11T08:00:00Z"}}},
		{"dsn-nested.eml", []want{{Hard, "gone@corp.example", "reader@example.org", "5.1.10", "RecipientNotFound", "v3.field-notes.kestrel@kestrel.example", "2025-06-12T09:00:00Z"}}},
		{"dsn-global.eml", []want{{Hard, "jürgen@post.example", "reader@example.org", "5.1.1", "Postfach unbekannt", "global@kestrel.example", "2025-06-13T10:00:00Z"}}},
		{"arf-abuse.eml", []want{{Complaint, "reader@example.org", "reader@example.org", "", "abuse", "v3.field-notes.kestrel@kestrel.example", ""}}},
		{"arf-redacted.eml", []want{{Complaint, "redacted@mailbox.example", "reader@example.org", "", "abuse", "v3.field-notes.kestrel@kestrel.example", "2025-06-15T18:30:00Z"}}},
		{"arf-not-spam.eml", nil},
		// A report that is the whole message; a status with a comment.
		{"dsn-bare.eml", []want{{Hard, "reader@old.example", "reader@example.org", "5.0.0", "mailbox disabled", "", ""}}},
		{"dsn-of-dsn.eml", []want{{Hard, "outer@outer.example", "reader@example.org", "5.4.4", "no route to host", "", ""}}},
	} {
		for _, crlf := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/crlf=%v", tt.file, crlf), func(t *testing.T) {
				raw := sample(t, tt.file, ref)
				if crlf {
					raw = bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
				}
				evs, err := ParseMessage(context.Background(), raw, Limits{})
				if err != nil {
					t.Fatal(err)
				}
				evs = Resolve(evs, testKeys)
				if len(evs) != len(tt.want) {
					t.Fatalf("got %d events, want %d: %+v", len(evs), len(tt.want), evs)
				}
				for i, w := range tt.want {
					e := evs[i]
					if e.Kind != w.kind || e.Recipient != w.rcpt || e.Address() != w.addr || e.Status != w.status ||
						!strings.Contains(e.Diagnostic, w.diag) || e.MessageID != w.messageID {
						t.Errorf("event %d = %+v\nwant %+v", i, e, w)
					}
					if e.Ref == nil || *e.Ref != ref || e.Brand != "kestrel" {
						t.Errorf("event %d: ref %+v, brand %q; want %+v", i, e.Ref, e.Brand, ref)
					}
					if w.at != "" && e.At.Format(time.RFC3339) != w.at {
						t.Errorf("event %d: at %s, want %s", i, e.At.Format(time.RFC3339), w.at)
					}
				}
			})
		}
	}
}

func TestParseMessageRefuses(t *testing.T) {
	ref := Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	if _, err := ParseMessage(context.Background(), sample(t, "not-report.eml", ref), Limits{}); !errors.Is(err, ErrNotReport) {
		t.Errorf("auto-reply: %v, want ErrNotReport", err)
	}
	big := sample(t, "dsn-hard.eml", ref)
	if _, err := ParseMessage(context.Background(), big, Limits{MaxSize: len(big) - 1}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the size: %v, want ErrTooLarge", err)
	}
	// dsn-nested has 9 parts.
	if _, err := ParseMessage(context.Background(), sample(t, "dsn-nested.eml", ref), Limits{MaxParts: 4}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the parts: %v, want ErrTooLarge", err)
	}
	if _, err := ParseMessage(context.Background(), sample(t, "dsn-nested.eml", ref), Limits{MaxDepth: 2}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the depth: %v, want ErrTooLarge", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ParseMessage(ctx, big, Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// A report with many recipients gives at most MaxRecipients events.
func TestParseMessageRecipientLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; a.example\r\n")
	for range 50 {
		b.WriteString("\r\nFinal-Recipient: rfc822; a@b.example\r\nAction: failed\r\nStatus: 5.1.1\r\n")
	}
	b.WriteString("--x--\r\n")
	evs, err := ParseMessage(context.Background(), []byte(b.String()), Limits{MaxRecipients: 7})
	if err != nil || len(evs) != 7 {
		t.Fatalf("%d events, %v; want 7", len(evs), err)
	}
}

// A token signed with another key, or tampered with, does not redirect
// the event: the report's own recipient stays.
func TestResolveRefusesForgedToken(t *testing.T) {
	forged, _ := Sign([]byte("another-key-of-sixteen-bytes"), Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "victim@example.org"})
	evs := Resolve([]Event{{Kind: Hard, Recipient: "reader@example.org", Token: forged}}, testKeys)
	if len(evs) != 1 || evs[0].Ref != nil || evs[0].Address() != "reader@example.org" || evs[0].Brand != "" {
		t.Fatalf("forged token resolved: %+v", evs)
	}
	// No address and no good token: dropped.
	if evs := Resolve([]Event{{Kind: Complaint, Token: forged}}, testKeys); len(evs) != 0 {
		t.Fatalf("kept %+v", evs)
	}
}

func readSample(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }
