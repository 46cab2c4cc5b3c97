package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
	"unicode"

	"github.com/crosscast/crosscast/internal/mailhdr"
)

// Header is one message header, in the order it is written.
type Header = mailhdr.Field

// cleanHeader makes a value from front matter safe for a header: line
// breaks (CR, LF, U+2028, U+2029), tabs and other control characters
// become spaces, so a writer's subject cannot end its header and start
// another. It reports whether anything changed. Brand values are not
// cleaned: the brand loader refuses them.
func cleanHeader(s string) (string, bool) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if mailhdr.CheckText(s) == nil {
		return s, false
	}
	out := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085' || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(out), " "), true
}

// message is what the .eml is built from.
type message struct {
	FromName, FromAddress, ReplyTo string
	Subject                        string
	Date                           time.Time // zero: no Date (the sender stamps it)
	MessageID                      string
	ListName, ListID               string
	UnsubscribeURL, UnsubscribeTo  string // https and mailto targets
	Text, HTML                     []byte
}

// headers builds the message's headers, every value checked by kind,
// encoded and folded by mailhdr.
func (m *message) headers() *mailhdr.Header {
	var h mailhdr.Header
	h.Address("From", m.FromName, m.FromAddress)
	if m.ReplyTo != "" {
		h.Address("Reply-To", "", m.ReplyTo)
	}
	h.Text("Subject", m.Subject)
	if !m.Date.IsZero() {
		h.Date(m.Date)
	}
	h.MessageID(m.MessageID)
	if m.ListID != "" {
		h.ListID(m.ListName, m.ListID)
	}
	var unsub []string
	for _, u := range []string{m.UnsubscribeURL, m.UnsubscribeTo} {
		if u != "" {
			unsub = append(unsub, u)
		}
	}
	if len(unsub) > 0 {
		h.ListUnsubscribe(unsub...)
		if m.UnsubscribeURL != "" {
			// RFC 8058: the https URL takes a POST with this body, no
			// further step.
			h.Token("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		}
	}
	h.Token("MIME-Version", "1.0")
	return &h
}

// eml writes the message as multipart/alternative: the text part, then
// the HTML part (clients show the last part they can), both
// quoted-printable UTF-8. The boundary is derived from the content, so
// the same message is the same bytes.
func (m *message) eml() ([]byte, error) {
	var buf bytes.Buffer
	if err := writeBody(&buf, m.headers(), m.Text, m.HTML); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeBody writes the header with its Content-Type, the blank line and
// the multipart body.
func writeBody(buf *bytes.Buffer, h *mailhdr.Header, text, html []byte) error {
	sum := sha256.Sum256(append(append([]byte{}, text...), html...))
	boundary := "cc-" + hex.EncodeToString(sum[:12])
	h.Token("Content-Type", fmt.Sprintf("multipart/alternative; boundary=%q", boundary))
	if _, err := h.WriteTo(buf); err != nil {
		return err
	}
	buf.WriteString("\r\n")
	mw := multipart.NewWriter(buf)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	for _, part := range []struct {
		ctype string
		body  []byte
	}{{"text/plain; charset=utf-8", text}, {"text/html; charset=utf-8", html}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write(crlf(part.body)); err != nil {
			return err
		}
		if err := qp.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

// crlf turns bare LF line ends into CRLF, as MIME text wants.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// messageID is deterministic from (item, version, variant, domain): the
// same email rendered twice has the same id, so a receiving system sees
// a repeat as a repeat.
func messageID(item, version, variant, domain string) string {
	sum := sha256.Sum256([]byte(item + "\x00" + version + "\x00" + variant + "\x00" + domain))
	return "<" + hex.EncodeToString(sum[:16]) + "@" + domain + ">"
}
