package bounce

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
)

// Limits bound what one message may cost to read. The zero value gives
// the defaults.
type Limits struct {
	// MaxSize is the most bytes a message may have; 0: 4 MiB. A bounce
	// that returns a large original is cut by the sending server long
	// before this.
	MaxSize int
	// MaxParts bounds the MIME parts of a message, nested ones included;
	// 0: 100.
	MaxParts int
	// MaxDepth bounds nesting (multipart in message/rfc822 in
	// multipart…); 0: 8.
	MaxDepth int
	// MaxRecipients bounds the events one report gives; 0: 500.
	MaxRecipients int
}

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = 4 << 20
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 100
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 8
	}
	if l.MaxRecipients <= 0 {
		l.MaxRecipients = 500
	}
	return l
}

// Errors a parser returns; a caller tells "not for us" from "broken".
var (
	// ErrNotReport: the message is neither a delivery status
	// notification nor a feedback report (an auto-reply, say).
	ErrNotReport = errors.New("bounce: not a delivery status or feedback report")
	// ErrTooLarge: the message is over a limit.
	ErrTooLarge = errors.New("bounce: message over the size or structure limit")
)

// field is one header field, unfolded.
type field struct{ name, value string }

type header []field

// get returns the first value of a field, case-insensitively.
func (h header) get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// all returns every value of a field.
func (h header) all(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// nextLine returns the first line of b without its line end, and the rest.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.TrimSuffix(b, []byte("\r")), nil
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), b[i+1:]
}

// readFields reads one block of header fields up to the first empty
// line, and returns it with what follows. It is lenient where mail
// servers are sloppy: a line without a colon is skipped, a blank line of
// spaces ends the block, bare LF is a line end. At most max fields are
// kept.
func readFields(b []byte, max int) (header, []byte) {
	var h header
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		if len(bytes.TrimSpace(line)) == 0 {
			return h, b
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) > 0 {
				last := &h[len(h)-1]
				last.value = strings.TrimSpace(last.value + " " + strings.TrimSpace(string(line)))
			}
			continue
		}
		name, value, ok := strings.Cut(string(line), ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			continue
		}
		if len(h) < max {
			h = append(h, field{name, strings.TrimSpace(value)})
		}
	}
	return h, nil
}

// readBlocks reads groups of fields separated by empty lines, as in a
// message/delivery-status body (RFC 3464 §2.1); at most max groups.
func readBlocks(b []byte, max int) []header {
	var out []header
	for len(b) > 0 && len(out) < max {
		// Skip the empty lines between groups.
		for len(b) > 0 {
			line, rest := nextLine(b)
			if len(bytes.TrimSpace(line)) != 0 {
				break
			}
			b = rest
		}
		if len(b) == 0 {
			break
		}
		var h header
		h, b = readFields(b, 200)
		if len(h) > 0 {
			out = append(out, h)
		}
	}
	return out
}

// part is one MIME entity, its body decoded.
type part struct {
	header    header
	mediaType string // lower case
	params    map[string]string
	body      []byte
	children  []*part // multipart parts, or the message of a message/rfc822
}

// walker builds the tree of a message within the limits.
type walker struct {
	ctx   context.Context
	lim   Limits
	parts int
}

func parseMessage(ctx context.Context, raw []byte, lim Limits) (*part, error) {
	lim = lim.withDefaults()
	if len(raw) > lim.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(raw), lim.MaxSize)
	}
	w := &walker{ctx: ctx, lim: lim}
	return w.entity(raw, 0, "text/plain")
}

// entity reads a header and body; defaultType is what a missing
// Content-Type means (message/rfc822 inside multipart/digest, else
// text/plain).
func (w *walker) entity(raw []byte, depth int, defaultType string) (*part, error) {
	if err := w.ctx.Err(); err != nil {
		return nil, fmt.Errorf("bounce: %w", err)
	}
	w.parts++
	if w.parts > w.lim.MaxParts || depth > w.lim.MaxDepth {
		return nil, fmt.Errorf("%w: more than %d parts or %d levels", ErrTooLarge, w.lim.MaxParts, w.lim.MaxDepth)
	}
	h, body := readFields(raw, 1000)
	p := &part{header: h, mediaType: defaultType}
	if ct := h.get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err == nil || errors.Is(err, mime.ErrInvalidMediaParameter) {
			p.mediaType, p.params = strings.ToLower(mt), params
		}
	}
	switch {
	case strings.HasPrefix(p.mediaType, "multipart/"):
		return p, w.multipart(p, body, depth)
	case p.mediaType == "message/rfc822" || p.mediaType == "message/global":
		p.body = decode(h.get("Content-Transfer-Encoding"), body)
		child, err := w.entity(p.body, depth+1, "text/plain")
		if err != nil {
			return nil, err
		}
		p.children = []*part{child}
	default:
		p.body = decode(h.get("Content-Transfer-Encoding"), body)
	}
	return p, nil
}

func (w *walker) multipart(p *part, body []byte, depth int) error {
	boundary := p.params["boundary"]
	if boundary == "" {
		p.body = body
		return nil
	}
	childType := "text/plain"
	if p.mediaType == "multipart/digest" {
		childType = "message/rfc822"
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		rp, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// A broken or unterminated multipart keeps the parts read so
			// far: a truncated bounce still has its report near the top.
			return nil
		}
		raw, err := io.ReadAll(rp)
		if err != nil && len(raw) == 0 {
			return nil
		}
		// The part's header was consumed by the multipart reader: write
		// it back in front of the body so entity reads both the same way.
		var b bytes.Buffer
		for name, vals := range rp.Header {
			for _, v := range vals {
				b.WriteString(name + ": " + v + "\r\n")
			}
		}
		b.WriteString("\r\n")
		b.Write(raw)
		child, err := w.entity(b.Bytes(), depth+1, childType)
		if err != nil {
			return err
		}
		p.children = append(p.children, child)
	}
}

// decode undoes a Content-Transfer-Encoding; a body that does not decode
// is kept as it is.
func decode(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, body)
		if out, err := base64.StdEncoding.DecodeString(string(clean)); err == nil {
			return out
		}
		// Some servers drop the padding.
		if out, err := base64.RawStdEncoding.DecodeString(string(bytes.TrimRight(clean, "="))); err == nil {
			return out
		}
		return body
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return body
		}
		return out
	}
	return body
}
