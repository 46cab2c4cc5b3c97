package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/fakes"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/store"
)

// targets are the fake publishing targets of one test and the site
// folder it publishes to.
type targets struct {
	*fakes.Targets
	site string
}

const publicURL = "https://cc.kestrel.example"

func newTargets(t *testing.T) *targets {
	return &targets{Targets: fakes.NewTargets(t, 600), site: t.TempDir()}
}

func (tg *targets) configure(c *app.Config) {
	c.Site = &publish.Site{Root: tg.site}
	c.PublicURL = publicURL
	c.Getenv = func(k string) string { return tg.Env[k] }
	c.SMTPTLS = tg.SMTP.TLSConfig()
	c.HTTPClient = func(allow []string) *http.Client {
		return publish.NewHTTPClient(publish.HTTPOptions{AllowHosts: allow, Timeout: 500 * time.Millisecond})
	}
}

func publishEnv(t *testing.T, s pipetest.Setup, tg *targets) *env {
	cache := &images.Cache{}
	cr, err := catalog.New(cache)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := social.New(cache)
	if err != nil {
		t.Fatal(err)
	}
	er, err := email.New(cache)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pipetest.NewWith(t, s, tg.configure, cr, sr, er)}
	if _, _, err := e.Service.ImportBrand(context.Background(), tg.BrandKit(t, publicURL, ""), "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

func submitKungsleden(t *testing.T, e *env) string {
	t.Helper()
	files := readDir(t, filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "five-days-kungsleden"))
	res, err := e.Service.Submit(context.Background(), app.Bundle{Brand: "kestrel", Files: files, Actor: "writer"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
	return res.ItemID
}

func deliveriesFinal(e *env, id string) func() (bool, string) {
	return func() (bool, string) {
		ds, err := e.DB.Deliveries(context.Background(), id, 0)
		if err != nil {
			return false, err.Error()
		}
		var st []string
		done := len(ds) > 0
		for _, d := range ds {
			st = append(st, d.Channel+"/"+d.Target+"="+d.Status)
			if d.Status == store.DelPending || d.Status == store.DelSending {
				done = false
			}
		}
		return done, strings.Join(st, " ")
	}
}

// An approved item goes to every target once, through a 451 from the
// mail server and 500s and lost answers from the others.
func TestPublishToEveryTarget(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			tg.SMTP.Fail451 = 1
			tg.Mastodon.Statuses.Inject(fakes.Fail500, fakes.TimeoutAfter)
			tg.Bluesky.Create.Inject(fakes.TimeoutAfter, fakes.Fail500)
			tg.Webhook.Inject(fakes.Fail500, fakes.TimeoutAfter)
			e := publishEnv(t, s, tg)
			ctx := context.Background()
			annToken := addActive(t, e.DB, "ann@example.net")
			addActive(t, e.DB, "cat@example.net")
			if err := e.DB.Suppress(ctx, "kestrel", "cat@example.net", "unsubscribed"); err != nil {
				t.Fatal(err)
			}
			e.Start(t)
			id := submitKungsleden(t, e)

			pub, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor")
			if err != nil {
				t.Fatal(err)
			}
			if pub.Status != store.PubScheduled {
				t.Errorf("publication %+v", pub)
			}
			waitFor(t, 60*time.Second, "deliveries final", deliveriesFinal(e, id))
			ds, _ := e.DB.Deliveries(ctx, id, 0)
			if len(ds) != 6 {
				t.Errorf("%d deliveries, want 6 (portal+catalog to the site, email, mastodon, bluesky, linkedin)", len(ds))
			}
			for _, d := range ds {
				if d.Status != store.DelSent || d.ExternalID == "" {
					t.Errorf("%s: %s, external %q, error %q", d.Key, d.Status, d.ExternalID, d.Error)
				}
			}

			// Email: one message, to ann only, with her own unsubscribe link.
			msgs := tg.SMTP.Messages()
			if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ann@example.net" {
				t.Fatalf("SMTP got %d messages: %+v", len(msgs), msgs)
			}
			checkEmail(t, msgs[0].Data, publicURL+"/u/"+annToken)

			// Mastodon: a thread re-rendered for the instance's 600, once each.
			posts := tg.Mastodon.Posts()
			keys := map[string]bool{}
			for i, p := range posts {
				if keys[p.Key] {
					t.Errorf("Idempotency-Key %s used for two statuses", p.Key)
				}
				keys[p.Key] = true
				if i > 0 && p.InReplyTo != posts[i-1].ID {
					t.Errorf("status %d is not a reply to %d", i, i-1)
				}
			}
			if len(posts) == 0 || len(posts[0].MediaIDs) != 1 || !strings.Contains(posts[0].Text, publicURL+"/r/") {
				t.Errorf("first status: %+v", posts)
			}
			if v := tg.Mastodon.Violations(); len(v) > 0 {
				t.Errorf("mastodon contract: %v", v)
			}
			// Bluesky: the thread once, facets and card checked by the fake.
			if recs := tg.Bluesky.Records(); len(recs) == 0 {
				t.Error("no Bluesky posts")
			} else if _, ok := recs[0].Record["embed"]; !ok {
				t.Error("Bluesky post without its link card")
			}
			if v := tg.Bluesky.Violations(); len(v) > 0 {
				t.Errorf("bluesky contract: %v", v)
			}
			// Webhook: one message, LinkedIn's posts.
			ids, bodies := tg.Webhook.Messages()
			if len(ids) != 1 {
				t.Fatalf("webhook got %d distinct messages", len(ids))
			}
			var ev publish.WebhookEvent
			if err := json.Unmarshal(bodies[ids[0]], &ev); err != nil || ev.Data.Network != "linkedin" || ev.Data.ItemID != id {
				t.Errorf("webhook event %+v, %v", ev, err)
			}
			if v := tg.Webhook.Violations(); len(v) > 0 {
				t.Errorf("webhook contract: %v", v)
			}

			// The site: the page, its card and email images, the catalog and feeds.
			it, _ := e.DB.Item(ctx, id)
			page := filepath.Join(tg.site, "kestrel", it.Slug, "index.html")
			if _, err := os.Stat(page); err != nil {
				t.Error(err)
			}
			if imgs, _ := filepath.Glob(filepath.Join(tg.site, "kestrel", it.Slug, "email", "images", "*")); len(imgs) == 0 {
				t.Error("email images not published beside the page")
			}
			cat, err := os.ReadFile(filepath.Join(tg.site, "kestrel", "catalog", "index.html"))
			if err != nil || !bytes.Contains(cat, []byte("/"+it.Slug+"/")) {
				t.Errorf("catalog index does not list the item: %v", err)
			}
			if _, err := os.Stat(filepath.Join(tg.site, "kestrel", "feed.xml")); err != nil {
				t.Error(err)
			}

			// Publishing again finds nothing to do; nothing is sent twice.
			if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err == nil {
				t.Error("a published version could be scheduled again")
			}

			// Unpublishing takes the page and its catalog card down.
			if err := e.Service.Unpublish(ctx, id, "editor"); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(page); !os.IsNotExist(err) {
				t.Errorf("page still there after unpublish: %v", err)
			}
			cat, _ = os.ReadFile(filepath.Join(tg.site, "kestrel", "catalog", "index.html"))
			if bytes.Contains(cat, []byte("/"+it.Slug+"/")) {
				t.Error("catalog still lists the unpublished item")
			}
		})
	}
}

// checkEmail checks a sent message's headers and parts.
func checkEmail(t *testing.T, data []byte, unsubscribe string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	for name, want := range map[string]string{
		"To": "<ann@example.net>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if h.Get(name) != want {
			t.Errorf("%s: %q, want %q", name, h.Get(name), want)
		}
	}
	if !strings.Contains(h.Get("List-Unsubscribe"), "<"+unsubscribe+">") {
		t.Errorf("List-Unsubscribe %q lacks %s", h.Get("List-Unsubscribe"), unsubscribe)
	}
	// Date is when the message was sent (the item is dated 2026-01-20),
	// within the few seconds between sending and this check.
	if d, err := mail.ParseDate(h.Get("Date")); err != nil {
		t.Errorf("Date: %v", err)
	} else if age := time.Since(d); age < -time.Second || age > time.Minute {
		t.Errorf("Date: %s is %s from now; want the time it was sent", h.Get("Date"), age.Round(time.Second))
	}
	if h.Get("Message-Id") == "" || h.Get("Subject") == "" || !strings.Contains(h.Get("From"), "news@kestrel.example") {
		t.Errorf("headers: %v", h)
	}
	_, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		types = append(types, strings.Split(p.Header.Get("Content-Type"), ";")[0])
		if !bytes.Contains(body, []byte(unsubscribe)) {
			t.Errorf("%s part lacks the recipient's unsubscribe link", p.Header.Get("Content-Type"))
		}
		if !bytes.Contains(body, []byte(publicURL+"/r/")) {
			t.Errorf("%s part has no tracked links", p.Header.Get("Content-Type"))
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts %v", types)
	}
}

// A worker that dies after handing a message to the mail server, before
// recording it, leaves the recipient sending. The next attempt marks it
// unknown and does not send it again; the other recipients go out.
func TestEmailCrashLeavesUnknown(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			e := publishEnv(t, s, tg)
			ctx := context.Background()
			addActive(t, e.DB, "ann@example.net")
			addActive(t, e.DB, "bob@example.net")
			e.Start(t)
			id := submitKungsleden(t, e)
			if _, err := e.Service.Schedule(ctx, id, 0, time.Now().Add(time.Hour), "editor"); err != nil {
				t.Fatal(err)
			}
			// What a worker killed mid-send leaves behind: the delivery and
			// ann's message claimed, nothing recorded after.
			key := store.DeliveryKey(id, 1, "email", "newsletter", "")
			claim, d, err := e.DB.ClaimDelivery(ctx, key, true)
			if err != nil || claim != store.ClaimGo {
				t.Fatal(claim, err)
			}
			if _, err := e.DB.Recipients(ctx, d, nil, &store.Segment{BrandID: "kestrel", Langs: []string{"en", ""}}); err != nil {
				t.Fatal(err)
			}
			if c, err := e.DB.ClaimRecipient(ctx, d, "ann@example.net"); err != nil || c != store.ClaimGo {
				t.Fatal(c, err)
			}
			// Publish now: the reschedule starts it at once.
			if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "deliveries final", deliveriesFinal(e, id))
			got, _ := e.DB.Delivery(ctx, key)
			if got.Status != store.DelUnknown {
				t.Errorf("email delivery %s, want unknown", got.Status)
			}
			for _, m := range tg.SMTP.Messages() {
				if m.To[0] == "ann@example.net" {
					t.Error("ann's message was sent again")
				}
			}
			if n := len(tg.SMTP.Messages()); n != 1 {
				t.Errorf("%d messages sent, want 1 (bob)", n)
			}
			rs, _ := e.DB.DeliveryRecipients(ctx, got)
			for _, r := range rs {
				want := map[string]string{"ann@example.net": store.DelUnknown, "bob@example.net": store.DelSent}[r.Address]
				if r.Status != want {
					t.Errorf("%s: %s, want %s", r.Address, r.Status, want)
				}
			}
			// An editor who knows it arrived resolves it.
			if _, err := e.DB.ResolveDelivery(ctx, key, store.DelSent, "editor"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A scheduled publication can be cancelled until it starts, and then
// sends nothing.
func TestCancelBeforeStart(t *testing.T) {
	pipetest.Long(t)
	s := setups[0]
	tg := newTargets(t)
	e := publishEnv(t, s, tg)
	ctx := context.Background()
	e.Start(t)
	id := submitKungsleden(t, e)
	if _, err := e.Service.Schedule(ctx, id, 0, time.Now().Add(time.Hour), "editor"); err != nil {
		t.Fatal(err)
	}
	pub, err := e.Service.Cancel(ctx, id, 0, "editor")
	if err != nil || pub.Status != store.PubCancelled {
		t.Fatalf("cancel: %+v, %v", pub, err)
	}
	ds, _ := e.DB.Deliveries(ctx, id, 0)
	for _, d := range ds {
		if d.Status != store.DelCancelled {
			t.Errorf("%s: %s after cancel", d.Key, d.Status)
		}
	}
	if _, err := e.Service.Cancel(ctx, id, 0, "editor"); err == nil {
		t.Error("cancelling twice succeeded")
	}
	if len(tg.Mastodon.Posts())+len(tg.SMTP.Messages()) != 0 {
		t.Error("a cancelled publication sent something")
	}
}

// A delivery whose runs kept killing the worker (three claims, nothing
// recorded after any) is not sent again: it ends unknown with the
// reason, for an editor to decide, and the rest of the publication goes
// out.
func TestDeliveryThatKillsItsWorkerIsGivenUp(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			e := publishEnv(t, s, tg)
			ctx := context.Background()
			e.Start(t)
			id := submitKungsleden(t, e)
			if _, err := e.Service.Schedule(ctx, id, 0, time.Now().Add(time.Hour), "editor"); err != nil {
				t.Fatal(err)
			}
			ds, _ := e.DB.Deliveries(ctx, id, 1)
			key := ""
			for _, d := range ds {
				if d.Kind == "mastodon" {
					key = d.Key
				}
			}
			if key == "" {
				t.Fatalf("no Mastodon delivery in %+v", ds)
			}
			// What three workers killed inside this delivery leave behind.
			for range store.MaxUnended {
				if c, _, err := e.DB.ClaimDelivery(ctx, key, true); err != nil || c != store.ClaimGo {
					t.Fatal(c, err)
				}
			}
			if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "deliveries final", deliveriesFinal(e, id))
			got, _ := e.DB.Delivery(ctx, key)
			if got.Status != store.DelUnknown || !strings.HasPrefix(got.Error, store.DiedError) {
				t.Errorf("Mastodon delivery %s %q, want unknown: %s", got.Status, got.Error, store.DiedError)
			}
			if n := len(tg.Mastodon.Posts()); n != 0 {
				t.Errorf("%d statuses posted by a delivery given up", n)
			}
			ds, _ = e.DB.Deliveries(ctx, id, 1)
			for _, d := range ds {
				if d.Key != key && d.Status != store.DelSent {
					t.Errorf("%s: %s %q", d.Key, d.Status, d.Error)
				}
			}
		})
	}
}

// addActive puts an address on kestrel's list as an admin with a basis
// would, returning its link token.
func addActive(t testing.TB, db *store.DB, addr string) string {
	t.Helper()
	j, err := db.JoinSubscriber(context.Background(), store.Join{BrandID: "kestrel", Address: addr, Confirmed: true,
		Consent: store.Consent{Source: store.ConsentAPI, Wording: "test basis"}})
	if err != nil {
		t.Fatal(err)
	}
	return j.Subscriber.Token
}
