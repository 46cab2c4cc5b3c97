package email

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/internal/mailhdr"
)

// Message is a rendered .eml taken apart for sending: its headers and its
// text and HTML parts, decoded.
type Message struct {
	Headers    []Header
	Text, HTML []byte
	// Unsubscribe is the brand's unsubscribe URL the rendering carries;
	// ForRecipient replaces it with the recipient's own link.
	Unsubscribe string
	// Manage is the rendering's preference-centre link, ManageURL of
	// Unsubscribe; ForRecipient replaces it with the recipient's own.
	Manage string
}

// ManagePath follows a recipient's unsubscribe link to their preference
// centre: GET <unsubscribe>/preferences (server/reader).
const ManagePath = "/preferences"

// ManageURL is the "Manage preferences" link beside unsubscribe: the
// unsubscribe URL (the brand's, or a recipient's with their token)
// followed by ManagePath; "" when there is no unsubscribe URL.
func ManageURL(unsubscribe string) string {
	if unsubscribe == "" {
		return ""
	}
	return strings.TrimRight(unsubscribe, "/") + ManagePath
}

// ParseEML reads an .eml this package wrote. unsubscribe is the brand's
// unsubscribe URL as rendered ("" when it has none).
func ParseEML(eml []byte, unsubscribe string) (*Message, error) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(eml)))
	m := &Message{Unsubscribe: unsubscribe, Manage: ManageURL(unsubscribe)}
	var ctype string
	for {
		line, err := tp.ReadContinuedLine() // unfolds
		if err != nil {
			return nil, fmt.Errorf("email: headers: %w", err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("email: header line %q", line)
		}
		if strings.EqualFold(name, "Content-Type") {
			ctype = value
			continue
		}
		m.Headers = append(m.Headers, Header{Name: name, Value: value})
	}
	_, params, err := mime.ParseMediaType(ctype)
	if err != nil || params["boundary"] == "" {
		return nil, fmt.Errorf("email: not a multipart message (%q)", ctype)
	}
	mr := multipart.NewReader(tp.R, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("email: body: %w", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("email: body: %w", err)
		}
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		switch {
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
			m.Text = b
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
			m.HTML = b
		}
	}
	return m, nil
}

// MessageID returns the Message-ID header, angle brackets included.
func (m *Message) MessageID() string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, "Message-ID") {
			return h.Value
		}
	}
	return ""
}

var (
	hrefRE    = regexp.MustCompile(`href="(https?://[^"]+)"`)
	textURLRE = regexp.MustCompile(`https?://[^\s<>()"]+[^\s<>()".,;:!?]`)
)

// RewriteLinks passes every http(s) link of both parts through fn (the
// unsubscribe link excepted, which must stay one click away, and the
// preference-centre link, which ForRecipient makes the recipient's own),
// such as a click-tracking redirect.
func (m *Message) RewriteLinks(fn func(string) string) {
	keep := func(u string) bool { return m.Unsubscribe != "" && (u == m.Unsubscribe || u == m.Manage) }
	m.HTML = hrefRE.ReplaceAllFunc(m.HTML, func(b []byte) []byte {
		u := html.UnescapeString(string(b[len(`href="`) : len(b)-1]))
		if keep(u) {
			return b
		}
		return []byte(`href="` + html.EscapeString(fn(u)) + `"`)
	})
	m.Text = textURLRE.ReplaceAllFunc(m.Text, func(b []byte) []byte {
		if keep(string(b)) {
			return b
		}
		return []byte(fn(string(b)))
	})
}

// WithLinkQuery returns a copy of the message in which every link that
// starts with prefix (a tracked-link base such as https://x/r/) and runs
// on with letters and digits gets query appended ("?t=…"), in both
// parts. The copy shares the headers; m is unchanged.
func (m *Message) WithLinkQuery(prefix, query string) *Message {
	c := *m
	c.HTML = appendToLinks(m.HTML, html.EscapeString(prefix), html.EscapeString(query))
	c.Text = appendToLinks(m.Text, prefix, query)
	return &c
}

func appendToLinks(b []byte, prefix, query string) []byte {
	if prefix == "" || query == "" || !bytes.Contains(b, []byte(prefix)) {
		return b
	}
	out := make([]byte, 0, len(b)+len(query)*8)
	for {
		i := bytes.Index(b, []byte(prefix))
		if i < 0 {
			return append(out, b...)
		}
		end := i + len(prefix)
		for end < len(b) && (b[end] >= 'a' && b[end] <= 'z' || b[end] >= '0' && b[end] <= '9') {
			end++
		}
		out = append(out, b[:end]...)
		if end > i+len(prefix) && (end == len(b) || b[end] != '?') {
			out = append(out, query...)
		}
		b = b[end:]
	}
}

// ForRecipient writes the message for one address: a To header, the
// Date it is sent (date, replacing the rendering's), and the recipient's
// own unsubscribe link in List-Unsubscribe and in both parts. Every
// header goes through mailhdr again, so a bad address or link is refused
// here rather than written.
func (m *Message) ForRecipient(to, unsubscribe string, date time.Time) ([]byte, error) {
	h, err := m.headersFor(to, unsubscribe, date)
	if err != nil {
		return nil, err
	}
	swap := func(s string) string {
		if m.Unsubscribe == "" || unsubscribe == "" {
			return s
		}
		if m.Manage != "" {
			s = replaceURL(s, m.Manage, ManageURL(unsubscribe))
		}
		return replaceURL(s, m.Unsubscribe, unsubscribe)
	}
	esc := html.EscapeString(m.Unsubscribe)
	htmlPart := string(m.HTML)
	if m.Unsubscribe != "" && unsubscribe != "" {
		if m.Manage != "" {
			htmlPart = replaceURL(htmlPart, html.EscapeString(m.Manage), html.EscapeString(ManageURL(unsubscribe)))
		}
		htmlPart = replaceURL(htmlPart, esc, html.EscapeString(unsubscribe))
	}
	var buf bytes.Buffer
	if err := writeBody(&buf, h, []byte(swap(string(m.Text))), []byte(htmlPart)); err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return buf.Bytes(), nil
}

// headersFor checks a recipient's address and unsubscribe link and
// makes their message's headers.
func (m *Message) headersFor(to, unsubscribe string, date time.Time) (*mailhdr.Header, error) {
	if _, err := mailhdr.Address(to); err != nil {
		return nil, fmt.Errorf("email: recipient %q %w", to, err)
	}
	if unsubscribe != "" {
		if err := mailhdr.HTTPSURL(unsubscribe); err != nil {
			return nil, fmt.Errorf("email: unsubscribe URL %q %w", unsubscribe, err)
		}
	}
	swap := func(s string) string {
		if m.Unsubscribe == "" || unsubscribe == "" {
			return s
		}
		if m.Manage != "" {
			s = replaceURL(s, m.Manage, ManageURL(unsubscribe))
		}
		return replaceURL(s, m.Unsubscribe, unsubscribe)
	}
	h := &mailhdr.Header{}
	for _, f := range m.Dated(date) {
		if strings.EqualFold(f.Name, "List-Unsubscribe") {
			targets := mailhdr.UnsubscribeTargets(f.Value)
			for i, t := range targets {
				targets[i] = swap(t)
			}
			h.ListUnsubscribe(targets...)
		} else {
			h.Add(f)
		}
		if strings.EqualFold(f.Name, "From") {
			h.Address("To", "", to)
		}
	}
	if err := h.Err(); err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return h, nil
}

// Dated returns the headers with Date set to date, the time the message
// is sent: the rendering's Date (the item's date, for a stable preview)
// is replaced, or a Date added after From when there was none.
func (m *Message) Dated(date time.Time) []Header {
	var d mailhdr.Header
	d.Date(date)
	stamp := d.Fields()[0]
	out := make([]Header, 0, len(m.Headers)+1)
	dated := false
	for _, f := range m.Headers {
		if strings.EqualFold(f.Name, "Date") {
			f, dated = stamp, true
		}
		out = append(out, f)
	}
	if !dated {
		i := slices.IndexFunc(out, func(f Header) bool { return strings.EqualFold(f.Name, "Subject") })
		out = slices.Insert(out, i+1, stamp)
	}
	return out
}

// replaceURL replaces old where it stands as a whole URL: followed by a
// quote, angle bracket, space or line end, so that a longer URL starting
// with the same text is left alone.
func replaceURL(s, old, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		whole := end == len(s) || strings.ContainsRune("\"'<> \r\n", rune(s[end]))
		b.WriteString(s[:i])
		if whole {
			b.WriteString(repl)
		} else {
			b.WriteString(old)
		}
		s = s[end:]
	}
}
