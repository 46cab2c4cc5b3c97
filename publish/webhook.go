package publish

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/renderers/social"
)

// Webhook posts a channel's JSON to a receiver, signed the Standard
// Webhooks way: HMAC-SHA256 over "id.timestamp.body", sent as
// webhook-id, webhook-timestamp and webhook-signature ("v1,<base64>").
type Webhook struct {
	URL    string
	Secret []byte // decoded; see DecodeSecret
	Client *http.Client
}

// DecodeSecret reads a Standard Webhooks secret: "whsec_" and base64, or
// else the raw text as the key.
func DecodeSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "whsec_"); ok {
		b, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, fmt.Errorf("webhook secret: whsec_ must be followed by base64: %w", err)
		}
		return b, nil
	}
	if len(s) < 16 {
		return nil, errors.New("webhook secret: too short (use at least 16 characters, or whsec_ and 24+ random bytes in base64)")
	}
	return []byte(s), nil
}

// Sign returns the webhook-signature value for one message.
func Sign(secret []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%s.%d.", id, ts)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a received message the way a Standard Webhooks receiver
// does: one of the space-separated v1 signatures matches, and the
// timestamp is within tolerance of now.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, tsText, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || tsText == "" || sigs == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("bad webhook-timestamp %q", tsText)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook-timestamp %d is %s away from now", ts, d.Round(time.Second))
	}
	want := Sign(secret, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("no webhook-signature matches")
}

// Send posts body with id, the same id on every retry so the receiver
// can drop repeats; the timestamp is the attempt's. A 2xx is success.
func (w *Webhook) Send(ctx context.Context, id string, body []byte) error {
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", Sign(w.Secret, id, ts, body))
	resp, err := w.Client.Do(req)
	if err != nil {
		return classifyTransport("webhook", err)
	}
	b, _ := readBody(resp)
	if resp.StatusCode/100 != 2 {
		return statusError("webhook", resp.StatusCode, b)
	}
	return nil
}

const userAgent = "crosscast/1 (+https://github.com/crosscast/crosscast)"

// classifyTransport names a request that did not get an answer; an
// address the guard refused is permanent, the rest (timeouts, resets)
// temporary.
func classifyTransport(op string, err error) error {
	if errors.Is(err, ErrForbiddenAddress) {
		return permanent(fmt.Errorf("%s: %w", op, err))
	}
	return fmt.Errorf("%s: %w", op, err)
}

// WebhookEvent is the body every webhook receives. Receivers parse it:
// its JSON is a public format and changes only by adding fields.
type WebhookEvent struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      WebhookData `json:"data"`
}

// WebhookData says which item a webhook is about, with the channel's
// rendering in Payload.
type WebhookData struct {
	ItemID  string          `json:"item_id"`
	Version int             `json:"version"`
	Channel string          `json:"channel"`
	Network string          `json:"network,omitempty"`
	Target  string          `json:"target"`
	URL     string          `json:"url"`
	Payload json.RawMessage `json:"payload"`
}

// WebhookPublisher posts a channel's rendering as JSON to the target's
// receiver, signed, with the delivery's stable webhook-id.
type WebhookPublisher struct {
	Clients *Clients
}

// Kind is content.TargetWebhook.
func (p *WebhookPublisher) Kind() string { return content.TargetWebhook }

// Deliver sends the event once per delivery id: a retry carries the same
// webhook-id, for the receiver to drop.
func (p *WebhookPublisher) Deliver(ctx context.Context, j Job) (*Posted, error) {
	secretText, err := j.secret("secret_env", j.Target.SecretEnv)
	if err != nil {
		return nil, err
	}
	secret, err := DecodeSecret(secretText)
	if err != nil {
		return nil, ErrPermanentf("target %s: %v", j.Target.ID, err)
	}
	body, err := webhookBody(ctx, j)
	if err != nil {
		return nil, err
	}
	if err := j.Track.Save(ctx); err != nil {
		return nil, err
	}
	id := "msg_" + j.Delivery.KeyHash
	w := &Webhook{URL: j.Target.URL, Secret: secret, Client: p.Clients.For(j.Target.AllowHosts)}
	if err := w.Send(ctx, id, body); err != nil {
		return nil, err
	}
	return &Posted{ID: id}, nil
}

// webhookBody is the event for the job's channel, its links tracked.
func webhookBody(ctx context.Context, j Job) ([]byte, error) {
	var payload any
	switch j.Delivery.Channel {
	case social.Channel:
		doc, err := socialDoc(ctx, j)
		if err != nil {
			return nil, err
		}
		np, err := network(doc, j.Target.Network)
		if err != nil {
			return nil, err
		}
		tracked := j.Track.URL(np.Link)
		for i := range np.Posts {
			np.Posts[i].Text = strings.ReplaceAll(np.Posts[i].Text, np.Link, tracked)
			np.Posts[i].Little = strings.ReplaceAll(np.Posts[i].Little, np.Link, tracked)
		}
		np.Link = tracked
		if np.Image != nil {
			np.Image.File = content.Resolve(j.Links.Canonical, np.Image.File)
		}
		payload = np
	case email.Channel:
		msg, err := trackedEmail(ctx, j)
		if err != nil {
			return nil, err
		}
		payload = map[string]any{"headers": msg.Dated(j.Now()), "html": string(msg.HTML), "text": string(msg.Text)}
	case content.ChanPortal:
		page, err := j.File(ctx, portal.Channel, portal.PageFile)
		if err != nil {
			return nil, err
		}
		payload = map[string]any{"title": j.Item.Title, "html": string(page)}
	case content.ChanCatalog:
		entry, err := j.File(ctx, content.ChanCatalog, catalog.EntryFile)
		if err != nil {
			return nil, err
		}
		payload = json.RawMessage(entry)
	default:
		return nil, ErrPermanentf("webhook for channel %q", j.Delivery.Channel)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, ErrPermanentf("%v", err)
	}
	body, err := json.Marshal(WebhookEvent{Type: "item.published", Timestamp: j.PublishAt.UTC(), Data: WebhookData{
		ItemID: j.Delivery.ItemID, Version: j.Delivery.Version, Channel: j.Delivery.Channel, Network: j.Target.Network, Target: j.Target.ID,
		URL: j.Links.Canonical, Payload: raw,
	}})
	if err != nil {
		return nil, ErrPermanentf("%v", err)
	}
	return body, nil
}
