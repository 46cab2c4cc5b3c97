package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
	"unicode"
)

// Header is one message header, in the order it is written.
type Header struct {
	Name, Value string
}

// cleanHeader makes a value from front matter or the brand safe for a
// header: line breaks (CR, LF, U+2028, U+2029), tabs and other control
// characters become spaces, so no value can end its header and start
// another. It reports whether anything changed.
func cleanHeader(s string) (string, bool) {
	changed := false
	out := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085' || unicode.IsControl(r) {
			changed = true
			return ' '
		}
		return r
	}, s)
	if changed {
		out = strings.Join(strings.Fields(out), " ")
	}
	return out, changed
}

// encodeWord RFC 2047-encodes s when it is not plain ASCII (subjects).
func encodeWord(s string) string {
	return mime.QEncoding.Encode("utf-8", s)
}

// phrase writes a display name for an address or List-Id: a quoted
// string when it is printable ASCII, else one base64 encoded word.
// mail.Address.String's Q encoding leaves a backslash bare, which
// net/mail then cannot read back (found by FuzzHeaders).
func phrase(s string) string {
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return mime.BEncoding.Encode("utf-8", s)
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// address is "name <addr>", or "<addr>" without a name.
func address(name, addr string) string {
	if name == "" {
		return "<" + addr + ">"
	}
	return phrase(name) + " <" + addr + ">"
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

// headers builds the message's headers. Every value has been through
// cleanHeader; names are fixed here.
func (m *message) headers() []Header {
	hs := []Header{{"From", address(m.FromName, m.FromAddress)}}
	if m.ReplyTo != "" {
		hs = append(hs, Header{"Reply-To", address("", m.ReplyTo)})
	}
	hs = append(hs, Header{"Subject", encodeWord(m.Subject)})
	if !m.Date.IsZero() {
		hs = append(hs, Header{"Date", m.Date.UTC().Format(time.RFC1123Z)})
	}
	hs = append(hs, Header{"Message-ID", m.MessageID})
	if m.ListID != "" {
		hs = append(hs, Header{"List-Id", fmt.Sprintf("%s <%s>", phrase(m.ListName), m.ListID)})
	}
	var unsub []string
	for _, u := range []string{m.UnsubscribeURL, m.UnsubscribeTo} {
		if u != "" {
			unsub = append(unsub, "<"+u+">")
		}
	}
	if len(unsub) > 0 {
		hs = append(hs, Header{"List-Unsubscribe", strings.Join(unsub, ", ")})
		if m.UnsubscribeURL != "" {
			// RFC 8058: the https URL takes a POST with this body, no
			// further step.
			hs = append(hs, Header{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"})
		}
	}
	return append(hs, Header{"MIME-Version", "1.0"})
}

// eml writes the message as multipart/alternative: the text part, then
// the HTML part (clients show the last part they can), both
// quoted-printable UTF-8. The boundary is derived from the content, so
// the same message is the same bytes.
func (m *message) eml() ([]byte, error) {
	var buf bytes.Buffer
	for _, h := range m.headers() {
		fmt.Fprintf(&buf, "%s: %s\r\n", h.Name, h.Value)
	}
	if err := writeBody(&buf, m.Text, m.HTML); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeBody writes the Content-Type header, the blank line and the
// multipart body.
func writeBody(buf *bytes.Buffer, text, html []byte) error {
	sum := sha256.Sum256(append(append([]byte{}, text...), html...))
	boundary := "cc-" + hex.EncodeToString(sum[:12])
	fmt.Fprintf(buf, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", boundary)
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
