package bounce

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrMalformed is a webhook body that does not parse.
var ErrMalformed = errors.New("bounce: malformed webhook body")

// sesNotification is an SES bounce or complaint notification (the
// Message of an SNS notification), as either a notification
// (notificationType) or an event-publishing record (eventType).
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		Timestamp         string `json:"timestamp"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		Timestamp             string `json:"timestamp"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Mail struct {
		// Source is the envelope sender (MAIL FROM) the message was
		// given: a VERP address, when the target sets return_path.
		Source    string `json:"source"`
		MessageID string `json:"messageId"`
		Headers   []struct {
			Name, Value string
		} `json:"headers"`
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
}

// parseSES reads an SES notification. Permanent bounces are hard,
// Transient and Undetermined ones soft; complaints of the not-spam type
// give nothing.
func parseSES(b []byte) ([]Event, error) {
	var n sesNotification
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("%w: SES notification: %v", ErrMalformed, err)
	}
	typ := n.NotificationType
	if typ == "" {
		typ = n.EventType
	}
	// The Message-ID the message left with, when SES passes its headers
	// on; SES's own id otherwise.
	msgID := n.Mail.MessageID
	if v := n.Mail.CommonHeaders.MessageID; v != "" {
		msgID = v
	}
	for _, h := range n.Mail.Headers {
		if strings.EqualFold(h.Name, "Message-ID") {
			msgID = h.Value
		}
	}
	msgID = strings.Trim(strings.TrimSpace(msgID), "<>")
	var out []Event
	switch typ {
	case "Bounce":
		if n.Bounce == nil {
			return nil, fmt.Errorf("%w: SES Bounce without bounce", ErrMalformed)
		}
		kind := Soft
		if n.Bounce.BounceType == "Permanent" {
			kind = Hard
		}
		at := isoTime(n.Bounce.Timestamp)
		for _, r := range n.Bounce.BouncedRecipients {
			diag := diagnostic(r.DiagnosticCode)
			if diag == "" {
				diag = n.Bounce.BounceType + " " + n.Bounce.BounceSubType
			}
			out = append(out, Event{Kind: kind, Recipient: cleanAddress(r.EmailAddress), Status: r.Status,
				Diagnostic: diag, Provider: ProviderSES, MessageID: msgID, At: at})
		}
	case "Complaint":
		if n.Complaint == nil {
			return nil, fmt.Errorf("%w: SES Complaint without complaint", ErrMalformed)
		}
		if n.Complaint.ComplaintFeedbackType == "not-spam" {
			return nil, nil
		}
		at := isoTime(n.Complaint.Timestamp)
		fb := n.Complaint.ComplaintFeedbackType
		if fb == "" {
			fb = "complaint"
		}
		for _, r := range n.Complaint.ComplainedRecipients {
			out = append(out, Event{Kind: Complaint, Recipient: cleanAddress(r.EmailAddress), Diagnostic: fb,
				Provider: ProviderSES, MessageID: msgID, At: at})
		}
	}
	if tok := TokenFromAddress(n.Mail.Source); tok != "" {
		for i := range out {
			out[i].Token = tok
		}
	}
	return dropEmpty(out), nil
}

func isoTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// dropEmpty drops events without an address, and bounds their number.
func dropEmpty(evs []Event) []Event {
	out := evs[:0]
	for _, e := range evs {
		if e.Recipient != "" && len(out) < 1000 {
			out = append(out, e)
		}
	}
	return out
}
