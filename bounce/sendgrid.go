package bounce

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SendGrid receives SendGrid's signed event webhook: an ECDSA P-256
// signature (base64 DER, X-Twilio-Email-Event-Webhook-Signature) over
// the timestamp header followed by the raw body.
type SendGrid struct {
	// PublicKey is the verification key SendGrid shows: base64 DER
	// (SubjectPublicKeyInfo), with or without PEM armour.
	PublicKey string
	// Brand, if set, is the brand every event belongs to.
	Brand string
	// MaxAge refuses a timestamp further away; 0: 24 hours, as SendGrid
	// retries a failed post for that long.
	MaxAge time.Duration
	Now    func() time.Time
}

const (
	sendGridSigHeader = "X-Twilio-Email-Event-Webhook-Signature"
	sendGridTSHeader  = "X-Twilio-Email-Event-Webhook-Timestamp"
)

func (s *SendGrid) key() (*ecdsa.PublicKey, error) {
	der := []byte(s.PublicKey)
	if b, _ := pem.Decode(der); b != nil {
		der = b.Bytes
	} else {
		d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s.PublicKey))
		if err != nil {
			return nil, fmt.Errorf("bounce: SendGrid public key is not base64: %w", err)
		}
		der = d
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("bounce: SendGrid public key: %w", err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("bounce: SendGrid public key is not ECDSA")
	}
	return ek, nil
}

func (s *SendGrid) verify(r *http.Request, body []byte) error {
	key, err := s.key()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	ts := r.Header.Get(sendGridTSHeader)
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(sendGridSigHeader))
	if err != nil || ts == "" || len(sig) == 0 {
		return fmt.Errorf("%w: SendGrid signature headers missing", ErrSignature)
	}
	if err := fresh(ts, s.MaxAge, s.Now); err != nil {
		return err
	}
	h := sha256.New()
	h.Write([]byte(ts))
	h.Write(body)
	if !ecdsa.VerifyASN1(key, h.Sum(nil), sig) {
		return fmt.Errorf("%w: SendGrid", ErrSignature)
	}
	return nil
}

// fresh checks a Unix-seconds timestamp is within maxAge of now.
func fresh(ts string, maxAge time.Duration, now func() time.Time) error {
	if maxAge <= 0 {
		maxAge = 24 * time.Hour
	}
	if now == nil {
		now = time.Now
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now().Sub(time.Unix(sec, 0)).Abs() > maxAge {
		return fmt.Errorf("%w: timestamp %q is unreadable or more than %s away", ErrSignature, ts, maxAge)
	}
	return nil
}

type sendGridEvent struct {
	Email     string `json:"email"`
	Timestamp int64  `json:"timestamp"`
	Event     string `json:"event"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
	SMTPID    string `json:"smtp-id"`
	SGMsgID   string `json:"sg_message_id"`
}

// parse reads a batch of events. A bounce of type "bounce" is hard
// unless its status is 4.x.x, a "blocked" one (the receiver refused the
// message, not the address) soft; spamreport is a complaint. Deferred
// and dropped events are SendGrid still trying or not trying at all,
// and give nothing.
func (s *SendGrid) parse(body []byte) ([]Event, error) {
	var evs []sendGridEvent
	if err := json.Unmarshal(body, &evs); err != nil {
		return nil, fmt.Errorf("%w: SendGrid body: %v", ErrMalformed, err)
	}
	var out []Event
	for _, e := range evs {
		var kind Kind
		switch e.Event {
		case "bounce":
			kind = Hard
			if k, ok := kindOf(e.Status); ok && k == Soft || e.Type == "blocked" {
				kind = Soft
			}
		case "spamreport":
			kind = Complaint
		default:
			continue
		}
		id := strings.Trim(e.SMTPID, "<>")
		if id == "" {
			id = e.SGMsgID
		}
		diag := clip(e.Reason, 1000)
		if kind == Complaint {
			diag = "spamreport"
		}
		out = append(out, Event{Kind: kind, Recipient: cleanAddress(e.Email), Status: e.Status, Diagnostic: diag,
			Provider: ProviderSendGrid, MessageID: id, At: time.Unix(e.Timestamp, 0).UTC(), Brand: s.Brand})
	}
	return dropEmpty(out), nil
}
