package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/bounce"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/store"
)

const (
	verpKey     = "verp-test-key-0123456789abcdef"
	pipeSecret  = "pipe-secret-0123456789"
	mailgunKey  = "mailgun-signing-key-for-tests"
	bounceBase  = "bounce@bounces.kestrel.example"
	verpKeyName = "CROSSCAST_KESTREL__VERP_KEY"
)

// bounceEnv is kestrel with the email renderer, its newsletter sent
// with VERP return paths, and the bounce endpoints over the service.
func bounceEnv(t *testing.T, s pipetest.Setup) (*env, *targets, http.Handler) {
	tg := newTargets(t)
	tg.Env[verpKeyName] = verpKey
	er, err := email.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pipetest.NewWith(t, s, tg.configure, er)}
	dir := tg.BrandKit(t, publicURL, "")
	yaml := filepath.Join(dir, "brand.yaml")
	b, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("    to: subscribers\n"), []byte("    to: subscribers\n    return_path: "+bounceBase+"\n    verp_key_env: "+verpKeyName+"\n"), 1)
	if err := os.WriteFile(yaml, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Service.ImportBrand(context.Background(), dir, "test"); err != nil {
		t.Fatal(err)
	}
	h := bounce.Handler(bounce.Config{
		Recorder:   e.Service.Bounces(bounce.Policy{SoftLimit: 3, Window: 14 * 24 * time.Hour}),
		Keys:       e.Service.VERPKeys,
		PipeSecret: pipeSecret,
		Mailgun:    &bounce.Mailgun{SigningKey: mailgunKey},
	})
	return e, tg, h
}

// dsn is a delivery status notification to returnPath about rcpt's
// copy of message msgID, with an RFC 3463 status.
func dsn(returnPath, rcpt, msgID, status string) string {
	date := time.Now().UTC().Format(time.RFC1123Z)
	// A 4.x.x failure is soft: the server gave up retrying a temporary
	// error (a delayed report is no bounce at all).
	action := "failed"
	return strings.ReplaceAll(`From: MAILER-DAEMON@mx.example.org
To: `+returnPath+`
Subject: Delivery Status Notification
Date: `+date+`
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="rpt"

--rpt
Content-Type: text/plain

Your message to `+rcpt+` could not be delivered.

--rpt
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; `+rcpt+`
Action: `+action+`
Status: `+status+`
Diagnostic-Code: smtp; `+strings.ReplaceAll(status, ".", "")[:3]+` `+status+` mailbox trouble

--rpt
Content-Type: text/rfc822-headers

Return-Path: <`+returnPath+`>
From: Kestrel Outdoor <news@kestrel.example>
To: `+rcpt+`
Message-ID: <`+msgID+`>

--rpt--
`, "\n", "\r\n")
}

func post(t *testing.T, h http.Handler, path string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func pipe(t *testing.T, h http.Handler, raw, envelopeTo string) string {
	t.Helper()
	code, body := post(t, h, "/bounces/pipe", []byte(raw), map[string]string{"Authorization": "Bearer " + pipeSecret, "X-Envelope-To": envelopeTo})
	if code != http.StatusOK {
		t.Fatalf("pipe: %d %s", code, body)
	}
	return body
}

func subStatus(t *testing.T, db *store.DB, addr string) (string, []store.Consent) {
	t.Helper()
	sbs, err := db.Subscribers(context.Background(), "kestrel", store.SubscriberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := db.Consents(context.Background(), "kestrel", addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, sb := range sbs {
		if sb.Address == addr {
			return sb.Status, cs
		}
	}
	t.Fatalf("%s is not on the list", addr)
	return "", nil
}

// A newsletter goes out with VERP return paths; a hard DSN piped back
// bounces its recipient (once, however often it comes), a signed Mailgun
// complaint suppresses another, and a forged report changes nothing.
func TestBouncesEndToEnd(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e, tg, h := bounceEnv(t, s)
			ctx := context.Background()
			for _, a := range []string{"ann@example.net", "bob@example.net", "cat@example.net"} {
				addActive(t, e.DB, a)
			}
			e.Start(t)
			id := submitKungsleden(t, e)
			if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "deliveries final", deliveriesFinal(e, id))
			from := map[string]string{}
			for _, m := range tg.SMTP.Messages() {
				from[m.To[0]] = m.From
			}
			if len(from) != 3 || !strings.HasPrefix(from["ann@example.net"], "bounce+") || from["ann@example.net"] == from["bob@example.net"] {
				t.Fatalf("envelope senders: %v", from)
			}

			// A forged report (no token, then a made-up one) about cat.
			for _, to := range []string{bounceBase, "bounce+" + strings.Repeat("a", 40) + "@bounces.kestrel.example"} {
				if body := pipe(t, h, dsn(to, "cat@example.net", "x@kestrel.example", "5.1.1"), to); !strings.Contains(body, `"events":0`) {
					t.Errorf("forged report recorded: %s", body)
				}
			}
			if st, cs := subStatus(t, e.DB, "cat@example.net"); st != store.SubActive || len(cs) != 1 {
				t.Errorf("after forged reports cat is %s with %d consent records", st, len(cs))
			}

			// Ann's hard bounce, piped twice.
			raw := dsn(from["ann@example.net"], "ann@example.net", "k1@kestrel.example", "5.1.1")
			for range 2 {
				if body := pipe(t, h, raw, from["ann@example.net"]); !strings.Contains(body, `"events":1`) {
					t.Errorf("hard bounce: %s", body)
				}
			}
			st, cs := subStatus(t, e.DB, "ann@example.net")
			if st != store.SubBounced || len(cs) != 2 {
				t.Fatalf("ann is %s with consent records %+v", st, cs)
			}
			if c := cs[1]; c.Source != store.ConsentBounce || c.Status != store.SubBounced || !strings.Contains(c.Wording, "5.1.1") || !strings.Contains(c.Wording, "dsn") {
				t.Errorf("ann's bounce record: %+v", c)
			}
			ds, _ := e.DB.Deliveries(ctx, id, 0)
			var marked []string
			for _, d := range ds {
				rs, _ := e.DB.DeliveryRecipients(ctx, &d)
				for _, r := range rs {
					marked = append(marked, r.Address+"="+r.Status)
				}
			}
			if got := strings.Join(marked, " "); !strings.Contains(got, "ann@example.net=bounced") || strings.Contains(got, "bob@example.net=bounced") {
				t.Errorf("ledger: %s", got)
			}

			// Bob's complaint through a signed Mailgun webhook; a wrong
			// signature is refused first.
			body := mailgunComplaint(t, "bob@example.net", from["bob@example.net"], "tok-1", mailgunKey)
			if code, _ := post(t, h, "/bounces/mailgun", mailgunComplaint(t, "bob@example.net", from["bob@example.net"], "tok-0", "wrong-key"), nil); code != http.StatusUnauthorized {
				t.Errorf("wrong Mailgun signature: %d", code)
			}
			if st, _ := subStatus(t, e.DB, "bob@example.net"); st != store.SubActive {
				t.Errorf("bob is %s after a refused webhook", st)
			}
			if code, resp := post(t, h, "/bounces/mailgun", body, nil); code != http.StatusOK {
				t.Fatalf("Mailgun: %d %s", code, resp)
			}
			st, cs = subStatus(t, e.DB, "bob@example.net")
			if st != store.SubComplained || len(cs) != 2 || cs[1].Source != store.ConsentBounce || !strings.Contains(cs[1].Wording, "mailgun") {
				t.Errorf("bob is %s with consent records %+v", st, cs)
			}
		})
	}
}

func mailgunComplaint(t *testing.T, rcpt, sender, token, key string) []byte {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(ts + token))
	b, err := json.Marshal(map[string]any{
		"signature": map[string]string{"timestamp": ts, "token": token, "signature": hex.EncodeToString(mac.Sum(nil))},
		"event-data": map[string]any{
			"event": "complained", "recipient": rcpt, "timestamp": float64(time.Now().Unix()),
			"envelope": map[string]string{"sender": sender},
			"message":  map[string]any{"headers": map[string]string{"message-id": "k1@kestrel.example"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Three soft bounces of three messages within the window suppress; two
// do not, and the same report twice counts once.
func TestSoftBounces(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			e, _, h := bounceEnv(t, s)
			for _, a := range []string{"dan@example.net", "eve@example.net"} {
				addActive(t, e.DB, a)
			}
			rp := func(addr string) string {
				p, err := bounce.ReturnPath(bounceBase, []byte(verpKey), bounce.Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: addr})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			soft := func(addr string, n int) {
				raw := dsn(rp(addr), addr, fmt.Sprintf("m%d@kestrel.example", n), "4.2.2")
				pipe(t, h, raw, rp(addr))
			}
			soft("dan@example.net", 1)
			soft("dan@example.net", 1) // the same report again
			soft("dan@example.net", 2)
			if st, _ := subStatus(t, e.DB, "dan@example.net"); st != store.SubActive {
				t.Errorf("dan, two soft bounces: %s", st)
			}
			if n, _ := e.DB.SoftBounceCount(context.Background(), "kestrel", "dan@example.net"); n != 2 {
				t.Errorf("dan: %d soft bounces kept, want 2", n)
			}
			for i := 1; i <= 3; i++ {
				soft("eve@example.net", i)
			}
			st, cs := subStatus(t, e.DB, "eve@example.net")
			if st != store.SubBounced || len(cs) != 2 || cs[1].Source != store.ConsentBounce || !strings.Contains(cs[1].Wording, "3 soft bounces") {
				t.Errorf("eve, three soft bounces: %s, %+v", st, cs)
			}
		})
	}
}

// An ESP's complaint about mail sent without VERP names no brand: it
// suppresses the address on the list it is on, and a webhook replayed
// is refused.
func TestComplaintWithoutToken(t *testing.T) {
	e, _, h := bounceEnv(t, setups[0])
	addActive(t, e.DB, "fay@example.net")
	body := mailgunComplaint(t, "fay@example.net", "news@kestrel.example", "tok-9", mailgunKey)
	if code, resp := post(t, h, "/bounces/mailgun", body, nil); code != http.StatusOK || !strings.Contains(resp, `"events":1`) {
		t.Fatalf("Mailgun: %d %s", code, resp)
	}
	if st, cs := subStatus(t, e.DB, "fay@example.net"); st != store.SubComplained || len(cs) != 2 {
		t.Errorf("fay is %s with %d consent records", st, len(cs))
	}
	if code, _ := post(t, h, "/bounces/mailgun", body, nil); code != http.StatusUnauthorized {
		t.Errorf("a replayed webhook: %d", code)
	}
}

var _ bounce.Recorder = (*app.Bounces)(nil)
