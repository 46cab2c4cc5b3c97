package bounce

import (
	"strings"
)

// dsn reads a message/delivery-status body (RFC 3464 §2): a block of
// per-message fields, then one block per recipient. Only recipients the
// report says failed become events; delayed, delivered, relayed and
// expanded ones are not bounces (a delayed message is still being
// tried, and its final failure comes as a report of its own).
func (r *reportCtx) dsn(p *part) []Event {
	blocks := readBlocks(p.body, r.lim.MaxRecipients+1)
	if len(blocks) == 0 {
		return nil
	}
	perMessage := blocks[0]
	recipients := blocks[1:]
	if perMessage.get("Final-Recipient") != "" || perMessage.get("Action") != "" {
		// No per-message block: some servers start with the recipient.
		recipients = blocks
		perMessage = nil
	}
	arrival := date(perMessage.get("Arrival-Date"))
	token, msgID := r.token(), r.messageID()
	var out []Event
	for _, rb := range recipients {
		action := strings.ToLower(strings.TrimSpace(firstWord(rb.get("Action"))))
		if action != "failed" {
			continue
		}
		status := strings.TrimSpace(firstWord(rb.get("Status")))
		diag := diagnostic(rb.get("Diagnostic-Code"))
		kind, ok := kindOf(status)
		if !ok {
			// A Status of 5.0.0 is required, but some servers leave it
			// out and say it in the diagnostic instead.
			if s := findStatusRE.FindString(diag); s != "" {
				status = s
				kind, ok = kindOf(s)
			}
		}
		if !ok {
			// failed with no usable code: RFC 3464 §2.3.3 says failed
			// means the message could not be delivered, so it is hard.
			kind = Hard
		}
		rcpt := typedAddress(rb.get("Final-Recipient"))
		if orig := typedAddress(rb.get("Original-Recipient")); orig != "" {
			// The address we sent to, before any forwarding.
			rcpt = orig
		}
		at := date(rb.get("Last-Attempt-Date"))
		if at.IsZero() {
			at = arrival
		}
		if at.IsZero() {
			at = date(r.outer.get("Date"))
		}
		out = append(out, Event{
			Kind: kind, Recipient: rcpt, Token: token, Diagnostic: diag, Status: status,
			Provider: ProviderDSN, MessageID: msgID, At: at,
		})
		if len(out) >= r.lim.MaxRecipients {
			break
		}
	}
	return out
}

// firstWord drops a trailing comment, as in "failed (bad mailbox)".
func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t("); i >= 0 {
		return s[:i]
	}
	return s
}

// diagnostic drops the diagnostic type ("smtp; 550 ..."), and bounds
// the text kept.
func diagnostic(s string) string {
	if typ, rest, ok := strings.Cut(s, ";"); ok && !strings.ContainsAny(strings.TrimSpace(typ), " \t") {
		s = rest
	}
	return clip(strings.TrimSpace(s), 1000)
}

// clip bounds s to n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
