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
// its parts are split around the unsubscribe link, so that each
// recipient's message is written straight into one buffer, their own
// link between the pieces, with no copy of the whole message per
// recipient. It is safe for concurrent use.
type Template struct {
	m          *Message
	text, html [][]byte // pieces between the unsubscribe links, CRLF line ends
	boundary   string
}

// Template prepares m for WriteFor. m must not change afterwards.
func (m *Message) Template() *Template {
	t := &Template{m: m}
	text, htm := crlf(m.Text), crlf(m.HTML)
	sum := sha256.Sum256(append(append([]byte{}, text...), htm...))
	t.boundary = "cc-" + hex.EncodeToString(sum[:12])
	t.text = splitURL(text, m.Unsubscribe)
	t.html = splitURL(htm, html.EscapeString(m.Unsubscribe))
	return t
}

// WriteFor writes the message for one recipient into buf, as
// ForRecipient makes it: their To, the Date it is sent and their own
// unsubscribe link ("" leaves the brand's).
func (t *Template) WriteFor(buf *bytes.Buffer, to, unsubscribe string, date time.Time) error {
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
	textLink, htmlLink := t.m.Unsubscribe, html.EscapeString(t.m.Unsubscribe)
	if unsubscribe != "" {
		textLink, htmlLink = unsubscribe, html.EscapeString(unsubscribe)
	}
	for _, part := range []struct {
		ctype  string
		pieces [][]byte
		link   string
	}{{"text/plain; charset=utf-8", t.text, textLink}, {"text/html; charset=utf-8", t.html, htmlLink}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return fmt.Errorf("email: %w", err)
		}
		// The encoder keeps its line across writes, so writing the pieces
		// and links one after another encodes as the joined text would.
		qp := quotedprintable.NewWriter(pw)
		for i, p := range part.pieces {
			if i > 0 {
				if _, err := qp.Write([]byte(part.link)); err != nil {
					return fmt.Errorf("email: %w", err)
				}
			}
			if _, err := qp.Write(p); err != nil {
				return fmt.Errorf("email: %w", err)
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

// splitURL cuts b at every place old stands as a whole URL (as
// replaceURL replaces it); the pieces joined with old give b back.
func splitURL(b []byte, old string) [][]byte {
	if old == "" {
		return [][]byte{b}
	}
	var out [][]byte
	start, from := 0, 0
	for {
		i := bytes.Index(b[from:], []byte(old))
		if i < 0 {
			return append(out, b[start:])
		}
		i += from
		end := i + len(old)
		if end == len(b) || strings.ContainsRune("\"'<> \r\n", rune(b[end])) {
			out = append(out, b[start:i])
			start = end
		}
		from = end
	}
}
