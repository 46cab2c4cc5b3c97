package bounce

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Postmark receives Postmark's bounce and spam complaint webhooks.
// Postmark does not sign its webhooks; it documents HTTP basic
// authentication in the webhook URL (https://user:pass@host/...) and
// custom headers as the way to know a request is its own. Set either or
// both; with neither set every request is refused.
type Postmark struct {
	Username, Password string
	// Header and Token: a custom header Postmark is configured to send,
	// and its value.
	Header, Token string
	// Brand, if set, is the brand every event belongs to.
	Brand string
}

func (p *Postmark) verify(r *http.Request) error {
	if p.Username == "" && p.Token == "" {
		return fmt.Errorf("%w: Postmark has no credentials configured", ErrSignature)
	}
	if p.Username != "" {
		u, pw, ok := r.BasicAuth()
		if !ok || !equal(u, p.Username) || !equal(pw, p.Password) {
			return fmt.Errorf("%w: Postmark basic authentication", ErrSignature)
		}
	}
	if p.Token != "" {
		name := p.Header
		if name == "" {
			name = "X-Crosscast-Token"
		}
		if !equal(r.Header.Get(name), p.Token) {
			return fmt.Errorf("%w: Postmark %s header", ErrSignature, name)
		}
	}
	return nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

type postmarkRecord struct {
	RecordType  string
	Type        string
	Email       string
	Description string
	Details     string
	MessageID   string
	BouncedAt   string
	// A spam complaint's time.
	ReceivedAt string
}

// Postmark's bounce types (its "Type" field) that say something about
// the address. The rest (auto-responders, subscription requests, open
// relay tests, challenge verifications…) are no bounces.
var postmarkKinds = map[string]Kind{
	"HardBounce":          Hard,
	"BadEmailAddress":     Hard,
	"ManuallyDeactivated": Hard,
	"SoftBounce":          Soft,
	"Transient":           Soft,
	"DnsError":            Soft,
	"SpamComplaint":       Complaint,
}

func (p *Postmark) parse(body []byte) ([]Event, error) {
	var rec postmarkRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		return nil, fmt.Errorf("%w: Postmark body: %v", ErrMalformed, err)
	}
	kind, ok := postmarkKinds[rec.Type]
	if rec.RecordType == "SpamComplaint" {
		kind, ok = Complaint, true
	}
	if !ok || rec.RecordType != "Bounce" && rec.RecordType != "SpamComplaint" {
		return nil, nil
	}
	diag := diagnostic(rec.Details)
	if diag == "" {
		diag = clip(rec.Description, 1000)
	}
	at := isoTime(rec.BouncedAt)
	if at.IsZero() {
		at = isoTime(rec.ReceivedAt)
	}
	return dropEmpty([]Event{{
		Kind: kind, Recipient: cleanAddress(rec.Email), Diagnostic: diag,
		Status: findStatusRE.FindString(rec.Details), Provider: ProviderPostmark,
		MessageID: strings.Trim(rec.MessageID, "<>"), At: at, Brand: p.Brand,
	}}), nil
}
