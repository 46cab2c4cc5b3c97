package bounce

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// collect is a Recorder that keeps what it is given.
type collect struct {
	mu  sync.Mutex
	evs []Event
	err error
}

func (c *collect) Record(_ context.Context, evs []Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.evs = append(c.evs, evs...)
	return nil
}

func (c *collect) take() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.evs
	c.evs = nil
	return out
}

func verpFor(t *testing.T, r Ref) string {
	t.Helper()
	tok, err := Sign(testKey, r)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func post(h http.Handler, path, body string, hdr http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	for k, v := range hdr {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func respond(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}}
}

// snsFixture is an SNS topic of the test's own: a signing key and its
// certificate, served at an SNS URL by a client that never leaves the
// process.
type snsFixture struct {
	key       *rsa.PrivateKey
	certURL   string
	topic     string
	now       time.Time
	mu        sync.Mutex
	fetches   int
	confirmed []string
	client    *http.Client
	// subscribeURL, if set, is signed as the SubscribeURL.
	subscribeURL string
}

func newSNSFixture(t *testing.T) *snsFixture {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 3, 7, 15, 0, 0, time.UTC)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	f := &snsFixture{key: key, now: now, topic: "arn:aws:sns:eu-west-1:123456789012:ses-bounces",
		certURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"}
	f.client = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case r.URL.String() == f.certURL:
			f.fetches++
			return respond(200, certPEM), nil
		case strings.Contains(r.URL.RawQuery, "Action=ConfirmSubscription"):
			f.confirmed = append(f.confirmed, r.URL.String())
			return respond(200, "<ConfirmSubscriptionResponse/>"), nil
		}
		return respond(404, ""), nil
	})}
	return f
}

// message builds a signed SNS body. The string to sign is written out
// here rather than taken from the code under test.
func (f *snsFixture) message(t *testing.T, typ, message string, version int, edit func(map[string]string)) string {
	m := map[string]string{
		"Type": typ, "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", "TopicArn": f.topic,
		"Message": message, "Timestamp": f.now.Add(-time.Minute).Format("2006-01-02T15:04:05.000Z"),
		"SignatureVersion": strconv.Itoa(version), "SigningCertURL": f.certURL,
	}
	var sts string
	if typ == "Notification" {
		m["Subject"] = "Amazon SES Email Event Notification"
		sts = "Message\n" + m["Message"] + "\nMessageId\n" + m["MessageId"] + "\nSubject\n" + m["Subject"] +
			"\nTimestamp\n" + m["Timestamp"] + "\nTopicArn\n" + m["TopicArn"] + "\nType\n" + m["Type"] + "\n"
	} else {
		m["Token"] = "2336412f37fb687f5d51e6e2425c464de12884c0"
		m["SubscribeURL"] = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + f.topic + "&Token=" + m["Token"]
		if f.subscribeURL != "" {
			m["SubscribeURL"] = f.subscribeURL
		}
		sts = "Message\n" + m["Message"] + "\nMessageId\n" + m["MessageId"] + "\nSubscribeURL\n" + m["SubscribeURL"] +
			"\nTimestamp\n" + m["Timestamp"] + "\nToken\n" + m["Token"] + "\nTopicArn\n" + m["TopicArn"] + "\nType\n" + m["Type"] + "\n"
	}
	var sig []byte
	var err error
	if version == 1 {
		d := sha1.Sum([]byte(sts))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA1, d[:])
	} else {
		d := sha256.Sum256([]byte(sts))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, d[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	m["Signature"] = base64.StdEncoding.EncodeToString(sig)
	if edit != nil {
		edit(m) // after signing: an edit is a tampering
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestSESViaSNS(t *testing.T) {
	f := newSNSFixture(t)
	rec := &collect{}
	h := Handler(Config{Recorder: rec, Keys: testKeys, SES: &SNS{Topics: []string{f.topic}, Client: f.client, Brand: "kestrel", Now: func() time.Time { return f.now }}})
	bounceMsg := readFile(t, "ses-bounce.json")

	for _, v := range []int{1, 2} {
		w := post(h, "/bounces/ses", f.message(t, "Notification", bounceMsg, v, nil), nil)
		if w.Code != 200 {
			t.Fatalf("SignatureVersion %d: %d %s", v, w.Code, w.Body)
		}
		evs := rec.take()
		if len(evs) != 2 || evs[0].Kind != Hard || evs[0].Recipient != "reader@example.org" || evs[0].Status != "5.1.1" ||
			evs[0].MessageID != "v3.field-notes.kestrel@kestrel.example" || evs[0].Brand != "kestrel" || evs[0].Provider != ProviderSES ||
			evs[0].Diagnostic != "550 5.1.1 user unknown" || evs[1].Recipient != "second@example.org" {
			t.Fatalf("SignatureVersion %d: events %+v", v, evs)
		}
	}
	if f.fetches != 1 {
		t.Errorf("certificate fetched %d times, want once (cached)", f.fetches)
	}

	// Sent through SES with a VERP return path: mail.source carries the
	// token.
	verp := verpFor(t, Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "full@example.com"})
	post(h, "/bounces/ses", f.message(t, "Notification", strings.ReplaceAll(readFile(t, "ses-transient.json"), "{{VERP}}", verp), 2, nil), nil)
	if evs := rec.take(); len(evs) != 1 || evs[0].Kind != Soft || evs[0].MessageID != "trail.v1@kestrel.example" || evs[0].Status != "4.2.2" ||
		evs[0].Ref == nil || evs[0].Ref.Delivery != "0123456789abcdef" {
		t.Errorf("transient: %+v", evs)
	}
	post(h, "/bounces/ses", f.message(t, "Notification", readFile(t, "ses-complaint.json"), 2, nil), nil)
	if evs := rec.take(); len(evs) != 1 || evs[0].Kind != Complaint || evs[0].Diagnostic != "abuse" || evs[0].MessageID != "ses-id-3" {
		t.Errorf("complaint: %+v", evs)
	}

	// The subscription is confirmed by fetching its SubscribeURL.
	if w := post(h, "/bounces/ses", f.message(t, "SubscriptionConfirmation", "You have chosen to subscribe", 1, nil), nil); w.Code != 200 {
		t.Fatalf("confirmation: %d", w.Code)
	}
	if len(f.confirmed) != 1 {
		t.Errorf("confirmed %q", f.confirmed)
	}

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, edit := range map[string]func(map[string]string){
		"message changed": func(m map[string]string) { m["Message"] = strings.Replace(m["Message"], "Reader@", "victim@", 1) },
		"topic not ours":  func(m map[string]string) { m["TopicArn"] = "arn:aws:sns:eu-west-1:999999999999:mine" },
		"cert on evil host": func(m map[string]string) {
			m["SigningCertURL"] = "https://sns.eu-west-1.amazonaws.com.evil.example/c.pem"
		},
		"cert over http": func(m map[string]string) {
			m["SigningCertURL"] = strings.Replace(m["SigningCertURL"], "https", "http", 1)
		},
		"cert with port": func(m map[string]string) { m["SigningCertURL"] = "https://sns.eu-west-1.amazonaws.com:8443/c.pem" },
		"cert not pem":   func(m map[string]string) { m["SigningCertURL"] = "https://sns.eu-west-1.amazonaws.com/c.txt" },
		"version 3":      func(m map[string]string) { m["SignatureVersion"] = "3" },
		"stale":          func(m map[string]string) { m["Timestamp"] = "2025-06-01T07:00:00.000Z" },
		"no signature":   func(m map[string]string) { delete(m, "Signature") },
		"other key": func(m map[string]string) {
			d := sha256.Sum256([]byte("anything"))
			s, _ := rsa.SignPKCS1v15(rand.Reader, other, crypto.SHA256, d[:])
			m["Signature"] = base64.StdEncoding.EncodeToString(s)
		},
	} {
		if w := post(h, "/bounces/ses", f.message(t, "Notification", bounceMsg, 2, edit), nil); w.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, w.Code)
		}
	}
	evil := f.message(t, "SubscriptionConfirmation", "x", 2, func(m map[string]string) {
		m["SubscribeURL"] = "https://169.254.169.254/latest/meta-data/"
	})
	if w := post(h, "/bounces/ses", evil, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("SubscribeURL changed: %d", w.Code)
	}
	// Even signed, a SubscribeURL off the SNS hosts is not fetched.
	f.subscribeURL = "https://169.254.169.254/latest/meta-data/?Action=ConfirmSubscription"
	if w := post(h, "/bounces/ses", f.message(t, "SubscriptionConfirmation", "x", 2, nil), nil); w.Code != http.StatusUnauthorized {
		t.Errorf("signed SubscribeURL off SNS: %d", w.Code)
	}
	if evs := rec.take(); len(evs) != 0 {
		t.Errorf("refused requests recorded %+v", evs)
	}
	if len(f.confirmed) != 1 {
		t.Errorf("confirmed %q", f.confirmed)
	}
}

func TestPostmark(t *testing.T) {
	rec := &collect{}
	h := Handler(Config{Recorder: rec, Postmark: &Postmark{Username: "postmark", Password: "hook-pass", Header: "X-Hook-Token", Token: "t0ken"}})
	ok := http.Header{"X-Hook-Token": {"t0ken"}, "Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("postmark:hook-pass"))}}
	w := post(h, "/bounces/postmark", readFile(t, "postmark-bounce.json"), ok)
	evs := rec.take()
	if w.Code != 200 || len(evs) != 1 || evs[0].Kind != Hard || evs[0].Recipient != "reader@example.org" || evs[0].Status != "5.1.1" ||
		evs[0].MessageID != "883953f4-6105-42a2-a16a-77a8eac79483" || evs[0].At.Format(time.RFC3339) != "2025-06-03T16:33:54Z" {
		t.Fatalf("%d %+v", w.Code, evs)
	}
	post(h, "/bounces/postmark", readFile(t, "postmark-spam.json"), ok)
	if evs := rec.take(); len(evs) != 1 || evs[0].Kind != Complaint {
		t.Errorf("spam: %+v", evs)
	}
	if w := post(h, "/bounces/postmark", readFile(t, "postmark-autoresponder.json"), ok); w.Code != 200 || len(rec.take()) != 0 {
		t.Errorf("auto-responder gave events")
	}
	for name, hdr := range map[string]http.Header{
		"no auth":        {"X-Hook-Token": {"t0ken"}},
		"wrong password": {"X-Hook-Token": {"t0ken"}, "Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("postmark:guess"))}},
		"wrong token":    {"X-Hook-Token": {"t0kem"}, "Authorization": ok["Authorization"]},
	} {
		if w := post(h, "/bounces/postmark", readFile(t, "postmark-bounce.json"), hdr); w.Code != 401 {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	// Configured with nothing: everything is refused.
	h2 := Handler(Config{Recorder: rec, Postmark: &Postmark{}})
	if w := post(h2, "/bounces/postmark", readFile(t, "postmark-bounce.json"), nil); w.Code != 401 {
		t.Errorf("no credentials configured: %d", w.Code)
	}
	if len(rec.take()) != 0 {
		t.Error("refused requests recorded events")
	}
}

func TestSendGrid(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	now := time.Unix(1748934900, 0)
	rec := &collect{}
	h := Handler(Config{Recorder: rec, SendGrid: &SendGrid{PublicKey: base64.StdEncoding.EncodeToString(der), Now: func() time.Time { return now }}})
	body := readFile(t, "sendgrid-events.json")
	sign := func(k *ecdsa.PrivateKey, ts, body string) http.Header {
		d := sha256.Sum256([]byte(ts + body))
		sig, err := ecdsa.SignASN1(rand.Reader, k, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return http.Header{sendGridSigHeader: {base64.StdEncoding.EncodeToString(sig)}, sendGridTSHeader: {ts}}
	}
	ts := strconv.FormatInt(now.Unix()-30, 10)
	w := post(h, "/bounces/sendgrid", body, sign(key, ts, body))
	evs := rec.take()
	if w.Code != 200 || len(evs) != 3 {
		t.Fatalf("%d %s %+v", w.Code, w.Body, evs)
	}
	if e := evs[0]; e.Kind != Hard || e.Recipient != "reader@example.org" || e.MessageID != "v3.field-notes.kestrel@kestrel.example" || e.Status != "5.1.1" {
		t.Errorf("bounce: %+v", e)
	}
	if e := evs[1]; e.Kind != Soft || e.Recipient != "blocked@example.net" {
		t.Errorf("blocked: %+v", e)
	}
	if e := evs[2]; e.Kind != Complaint || e.Recipient != "angry@example.com" {
		t.Errorf("spamreport: %+v", e)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	old := strconv.FormatInt(now.Add(-25*time.Hour).Unix(), 10)
	for name, hdr := range map[string]http.Header{
		"other key":      sign(other, ts, body),
		"body changed":   sign(key, ts, strings.Replace(body, "angry@", "victim@", 1)),
		"timestamp swap": {sendGridSigHeader: sign(key, ts, body)[sendGridSigHeader], sendGridTSHeader: {strconv.FormatInt(now.Unix(), 10)}},
		"stale":          sign(key, old, body),
		"unsigned":       {},
	} {
		if w := post(h, "/bounces/sendgrid", body, hdr); w.Code != 401 {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	if len(rec.take()) != 0 {
		t.Error("refused requests recorded events")
	}
}

func TestMailgun(t *testing.T) {
	const signingKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
	now := time.Unix(1748934900, 0)
	rec := &collect{}
	h := Handler(Config{Recorder: rec, Keys: testKeys, Mailgun: &Mailgun{SigningKey: signingKey, Brand: "kestrel", Now: func() time.Time { return now }}})
	verp := verpFor(t, Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"})
	sign := func(file, key, ts, token string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(ts + token))
		return strings.NewReplacer("{{TS}}", ts, "{{TOKEN}}", token, "{{SIG}}", hex.EncodeToString(m.Sum(nil)), "{{VERP}}", verp).Replace(readFile(t, file))
	}
	ts := strconv.FormatInt(now.Unix()-5, 10)
	body := sign("mailgun-failed.json", signingKey, ts, "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0")
	w := post(h, "/bounces/mailgun", body, nil)
	evs := rec.take()
	if w.Code != 200 || len(evs) != 1 || evs[0].Kind != Hard || evs[0].Recipient != "reader@example.org" || evs[0].Status != "5.1.1" ||
		evs[0].MessageID != "20250603071358.1.ABCDEF@mg.kestrel.example" || evs[0].Brand != "kestrel" || evs[0].Ref == nil {
		t.Fatalf("%d %+v", w.Code, evs)
	}
	if w := post(h, "/bounces/mailgun", body, nil); w.Code != 401 {
		t.Errorf("replayed token: %d", w.Code)
	}
	post(h, "/bounces/mailgun", sign("mailgun-complained.json", signingKey, ts, "b9df1fec3ee9412eff7d3516346695f56bb02e2f0a8a04a0f1"), nil)
	if evs := rec.take(); len(evs) != 1 || evs[0].Kind != Complaint || evs[0].Recipient != "angry@example.com" {
		t.Errorf("complained: %+v", evs)
	}
	for name, b := range map[string]string{
		"other key": sign("mailgun-failed.json", "key-guessed", ts, "c1"),
		"stale":     sign("mailgun-failed.json", signingKey, strconv.FormatInt(now.Add(-48*time.Hour).Unix(), 10), "c2"),
	} {
		if w := post(h, "/bounces/mailgun", b, nil); w.Code != 401 {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	if len(rec.take()) != 0 {
		t.Error("refused requests recorded events")
	}
}

func TestPipe(t *testing.T) {
	rec := &collect{}
	h := Handler(Config{Recorder: rec, Keys: testKeys, PipeSecret: "pipe-secret", Limits: Limits{MaxSize: 64 << 10}})
	ref := Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	msg := string(sample(t, "dsn-soft-expired.eml", ref))
	auth := http.Header{"Authorization": {"Bearer pipe-secret"}}
	w := post(h, "/bounces/pipe", msg, auth)
	evs := rec.take()
	if w.Code != 200 || len(evs) != 1 || evs[0].Kind != Soft || evs[0].Address() != "reader@example.org" ||
		evs[0].Recipient != "walker@hills.example" || evs[0].Ref == nil || evs[0].Ref.Delivery != "0123456789abcdef" {
		t.Fatalf("%d %s %+v", w.Code, w.Body, evs)
	}
	// A report that lost every trace of the VERP address: the mail
	// server's envelope recipient supplies it.
	tok, _ := Sign(testKey, ref)
	stripped := strings.NewReplacer("bounce+"+tok+"@", "bounces@").Replace(msg)
	hdr := http.Header{"Authorization": auth["Authorization"], "X-Envelope-To": {"bounce+" + tok + "@bounces.kestrel.example"}}
	if w := post(h, "/bounces/pipe", stripped, hdr); w.Code != 200 {
		t.Fatalf("%d", w.Code)
	}
	if evs := rec.take(); len(evs) != 1 || evs[0].Ref == nil || evs[0].Address() != "reader@example.org" {
		t.Fatalf("envelope token: %+v", evs)
	}
	// Anyone can mail the bounce address: a report whose token is
	// missing or forged names a victim and records nothing, unless the
	// installation runs without VERP and says so.
	forged, _ := Sign([]byte("attacker-key-0123456789"), Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "victim@example.org"})
	for name, m := range map[string]string{
		"no token":     stripped,
		"forged token": strings.ReplaceAll(msg, tok, forged),
	} {
		if w := post(h, "/bounces/pipe", m, auth); w.Code != 200 || !strings.Contains(w.Body.String(), `"events":0`) {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
		if evs := rec.take(); len(evs) != 0 {
			t.Errorf("%s recorded %+v", name, evs)
		}
	}
	lax := Handler(Config{Recorder: rec, Keys: testKeys, PipeSecret: "pipe-secret", AcceptUnsigned: true})
	if w := post(lax, "/bounces/pipe", stripped, auth); w.Code != 200 {
		t.Fatalf("%d", w.Code)
	}
	if evs := rec.take(); len(evs) != 1 || evs[0].Ref != nil || evs[0].Address() != "walker@hills.example" {
		t.Errorf("AcceptUnsigned: %+v", evs)
	}
	if w := post(h, "/bounces/pipe", string(sample(t, "not-report.eml", ref)), auth); w.Code != 200 || !strings.Contains(w.Body.String(), "ignored") {
		t.Errorf("auto-reply: %d %s", w.Code, w.Body)
	}
	if w := post(h, "/bounces/pipe", msg, http.Header{"Authorization": {"Bearer guess"}}); w.Code != 401 {
		t.Errorf("wrong secret: %d", w.Code)
	}
	if w := post(h, "/bounces/pipe", msg+strings.Repeat("x", 64<<10), auth); w.Code != 413 {
		t.Errorf("too large: %d", w.Code)
	}
	if w := post(h, "/bounces/unknown", msg, auth); w.Code != 404 {
		t.Errorf("unknown provider: %d", w.Code)
	}
	if len(rec.take()) != 0 {
		t.Error("refused requests recorded events")
	}
	// The recorder failing: 500, so the sender tries again.
	rec.err = errors.New("store is away")
	if w := post(h, "/bounces/pipe", msg, auth); w.Code != 500 {
		t.Errorf("recorder failure: %d", w.Code)
	}
	// The pipe is off without a secret.
	if w := post(Handler(Config{Recorder: rec}), "/bounces/pipe", msg, http.Header{"Authorization": {"Bearer "}}); w.Code != 404 {
		t.Errorf("pipe without secret: %d", w.Code)
	}
}
