package bounce

import (
	"regexp"
	"time"
)

// Kind is what an event means for the address.
type Kind string

const (
	// Hard is a permanent failure (a 5.x.x status): the address is
	// suppressed at once.
	Hard Kind = "hard"
	// Soft is a temporary failure (4.x.x): enough of them within a
	// window suppress the address.
	Soft Kind = "soft"
	// Complaint is a reader marking the message as spam (ARF abuse or
	// fraud, or an ESP's complaint event): suppressed at once.
	Complaint Kind = "complaint"
)

// Providers, as Event.Provider names them.
const (
	ProviderDSN      = "dsn" // an RFC 3464 report piped in or read from a mailbox
	ProviderARF      = "arf" // an RFC 5965 feedback report
	ProviderSES      = "ses"
	ProviderPostmark = "postmark"
	ProviderSendGrid = "sendgrid"
	ProviderMailgun  = "mailgun"
)

// Event is one recipient's bounce or complaint.
type Event struct {
	Kind Kind
	// Recipient is the address the report names, lower-cased. With a
	// verified VERP token, Ref.Recipient is the address the message was
	// sent to, which wins (see Address).
	Recipient string
	// Token is the VERP token found in the report, unverified; Ref is
	// what it says once verified (nil when there is none, or it did not
	// verify).
	Token string
	Ref   *Ref
	// Brand is the brand the event belongs to when the source tells
	// (a verified token, or a provider configured for one brand).
	Brand string
	// Diagnostic is the remote server's text (Diagnostic-Code, the ESP's
	// reason), or the complaint's feedback type.
	Diagnostic string
	// Status is the RFC 3463 enhanced status code, like 5.1.1, when
	// known.
	Status   string
	Provider string
	// MessageID is the Message-ID of the message that bounced, without
	// angle brackets, or the provider's own id when that is all it gives.
	MessageID string
	At        time.Time
}

// Address is the address to act on: the one the message was sent to
// when a verified token says so, else the one the report names.
func (e Event) Address() string {
	if e.Ref != nil && e.Ref.Recipient != "" {
		return e.Ref.Recipient
	}
	return e.Recipient
}

var statusRE = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})$`)

// findStatus returns the first enhanced status code in s ("" if none):
// a Diagnostic-Code often carries a better one than the Status field.
var findStatusRE = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)

// kindOf maps an enhanced status code to a kind: 5.x.x is hard, 4.x.x
// soft; 2.x.x and anything unreadable are not failures.
func kindOf(status string) (Kind, bool) {
	m := statusRE.FindStringSubmatch(status)
	if m == nil {
		return "", false
	}
	switch m[1] {
	case "5":
		return Hard, true
	case "4":
		return Soft, true
	}
	return "", false
}
