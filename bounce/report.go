package bounce

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Report media types (RFC 3464, RFC 6533, RFC 5965).
const (
	typeDSN       = "message/delivery-status"
	typeGlobalDSN = "message/global-delivery-status"
	typeARF       = "message/feedback-report"
)

// ParseMessage reads one message that came back: a delivery status
// notification (RFC 3464, or its RFC 6533 global form) or a feedback
// report (RFC 5965), found at the top or forwarded inside another
// message. It returns one event per failed recipient or complaint, and
// ErrNotReport for a message that is neither (an auto-reply, a
// "delayed" notice with nothing failed gives no events and no error).
// VERP tokens are picked up but not verified: see VERP.Resolve.
func ParseMessage(ctx context.Context, raw []byte, lim Limits) ([]Event, error) {
	lim = lim.withDefaults()
	root, err := parseMessage(ctx, raw, lim)
	if err != nil {
		return nil, err
	}
	rep, siblings := findReport(root)
	if rep == nil {
		return nil, ErrNotReport
	}
	r := &reportCtx{outer: rep.outer, original: findOriginal(siblings), lim: lim}
	if rep.part.mediaType == typeARF {
		return r.arf(rep.part), nil
	}
	return r.dsn(rep.part), nil
}

type found struct {
	part  *part
	outer header // the header of the message the report came in
}

// findReport looks for the report part depth first, in the message
// itself before in any message it carries, and returns it with the parts
// beside it. A returned original that is itself a report (a bounce of a
// bounce) is not mistaken for the report: the outer one is found first.
func findReport(root *part) (*found, []*part) {
	var search func(p *part, outer header) (*found, []*part)
	search = func(p *part, outer header) (*found, []*part) {
		if isReport(p.mediaType) {
			// A report that is the whole message (no multipart/report
			// around it) has no siblings.
			return &found{part: p, outer: outer}, nil
		}
		for _, c := range p.children {
			if isReport(c.mediaType) {
				return &found{part: c, outer: outer}, p.children
			}
		}
		for _, c := range p.children {
			if strings.HasPrefix(c.mediaType, "multipart/") {
				if f, sib := search(c, outer); f != nil {
					return f, sib
				}
			}
		}
		for _, c := range p.children {
			if (c.mediaType == "message/rfc822" || c.mediaType == "message/global") && len(c.children) == 1 {
				if f, sib := search(c.children[0], c.children[0].header); f != nil {
					return f, sib
				}
			}
		}
		return nil, nil
	}
	return search(root, root.header)
}

func isReport(t string) bool { return t == typeDSN || t == typeGlobalDSN || t == typeARF }

// findOriginal returns the header of the returned original message
// among a report's sibling parts, or nil.
func findOriginal(siblings []*part) header {
	for _, p := range siblings {
		switch p.mediaType {
		case "message/rfc822", "message/global":
			if len(p.children) == 1 {
				return p.children[0].header
			}
		case "text/rfc822-headers", "message/global-headers":
			h, _ := readFields(p.body, 1000)
			return h
		}
	}
	return nil
}

type reportCtx struct {
	outer, original header
	lim             Limits
}

// messageID is the returned original's Message-ID, without brackets.
func (r *reportCtx) messageID() string {
	return strings.Trim(strings.TrimSpace(r.original.get("Message-ID")), "<>")
}

// token finds a VERP token: where the report was delivered to (the
// report's own To, X-Original-To, Delivered-To), then the original's
// Return-Path, which a complaint keeps even when the recipient is
// redacted.
func (r *reportCtx) token() string {
	var cands []string
	for _, name := range []string{"X-Original-To", "Delivered-To", "To", "Envelope-To"} {
		cands = append(cands, r.outer.all(name)...)
	}
	cands = append(cands, r.original.all("Return-Path")...)
	for _, c := range cands {
		if t := TokenFromAddress(c); t != "" {
			return t
		}
	}
	return ""
}

// date parses an RFC 5322 date, zero when absent or unreadable.
func date(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := mail.ParseDate(s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// typedAddress reads "rfc822; user@example.com" (RFC 3464 §2.3.2),
// lower-cased; an address of another type, or none, gives "".
func typedAddress(v string) string {
	typ, addr, ok := strings.Cut(v, ";")
	if !ok {
		addr, typ = typ, "rfc822"
	}
	typ = strings.ToLower(strings.TrimSpace(typ))
	if typ != "rfc822" && typ != "utf-8" {
		return ""
	}
	return cleanAddress(addr)
}

// cleanAddress takes the bare address out of <a@b>, "Name <a@b>" or
// a@b, lower-cased; "" when there is none.
func cleanAddress(s string) string {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	} else {
		s = strings.Trim(s, "<> ")
	}
	if strings.Count(s, "@") != 1 || strings.ContainsAny(s, " \t<>,;") || len(s) > 320 {
		return ""
	}
	return strings.ToLower(s)
}
