package publish_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/bounce"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/fakes"
	"github.com/crosscast/crosscast/publish"
)

// ledger is an in-memory Recipients: the store's ledger in miniature.
type ledger struct {
	mu    sync.Mutex
	order []string
	rows  map[string]publish.Recipient
}

func (l *ledger) List(_ context.Context, addrs []string, _ bool) ([]publish.Recipient, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rows == nil {
		l.rows = map[string]publish.Recipient{}
	}
	for _, a := range addrs {
		if _, ok := l.rows[a]; !ok {
			l.order = append(l.order, a)
			l.rows[a] = publish.Recipient{Address: a, Status: publish.StatusPending}
		}
	}
	return l.all(), nil
}

func (l *ledger) all() []publish.Recipient {
	var out []publish.Recipient
	for _, a := range l.order {
		out = append(out, l.rows[a])
	}
	return out
}

func (l *ledger) Claim(_ context.Context, addr string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.rows[addr]
	if r.Status != publish.StatusPending {
		return false, nil
	}
	r.Status = publish.StatusSending
	l.rows[addr] = r
	return true, nil
}

func (l *ledger) Finish(_ context.Context, addr, status, _, errText string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.rows[addr]
	r.Status, r.Error = status, errText
	l.rows[addr] = r
	return nil
}

func (l *ledger) All(context.Context) ([]publish.Recipient, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all(), nil
}

const testEML = "From: Kestrel Outdoor <news@kestrel.example>\r\nSubject: Trail report\r\nMessage-ID: <trail.v1@kestrel.example>\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe trails are open.\r\n" +
	"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The trails are open.</p>\r\n--b--\r\n"

// smtpJob sends testEML to one address through srv.
func smtpJob(srv *fakes.SMTP, to string, env map[string]string) publish.Job {
	host, port, _ := net.SplitHostPort(srv.Addr)
	env["CROSSCAST_KESTREL__SMTP_HOST"] = host
	env["CROSSCAST_KESTREL__SMTP_PORT"] = port
	env["CROSSCAST_KESTREL__SMTP_USER"] = srv.Username
	env["CROSSCAST_KESTREL__SMTP_PASSWORD"] = srv.Password
	return publish.Job{
		Delivery: publish.Delivery{ItemID: "trail", Version: 1, Channel: content.ChanEmail,
			Key: "trail/1/email/news", KeyHash: "89abcdef0123456789abcdef01234567"},
		Target: content.Target{ID: "news", Kind: content.TargetSMTP, To: to,
			HostEnv: "CROSSCAST_KESTREL__SMTP_HOST", PortEnv: "CROSSCAST_KESTREL__SMTP_PORT",
			UsernameEnv: "CROSSCAST_KESTREL__SMTP_USER", PasswordEnv: "CROSSCAST_KESTREL__SMTP_PASSWORD", Rate: 1000},
		Brand: &content.Brand{ID: "kestrel", Email: content.BrandEmail{FromAddress: "news@kestrel.example"}},
		Item:  &content.Item{},
		Links: &content.LinkPlan{},
		File: func(context.Context, string, string) ([]byte, error) {
			return []byte(testEML), nil
		},
		Secret:     func(name string) string { return env[name] },
		Track:      &plainLinks{},
		Recipients: &ledger{},
		Now:        func() time.Time { return time.Date(2025, 6, 3, 7, 13, 50, 0, time.UTC) },
	}
}

// With return_path set, MAIL FROM is the recipient's own VERP address,
// whose token opens to the brand, the delivery and the recipient; the
// From header stays the brand's.
func TestSMTPReturnPath(t *testing.T) {
	srv := fakes.NewSMTP(t)
	pub := &publish.SMTPPublisher{TLS: srv.TLSConfig()}
	env := map[string]string{"CROSSCAST_KESTREL__VERP_KEY": "new-key-0123456789abcdef, old-key-0123456789abcdef"}
	j := smtpJob(srv, "Reader@Example.org", env)
	j.Target.ReturnPath = "bounce@bounces.kestrel.example"
	j.Target.VERPKeyEnv = "CROSSCAST_KESTREL__VERP_KEY"
	if _, err := pub.Deliver(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	from := got[0].From
	if !strings.HasPrefix(from, "bounce+") || !strings.HasSuffix(from, "@bounces.kestrel.example") {
		t.Fatalf("MAIL FROM %q", from)
	}
	if !strings.Contains(string(got[0].Data), "From: \"Kestrel Outdoor\" <news@kestrel.example>\r\n") {
		t.Errorf("From header changed:\n%s", got[0].Data)
	}
	// The bounce side verifies with the same variable's keys.
	keys := func(brand string) [][]byte {
		if brand != "kestrel" {
			return nil
		}
		return bounce.ParseKeys(env["CROSSCAST_KESTREL__VERP_KEY"])
	}
	ref, err := bounce.Open(bounce.TokenFromAddress(from), keys)
	if err != nil {
		t.Fatal(err)
	}
	if want := (bounce.Ref{Brand: "kestrel", Delivery: "89abcdef01234567", Recipient: "reader@example.org"}); ref != want {
		t.Errorf("ref %+v, want %+v", ref, want)
	}
}

func TestSMTPReturnPathOffAndMisconfigured(t *testing.T) {
	srv := fakes.NewSMTP(t)
	pub := &publish.SMTPPublisher{TLS: srv.TLSConfig()}
	// Without return_path the envelope sender is the from address.
	if _, err := pub.Deliver(context.Background(), smtpJob(srv, "reader@example.org", map[string]string{})); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].From != "news@kestrel.example" {
		t.Fatalf("messages %+v", got)
	}
	// A key that is missing or too short stops the delivery before any
	// message goes out.
	for name, key := range map[string]string{"unset": "", "short": "short", "commas": ", ,"} {
		j := smtpJob(srv, "other@example.org", map[string]string{"CROSSCAST_KESTREL__VERP_KEY": key})
		j.Target.ReturnPath = "bounce@bounces.kestrel.example"
		j.Target.VERPKeyEnv = "CROSSCAST_KESTREL__VERP_KEY"
		if _, err := pub.Deliver(context.Background(), j); !publish.IsPermanent(err) {
			t.Errorf("%s key: %v, want a permanent error", name, err)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages; a misconfigured return path sent mail", n)
	}
}

// kept is a bounce.Recorder that keeps the events.
type kept struct{ evs []bounce.Event }

func (k *kept) Record(_ context.Context, evs []bounce.Event) error {
	k.evs = append(k.evs, evs...)
	return nil
}

// The whole way round: a message goes out with its VERP return path, the
// receiving server forwards it and the forward fails, the DSN comes back
// to the return path and is piped in: the event is about the address the
// message was sent to, in the delivery it was sent in.
func TestVERPBounceComesBack(t *testing.T) {
	srv := fakes.NewSMTP(t)
	env := map[string]string{"CROSSCAST_KESTREL__VERP_KEY": "verp-key-0123456789abcdef"}
	j := smtpJob(srv, "reader@example.org", env)
	j.Target.ReturnPath = "bounce@bounces.kestrel.example"
	j.Target.VERPKeyEnv = "CROSSCAST_KESTREL__VERP_KEY"
	if _, err := (&publish.SMTPPublisher{TLS: srv.TLSConfig()}).Deliver(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	returnPath := srv.Messages()[0].From
	dsn := "From: MAILER-DAEMON@mx.example.org\r\nTo: " + returnPath + "\r\nSubject: Undelivered Mail\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n" +
		"--r\r\nContent-Type: text/plain\r\n\r\nForwarding to old-job@corp.example failed.\r\n" +
		"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n" +
		"Final-Recipient: rfc822; old-job@corp.example\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n--r--\r\n"
	rec := &kept{}
	h := bounce.Handler(bounce.Config{Recorder: rec, PipeSecret: "s3cret", Keys: func(brand string) [][]byte {
		if brand != j.Brand.ID {
			return nil
		}
		return bounce.ParseKeys(env[j.Target.VERPKeyEnv])
	}})
	r := httptest.NewRequest(http.MethodPost, "/bounces/pipe", strings.NewReader(dsn))
	r.Header.Set("Authorization", "Bearer s3cret")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || len(rec.evs) != 1 {
		t.Fatalf("%d %s, events %+v", w.Code, w.Body, rec.evs)
	}
	e := rec.evs[0]
	if e.Kind != bounce.Hard || e.Address() != "reader@example.org" || e.Recipient != "old-job@corp.example" ||
		e.Brand != "kestrel" || e.Ref.Delivery != j.Delivery.KeyHash[:16] {
		t.Errorf("event %+v, ref %+v", e, e.Ref)
	}
}
