package publish_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/fakes"
	"github.com/crosscast/crosscast/publish"
)

// Every request to a non-public address is refused before a byte is
// sent, with an error that says what was refused and how to allow it.
func TestGuardRefusesPrivateAddresses(t *testing.T) {
	hits := 0
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer local.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(local.URL, "http://"))
	// A server the brand allowed (127.0.0.1) that redirects to a host it
	// did not (localhost, which resolves to loopback).
	redirector := httptest.NewServer(http.RedirectHandler("http://localhost:"+port+"/x", http.StatusFound))
	defer redirector.Close()

	cases := []struct{ name, url, want string }{
		{"IPv4 loopback", local.URL + "/hook", "127.0.0.1 is a loopback address"},
		{"IPv6 loopback", "http://[::1]:" + port + "/hook", "::1 is a loopback address"},
		{"private 10/8", "http://10.1.2.3/hook", "10.1.2.3 is a private address"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"},
		{"name resolving to loopback", "http://localhost:" + port + "/hook", "localhost resolves to"},
		{"redirect to loopback", redirector.URL + "/go", "localhost resolves to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var allow []string
			if c.name == "redirect to loopback" {
				allow = []string{"127.0.0.1"}
			}
			w := &publish.Webhook{URL: c.url, Secret: []byte("0123456789abcdef0123"), Client: publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: allow, Timeout: 5 * time.Second})}
			err := w.Send(context.Background(), "msg_1", []byte(`{}`))
			if err == nil {
				t.Fatal("the request went through")
			}
			if !errors.Is(err, publish.ErrForbiddenAddress) || !publish.IsPermanent(err) {
				t.Errorf("error %v: want ErrForbiddenAddress, permanent", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "allow_hosts") {
				t.Errorf("error %q does not say %q and how to allow it", err, c.want)
			}
		})
	}
	if hits != 0 {
		t.Errorf("the loopback server was reached %d times", hits)
	}
	// The same server, explicitly allowed, is reached.
	w := &publish.Webhook{URL: local.URL, Secret: []byte("0123456789abcdef0123"), Client: publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: []string{"127.0.0.1"}})}
	if err := w.Send(context.Background(), "msg_1", []byte(`{}`)); err != nil || hits != 1 {
		t.Errorf("allowed host: err %v, hits %d", err, hits)
	}
}

// A response larger than the limit is an error, not a truncated read.
func TestGuardLimitsResponseSize(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 5000))
	}))
	defer srv.Close()
	c := publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: []string{"127.0.0.1"}, MaxBody: 1000})
	m := &publish.Mastodon{Instance: srv.URL, Client: c}
	if _, err := m.Limit(context.Background()); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("Limit over a 5000-byte answer with a 1000-byte cap: %v", err)
	}
}

// The Standard Webhooks specification's own example.
func TestSignMatchesTheSpecification(t *testing.T) {
	secret, err := publish.DecodeSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := publish.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bm9wZQ== "+got)
	if err := publish.Verify(secret, h, []byte(`{"test": 2432232314}`), time.Unix(1614265330, 0), time.Minute); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if err := publish.Verify(secret, h, []byte(`{"test": 1}`), time.Unix(1614265330, 0), time.Minute); err == nil {
		t.Error("Verify accepted a changed body")
	}
	if err := publish.Verify(secret, h, []byte(`{"test": 2432232314}`), time.Unix(1614265330, 0).Add(time.Hour), time.Minute); err == nil {
		t.Error("Verify accepted a stale timestamp")
	}
}

// Retries after a 500 and after a timeout (the receiver got it but the
// answer was lost) carry the same webhook-id, so the receiver keeps one.
func TestWebhookRetriesKeepTheID(t *testing.T) {
	secret := []byte("a-webhook-secret-of-some-length")
	rcv := fakes.NewWebhook(secret)
	defer rcv.Close()
	rcv.Inject(fakes.Fail500, fakes.TimeoutAfter)
	w := &publish.Webhook{URL: rcv.URL, Secret: secret, Client: publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: []string{"127.0.0.1"}, Timeout: 300 * time.Millisecond})}
	var errs []error
	for range 5 {
		err := w.Send(context.Background(), "msg_same", []byte(`{"n":1}`))
		if err == nil {
			break
		}
		if publish.IsPermanent(err) {
			t.Fatalf("a 500 or a timeout is not permanent: %v", err)
		}
		errs = append(errs, err)
	}
	if len(errs) != 2 {
		t.Errorf("want 2 failed attempts before success, got %v", errs)
	}
	ids, _ := rcv.Messages()
	if len(ids) != 1 || rcv.Attempts != 3 {
		t.Errorf("receiver kept %d messages from %d attempts, want 1 from 3", len(ids), rcv.Attempts)
	}
	if v := rcv.Violations(); len(v) > 0 {
		t.Errorf("contract violations: %v", v)
	}
}

// untilSent retries send the way a task would: again after a temporary
// failure, a few times at most, never after a permanent one.
func untilSent(t *testing.T, send func() error) {
	t.Helper()
	var err error
	for attempt := 0; attempt < 6; attempt++ {
		if err = send(); err == nil || publish.IsPermanent(err) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func testClient() *http.Client {
	return publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: []string{"127.0.0.1"}, Timeout: 500 * time.Millisecond})
}

// A thread goes out as replies in order, the first with the card and its
// alt text, each status exactly once under injected failures.
func TestMastodonThread(t *testing.T) {
	m := fakes.NewMastodon(500)
	defer m.Close()
	m.Statuses.Inject(fakes.Fail500, 0, fakes.TimeoutAfter)
	c := &publish.Mastodon{Instance: m.URL, Token: m.Token, Client: testClient(), Poll: time.Millisecond}
	ctx := context.Background()
	if lim, err := c.Limit(ctx); err != nil || lim != 500 {
		t.Fatalf("Limit = %d, %v", lim, err)
	}
	id, err := c.UploadMedia(ctx, "card.jpg", []byte("jpeg"), "Five days on the Kungsleden — a trail in snow")
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"1/3 First https://kestrel.example/a/?utm_source=mastodon", "2/3 Second", "3/3 Third"}
	var posted []publish.Posted
	untilSent(t, func() (err error) {
		posted, err = c.PostThread(ctx, texts, "en", []string{id}, "key-1")
		return err
	})
	got := m.Posts()
	if len(got) != 3 || len(posted) != 3 {
		t.Fatalf("%d statuses created, %d reported; want 3 (attempts %d)", len(got), len(posted), m.Attempts)
	}
	for i, p := range got {
		if p.Text != texts[i] || p.Language != "en" {
			t.Errorf("status %d = %+v", i, p)
		}
		if i == 0 && (len(p.MediaIDs) != 1 || p.InReplyTo != "") {
			t.Errorf("first status: media %v, reply to %q", p.MediaIDs, p.InReplyTo)
		}
		if i > 0 && (p.InReplyTo != got[i-1].ID || len(p.MediaIDs) != 0) {
			t.Errorf("status %d replies to %q, want %q", i, p.InReplyTo, got[i-1].ID)
		}
	}
	if md := m.Media(id); md == nil || md.Description != "Five days on the Kungsleden — a trail in snow" {
		t.Errorf("media alt text: %+v", md)
	}
	if v := m.Violations(); len(v) > 0 {
		t.Errorf("contract violations: %v", v)
	}
}

// A thread is posted with facets at the right byte offsets, the card as
// an uploaded thumbnail, and replies naming root and parent; a lost
// answer and a 500 repeat no post.
func TestBlueskyThread(t *testing.T) {
	pds := fakes.NewBluesky()
	defer pds.Close()
	pds.Create.Inject(0, fakes.TimeoutAfter, fakes.Fail500)
	b := &publish.Bluesky{Service: pds.URL, Identifier: pds.Handle, Password: pds.Password, Client: testClient()}
	first := "Fjällstugan — five days 🥾 kestrel.example/a… #KestrelOutdoors"
	link := strings.Index(first, "kestrel.example/a…")
	tag := strings.Index(first, "#KestrelOutdoors")
	posts := []publish.BlueskyPost{
		{Text: first, Facets: []publish.BlueskyFacet{
			{ByteStart: link, ByteEnd: link + len("kestrel.example/a…"), URI: "https://kestrel.example/a/?utm_source=bluesky"},
			{ByteStart: tag, ByteEnd: tag + len("#KestrelOutdoors"), Tag: "KestrelOutdoors"},
		}},
		{Text: "2/3 the second"},
		{Text: "3/3 the third"},
	}
	embed := &publish.BlueskyEmbed{URI: "https://kestrel.example/a/", Title: "Five days", Description: "A trail", Thumb: noisyJPEG(t, 300)}
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var posted []publish.Posted
	untilSent(t, func() (err error) {
		posted, err = b.PostThread(context.Background(), posts, "sv", embed, "item/1/social/bluesky", at)
		return err
	})
	recs := pds.Records()
	if len(recs) != 3 || len(posted) != 3 {
		t.Fatalf("%d records, %d reported; want 3", len(recs), len(posted))
	}
	for i, r := range recs {
		if r.Record["text"] != posts[i].Text {
			t.Errorf("record %d text %q", i, r.Record["text"])
		}
		if i > 0 {
			reply := r.Record["reply"].(map[string]any)
			root := reply["root"].(map[string]any)["uri"]
			parent := reply["parent"].(map[string]any)["uri"]
			if root != recs[0].URI || parent != recs[i-1].URI {
				t.Errorf("record %d: root %v parent %v", i, root, parent)
			}
		}
	}
	if _, ok := recs[0].Record["embed"]; !ok {
		t.Error("first post has no link card")
	}
	if !strings.HasPrefix(posted[0].URL, "https://bsky.app/profile/"+pds.DID+"/post/") {
		t.Errorf("post URL %q", posted[0].URL)
	}
	if v := pds.Violations(); len(v) > 0 {
		t.Errorf("contract violations: %v", v)
	}
	// The record keys are TIDs derived from the key: the same on a retry,
	// different for another delivery.
	if k1, again := publish.TID(at, "k1"), publish.TID(at.Add(0), "k1"); k1 != again || k1 == publish.TID(at, "k2") {
		t.Error("TID is not a function of (time, key)")
	}
}

func noisyJPEG(t *testing.T, side int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A thumbnail over Bluesky's limit is re-encoded under it.
func TestFitJPEG(t *testing.T) {
	big := noisyJPEG(t, 1400)
	if len(big) <= publish.BlobLimit {
		t.Fatalf("test image is only %d bytes", len(big))
	}
	small, err := publish.FitJPEG(big, publish.BlobLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(small) > publish.BlobLimit {
		t.Errorf("%d bytes, over %d", len(small), publish.BlobLimit)
	}
	if _, err := jpeg.Decode(bytes.NewReader(small)); err != nil {
		t.Errorf("result does not decode: %v", err)
	}
	same, _ := publish.FitJPEG(small, publish.BlobLimit)
	if !bytes.Equal(same, small) {
		t.Error("an image under the limit was re-encoded")
	}
}

// Over STARTTLS with AUTH: a 451 is temporary and the retry delivers
// exactly one message; a 550 recipient is permanent.
func TestSMTPSubmission(t *testing.T) {
	srv := fakes.NewSMTP(t)
	srv.Fail451 = 1
	srv.Reject550["gone@example.net"] = true
	host, port, _ := net.SplitHostPort(srv.Addr)
	s := &publish.SMTP{Host: host, Port: mustAtoi(t, port), Username: srv.Username, Password: srv.Password, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
	ctx := context.Background()
	conn, err := s.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	msg := []byte("From: <news@kestrel.example>\r\nTo: <ann@example.net>\r\nSubject: Hi\r\n\r\nHello.\r\n")
	err = conn.Send("news@kestrel.example", "ann@example.net", msg)
	if err == nil || publish.IsPermanent(err) || publish.SMTPCode(err) != 451 {
		t.Fatalf("first send: %v; want a temporary 451", err)
	}
	if err := conn.Send("news@kestrel.example", "ann@example.net", msg); err != nil {
		t.Fatalf("retry: %v", err)
	}
	err = conn.Send("news@kestrel.example", "gone@example.net", msg)
	if !publish.IsPermanent(err) || publish.SMTPCode(err) != 550 {
		t.Errorf("550 recipient: %v; want permanent", err)
	}
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || got[0].User != srv.Username || got[0].To[0] != "ann@example.net" {
		t.Fatalf("server got %+v; want one message over TLS after AUTH", got)
	}
	// Wrong password: permanent, and no mail goes out.
	bad := *s
	bad.Password = "nope"
	if _, err := bad.Dial(ctx); !publish.IsPermanent(err) {
		t.Errorf("bad password: %v; want permanent", err)
	}
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Site writes are atomic renames inside the brand's folder; paths that
// leave it are refused.
func TestSiteWrites(t *testing.T) {
	s := &publish.Site{Root: t.TempDir()}
	if err := s.Write("kestrel", []publish.File{{Name: "/a/index.html", Data: []byte("<p>one</p>")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Write("kestrel", []publish.File{{Name: "a/index.html", Data: []byte("<p>two</p>")}}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(s.Root, "kestrel", "a", "index.html"))
	if err != nil || string(got) != "<p>two</p>" {
		t.Errorf("page = %q, %v", got, err)
	}
	left, _ := filepath.Glob(filepath.Join(s.Root, "kestrel", "a", ".tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	for _, bad := range []string{"../x", "a/../../x"} {
		if err := s.Write("kestrel", []publish.File{{Name: bad, Data: nil}}); err == nil {
			t.Errorf("%q was written", bad)
		}
	}
	if err := s.Remove("kestrel", "/"); err == nil {
		t.Error("removing the whole site was allowed")
	}
	if err := s.Remove("kestrel", "/a/"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Root, "kestrel", "a")); !os.IsNotExist(err) {
		t.Errorf("removed page still there: %v", err)
	}
}

// The envelope takes one bare address each way, as the headers do: a
// list or a display name is refused before anything reaches the server.
func TestSMTPEnvelopeOneAddress(t *testing.T) {
	srv := fakes.NewSMTP(t)
	host, port, _ := net.SplitHostPort(srv.Addr)
	s := &publish.SMTP{Host: host, Port: mustAtoi(t, port), Username: srv.Username, Password: srv.Password, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
	conn, err := s.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	msg := []byte("From: <news@kestrel.example>\r\nSubject: Hi\r\n\r\nHello.\r\n")
	for _, env := range [][2]string{
		{"news@kestrel.example,b@evil.example", "ann@example.net"},
		{"news@kestrel.example", "ann@example.net, bob@example.net"},
		{"news@kestrel.example", "Ann <ann@example.net>"},
		{"news@kestrel.example", "ann@example.net\u2028"},
	} {
		if err := conn.Send(env[0], env[1], msg); !publish.IsPermanent(err) {
			t.Errorf("MAIL FROM %q RCPT TO %q: %v; want a permanent refusal", env[0], env[1], err)
		}
	}
	if got := srv.Messages(); len(got) != 0 {
		t.Errorf("the server got %d messages", len(got))
	}
}
