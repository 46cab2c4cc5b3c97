package bounce

import "strings"

// arf reads a message/feedback-report body (RFC 5965 §3.1). Reports of
// abuse, fraud and unknown ("other") types are complaints; not-spam,
// virus and auth-failure (RFC 6591) reports say nothing about the
// reader's wishes and give no event. The recipient is Original-Rcpt-To,
// or else the returned original's To; many mailbox providers redact both,
// which is why the token in the original's Return-Path matters.
func (r *reportCtx) arf(p *part) []Event {
	h, _ := readFields(p.body, 200)
	typ := strings.ToLower(strings.TrimSpace(h.get("Feedback-Type")))
	switch typ {
	case "abuse", "fraud", "other":
	default:
		return nil
	}
	rcpts := h.all("Original-Rcpt-To")
	if len(rcpts) == 0 {
		rcpts = r.original.all("To")
	}
	if len(rcpts) == 0 {
		rcpts = []string{""}
	}
	at := date(h.get("Arrival-Date"))
	if at.IsZero() {
		at = date(h.get("Received-Date")) // the draft's name for it
	}
	if at.IsZero() {
		at = date(r.outer.get("Date"))
	}
	token, msgID := r.token(), r.messageID()
	var out []Event
	seen := map[string]bool{}
	for _, v := range rcpts {
		a := cleanAddress(v)
		if seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, Event{
			Kind: Complaint, Recipient: a, Token: token, Diagnostic: typ,
			Provider: ProviderARF, MessageID: msgID, At: at,
		})
		if len(out) >= r.lim.MaxRecipients {
			break
		}
	}
	return out
}
