package publish_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
)

// plainLinks leaves links as they are.
type plainLinks struct{ saved int }

func (*plainLinks) URL(u string) string              { return u }
func (l *plainLinks) Save(ctx context.Context) error { l.saved++; return nil }

// webhookJob is a portal page delivered to a webhook receiver at url.
func webhookJob(url string) publish.Job {
	return publish.Job{
		Delivery: publish.Delivery{
			ItemID: "it_1", Version: 3, Channel: content.ChanPortal,
			Key: "it_1/3/portal/hook/", KeyHash: "0123456789abcdef",
		},
		Target: content.Target{
			ID: "hook", Kind: content.TargetWebhook, Channel: content.ChanPortal, URL: url,
			SecretEnv: "HOOK_SECRET", AllowHosts: []string{"127.0.0.1"},
		},
		Brand:     &content.Brand{ID: "kestrel"},
		Item:      &content.Item{FrontMatter: content.FrontMatter{Title: "Five days on the Kungsleden"}},
		Links:     &content.LinkPlan{Canonical: "https://kestrel.example/en/kungsleden/"},
		PublishAt: time.Date(2026, 1, 20, 9, 30, 0, 0, time.FixedZone("CET", 3600)),
		File: func(ctx context.Context, channel, name string) ([]byte, error) {
			if channel != content.ChanPortal || name != "index.html" {
				return nil, publish.ErrPermanentf("the %s rendering has no %s", channel, name)
			}
			return []byte("<h1>Kungsleden</h1>\n"), nil
		},
		Secret: func(name string) string {
			if name == "HOOK_SECRET" {
				return "0123456789abcdef0123"
			}
			return ""
		},
		Track: &plainLinks{},
		Now:   func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) },
	}
}

// receiver records webhook bodies and counts the connections made to it.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	conns  int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
	}))
	r.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.mu.Lock()
			r.conns++
			r.mu.Unlock()
		}
	}
	r.Start()
	t.Cleanup(r.Close)
	return r
}

// The webhook body is a public format: receivers parse it. This pins it
// byte for byte.
func TestWebhookBodyFormat(t *testing.T) {
	rcv := newReceiver(t)
	pub := &publish.WebhookPublisher{Clients: publish.NewClients(nil, 0)}
	j := webhookJob(rcv.URL + "/hook")
	posted, err := pub.Deliver(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	if posted.ID != "msg_0123456789abcdef" {
		t.Errorf("posted %+v, want the webhook-id msg_<key hash>", posted)
	}
	if j.Track.(*plainLinks).saved != 1 {
		t.Error("tracked links not saved before sending")
	}
	want := `{"type":"item.published","timestamp":"2026-01-20T08:30:00Z","data":{"item_id":"it_1","version":3,"channel":"portal","target":"hook","url":"https://kestrel.example/en/kungsleden/","payload":{"html":"\u003ch1\u003eKungsleden\u003c/h1\u003e\n","title":"Five days on the Kungsleden"}}}`
	if len(rcv.bodies) != 1 || rcv.bodies[0] != want {
		t.Errorf("webhook bodies:\n%q\nwant\n%q", rcv.bodies, want)
	}
}

// Two deliveries to the same target share one client, and so one
// connection.
func TestDeliveriesReuseConnections(t *testing.T) {
	rcv := newReceiver(t)
	pub := &publish.WebhookPublisher{Clients: publish.NewClients(nil, 0)}
	for range 2 {
		if _, err := pub.Deliver(context.Background(), webhookJob(rcv.URL+"/hook")); err != nil {
			t.Fatal(err)
		}
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 2 || rcv.conns != 1 {
		t.Errorf("%d messages over %d connections, want 2 over 1", len(rcv.bodies), rcv.conns)
	}
}

// A client is kept per allow-list, whatever its order, and the cache
// stays within its bound.
func TestClientsPerAllowList(t *testing.T) {
	made := 0
	c := publish.NewClients(func(allow []string) *http.Client {
		made++
		return publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: allow})
	}, 2)
	a := c.For([]string{"hooks.lan", "10.0.0.7"})
	if b := c.For([]string{"10.0.0.7", "hooks.lan", "10.0.0.7"}); b != a {
		t.Error("the same hosts in another order got another client")
	}
	if c.For(nil) == a {
		t.Error("an empty allow-list got the client of another")
	}
	c.For([]string{"other.lan"}) // over the bound: one is dropped
	if made != 3 {
		t.Errorf("%d clients made, want 3", made)
	}
	// Of the first two lists one was dropped and is made again (and
	// making it may drop the other).
	c.For(nil)
	c.For([]string{"hooks.lan", "10.0.0.7"})
	if made != 4 && made != 5 {
		t.Errorf("%d clients made, want 4 or 5", made)
	}
}

// Every target kind has its publisher, and a second one for a kind is
// refused.
func TestPublishersByKind(t *testing.T) {
	clients := publish.NewClients(nil, 0)
	ps := publish.NewPublishers(
		&publish.SitePublisher{}, &publish.SMTPPublisher{}, &publish.MastodonPublisher{Clients: clients},
		&publish.BlueskyPublisher{Clients: clients}, &publish.WebhookPublisher{Clients: clients},
	)
	for _, kind := range []string{content.TargetSite, content.TargetSMTP, content.TargetMastodon, content.TargetBluesky, content.TargetWebhook} {
		if p, ok := ps.Lookup(kind); !ok || p.Kind() != kind {
			t.Errorf("%s: %v, %v", kind, p, ok)
		}
	}
	if _, ok := ps.Lookup("carrier-pigeon"); ok {
		t.Error("an unknown kind has a publisher")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "two publishers") {
			t.Errorf("recovered %v", r)
		}
	}()
	publish.NewPublishers(&publish.SMTPPublisher{}, &publish.SMTPPublisher{})
}

// A secret a target names but the worker lacks is a permanent error
// that names it.
func TestMissingSecretIsPermanent(t *testing.T) {
	j := webhookJob("https://hooks.example/x")
	j.Secret = func(string) string { return "" }
	_, err := (&publish.WebhookPublisher{Clients: publish.NewClients(nil, 0)}).Deliver(context.Background(), j)
	if !publish.IsPermanent(err) || !strings.Contains(err.Error(), "secret_env names HOOK_SECRET") {
		t.Errorf("got %v", err)
	}
}
