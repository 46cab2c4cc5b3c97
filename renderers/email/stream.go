package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
)

// Template is a Message prepared once for sending to many recipients:
// its parts are cut at every place a recipient's message differs (the
// unsubscribe and manage-preferences links, and, for an A/B test, the
// end of each tracked link, where their click token goes), so that each
// recipient's message is written straight into one buffer, their own
// pieces between the brand's, with no copy of the whole message per
// recipient. It is safe for concurrent use.
type Template struct {
	m          *Message
	text, html []piece // CRLF line ends
	boundary   string
}

// A piece is a run of the message, then what goes after it.
type piece struct {
	b    []byte
	hole hole
}

type hole int

const (
	holeNone   hole = iota // the end of the part
	holeUnsub              // the recipient's unsubscribe link
	holeManage             // the recipient's preference-centre link
	holeQuery              // the recipient's query on a tracked link
)

// Template prepares m for WriteFor. Tracked links (trackPrefix and a
// code, as WithLinkQuery finds them) get the recipient's link query;
// "" leaves every tracked link as it is. m must not change afterwards.
func (m *Message) Template(trackPrefix string) *Template {
	t := &Template{m: m}
	text, htm := crlf(m.Text), crlf(m.HTML)
	sum := sha256.Sum256(append(append([]byte{}, text...), htm...))
	t.boundary = "cc-" + hex.EncodeToString(sum[:12])
	t.text = cut(text, m.Unsubscribe, m.Manage, trackPrefix)
	t.html = cut(htm, html.EscapeString(m.Unsubscribe), html.EscapeString(m.Manage), html.EscapeString(trackPrefix))
	return t
}

// WriteFor writes the message for one recipient into buf, as
// ForRecipient makes it: their To, the Date it is sent and their own
// unsubscribe and preference links ("" leaves the brand's); query, when
// not "", goes after every tracked link, as WithLinkQuery puts it.
func (t *Template) WriteFor(buf *bytes.Buffer, to, unsubscribe string, date time.Time, query string) error {
	h, err := t.m.headersFor(to, unsubscribe, date)
	if err != nil {
		return err
	}
	h.Token("Content-Type", fmt.Sprintf("multipart/alternative; boundary=%q", t.boundary))
	if _, err := h.WriteTo(buf); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	buf.WriteString("\r\n")
	mw := multipart.NewWriter(buf)
	if err := mw.SetBoundary(t.boundary); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	unsub, manage := t.m.Unsubscribe, t.m.Manage
	if unsubscribe != "" && t.m.Unsubscribe != "" {
		unsub, manage = unsubscribe, ManageURL(unsubscribe)
	}
	for _, part := range []struct {
		ctype  string
		pieces []piece
		esc    func(string) string
	}{
		{"text/plain; charset=utf-8", t.text, func(s string) string { return s }},
		{"text/html; charset=utf-8", t.html, html.EscapeString},
	} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return fmt.Errorf("email: %w", err)
		}
		fill := map[hole][]byte{
			holeUnsub: []byte(part.esc(unsub)), holeManage: []byte(part.esc(manage)), holeQuery: []byte(part.esc(query)),
		}
		// The encoder keeps its line across writes, so writing the pieces
		// and links one after another encodes as the joined text would.
		qp := quotedprintable.NewWriter(pw)
		for _, p := range part.pieces {
			if _, err := qp.Write(p.b); err != nil {
				return fmt.Errorf("email: %w", err)
			}
			if p.hole != holeNone {
				if _, err := qp.Write(fill[p.hole]); err != nil {
					return fmt.Errorf("email: %w", err)
				}
			}
		}
		if err := qp.Close(); err != nil {
			return fmt.Errorf("email: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return nil
}

// cut cuts b into pieces at the unsubscribe and manage links (where
// they stand as whole URLs, as replaceURL replaces them) and after each
// tracked link (as appendToLinks finds them: prefix, a code, no query
// of its own yet).
func cut(b []byte, unsub, manage, prefix string) []piece {
	var out []piece
	start := 0
	for i := 0; i < len(b); {
		switch {
		case manage != "" && wholeURLAt(b, i, manage):
			out = append(out, piece{b[start:i], holeManage})
			i += len(manage)
			start = i
		case unsub != "" && wholeURLAt(b, i, unsub):
			out = append(out, piece{b[start:i], holeUnsub})
			i += len(unsub)
			start = i
		case prefix != "" && bytes.HasPrefix(b[i:], []byte(prefix)):
			end := i + len(prefix)
			for end < len(b) && (b[end] >= 'a' && b[end] <= 'z' || b[end] >= '0' && b[end] <= '9') {
				end++
			}
			if end > i+len(prefix) && (end == len(b) || b[end] != '?') {
				out = append(out, piece{b[start:end], holeQuery})
				start = end
			}
			i = end
		default:
			i++
		}
	}
	return append(out, piece{b[start:], holeNone})
}

// wholeURLAt reports whether url stands at b[i:] as a whole URL: ended
// by a quote, a bracket, a space or the end of a line.
func wholeURLAt(b []byte, i int, url string) bool {
	if !bytes.HasPrefix(b[i:], []byte(url)) {
		return false
	}
	end := i + len(url)
	return end == len(b) || strings.ContainsRune("\"'<> \r\n", rune(b[end]))
}
