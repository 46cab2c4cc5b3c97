package bounce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Mailgun receives Mailgun's webhooks: each body carries a signature,
// the hex HMAC-SHA256 of its timestamp and token under the webhook
// signing key. A token is accepted once, so a captured request cannot
// be replayed. The signature does not cover the event itself (Mailgun's
// scheme): the body is as trustworthy as the TLS connection it came on.
type Mailgun struct {
	SigningKey string
	// Brand, if set, is the brand every event belongs to.
	Brand  string
	MaxAge time.Duration // 0: 24 hours
	Now    func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // token → timestamp
}

// maxTokens bounds the replay cache: tokens older than MaxAge are
// refused by their timestamp anyway, and go first.
const maxTokens = 10000

type mailgunBody struct {
	Signature struct {
		Timestamp string `json:"timestamp"`
		Token     string `json:"token"`
		Signature string `json:"signature"`
	} `json:"signature"`
	EventData struct {
		Event          string  `json:"event"`
		Severity       string  `json:"severity"`
		Recipient      string  `json:"recipient"`
		Reason         string  `json:"reason"`
		Timestamp      float64 `json:"timestamp"`
		DeliveryStatus struct {
			Code         int    `json:"code"`
			EnhancedCode string `json:"enhanced-code"`
			Message      string `json:"message"`
			Description  string `json:"description"`
		} `json:"delivery-status"`
		// Envelope.Sender is the MAIL FROM the message was given.
		Envelope struct {
			Sender string `json:"sender"`
		} `json:"envelope"`
		Message struct {
			Headers struct {
				MessageID string `json:"message-id"`
			} `json:"headers"`
		} `json:"message"`
	} `json:"event-data"`
}

func (m *Mailgun) parse(body []byte) ([]Event, error) {
	var b mailgunBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("%w: Mailgun body: %v", ErrMalformed, err)
	}
	if err := m.verify(b.Signature.Timestamp, b.Signature.Token, b.Signature.Signature); err != nil {
		return nil, err
	}
	return m.events(&b), nil
}

// events reads a verified body's event.
func (m *Mailgun) events(b *mailgunBody) []Event {
	d := b.EventData
	var kind Kind
	switch d.Event {
	case "failed":
		kind = Soft
		if d.Severity == "permanent" {
			kind = Hard
		}
	case "complained":
		kind = Complaint
	default:
		return nil
	}
	ds := d.DeliveryStatus
	status := ds.EnhancedCode
	if _, ok := kindOf(status); !ok {
		status = findStatusRE.FindString(ds.Message + " " + ds.Description)
	}
	diag := strings.TrimSpace(ds.Message)
	if diag == "" {
		diag = strings.TrimSpace(ds.Description)
	}
	if diag == "" {
		diag = d.Reason
	}
	if kind == Complaint {
		diag = "complained"
	}
	sec := int64(d.Timestamp)
	at := time.Unix(sec, int64((d.Timestamp-float64(sec))*1e9)).UTC()
	return dropEmpty([]Event{{Kind: kind, Recipient: cleanAddress(d.Recipient), Status: status, Diagnostic: clip(diag, 1000),
		Token: TokenFromAddress(d.Envelope.Sender), Provider: ProviderMailgun, MessageID: strings.Trim(d.Message.Headers.MessageID, "<>"), At: at, Brand: m.Brand}})
}

func (m *Mailgun) verify(ts, token, sig string) error {
	if m.SigningKey == "" {
		return fmt.Errorf("%w: Mailgun has no signing key configured", ErrSignature)
	}
	if token == "" {
		return fmt.Errorf("%w: Mailgun token missing", ErrSignature)
	}
	if err := fresh(ts, m.MaxAge, m.Now); err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte(m.SigningKey))
	mac.Write([]byte(ts + token))
	want := mac.Sum(nil)
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return fmt.Errorf("%w: Mailgun", ErrSignature)
	}
	sec, _ := strconv.ParseInt(ts, 10, 64)
	if !m.once(token, time.Unix(sec, 0)) {
		return fmt.Errorf("%w: Mailgun token used before (a replay)", ErrSignature)
	}
	return nil
}

// once records token and reports whether it is new.
func (m *Mailgun) once(token string, at time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]time.Time{}
	}
	if _, dup := m.seen[token]; dup {
		return false
	}
	if len(m.seen) >= maxTokens {
		maxAge := m.MaxAge
		if maxAge <= 0 {
			maxAge = 24 * time.Hour
		}
		now := time.Now()
		if m.Now != nil {
			now = m.Now()
		}
		for t, ts := range m.seen {
			if now.Sub(ts) > maxAge {
				delete(m.seen, t)
			}
		}
		// Still full: drop the oldest.
		for len(m.seen) >= maxTokens {
			var oldest string
			var ot time.Time
			for t, ts := range m.seen {
				if oldest == "" || ts.Before(ot) {
					oldest, ot = t, ts
				}
			}
			delete(m.seen, oldest)
		}
	}
	m.seen[token] = at
	return true
}
