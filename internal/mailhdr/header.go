package mailhdr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"
)

// Field is one header field: its value encoded (RFC 2047) but not
// folded, as a parser gives it back after unfolding.
type Field struct {
	Name, Value string
}

// Header builds a message header. Each method checks its value for the
// header's kind; the first refusal is kept and returned by Err and
// WriteTo, so a header with a bad value is never written.
type Header struct {
	fields []Field
	err    error
}

func (h *Header) fail(name string, err error) {
	if h.err == nil {
		h.err = fmt.Errorf("%s header: %w", name, err)
	}
}

func (h *Header) add(name, value string) { h.fields = append(h.fields, Field{name, value}) }

// firstBudget is the room for a value's first token on the header's
// first line: "Name: " comes before it.
func firstBudget(name string) int { return max(SoftLine-len(name)-2, 20) }

// Address adds From, Reply-To or To: exactly one address, with an
// optional display name.
func (h *Header) Address(name, display, addr string) {
	a, err := Address(addr)
	if err != nil {
		h.fail(name, err)
		return
	}
	if display == "" {
		h.add(name, "<"+a+">")
		return
	}
	p, err := phrase(display, firstBudget(name))
	if err != nil {
		h.fail(name, fmt.Errorf("display name %w", err))
		return
	}
	h.add(name, p+" <"+a+">")
}

// Text adds an unstructured header such as Subject: plain when it is
// plain ASCII that folds, else encoded-words.
func (h *Header) Text(name, text string) {
	if err := CheckText(text); err != nil {
		h.fail(name, err)
		return
	}
	if plainText(text, firstBudget(name)) {
		h.add(name, text)
		return
	}
	h.add(name, encodeText(text, firstBudget(name), false))
}

// ListID adds List-Id: the description (may be empty) and the id.
func (h *Header) ListID(description, id string) {
	if err := checkListID(id); err != nil {
		h.fail("List-Id", err)
		return
	}
	if description == "" {
		h.add("List-Id", "<"+id+">")
		return
	}
	p, err := phrase(description, firstBudget("List-Id"))
	if err != nil {
		h.fail("List-Id", fmt.Errorf("description %w", err))
		return
	}
	h.add("List-Id", p+" <"+id+">")
}

// ListUnsubscribe adds List-Unsubscribe with each target (https or
// mailto) in angle brackets.
func (h *Header) ListUnsubscribe(targets ...string) {
	if len(targets) == 0 {
		h.fail("List-Unsubscribe", errors.New("has no target"))
		return
	}
	quoted := make([]string, len(targets))
	for i, t := range targets {
		if err := UnsubscribeTarget(t); err != nil {
			h.fail("List-Unsubscribe", fmt.Errorf("target %q %w", t, err))
			return
		}
		quoted[i] = "<" + t + ">"
	}
	h.add("List-Unsubscribe", strings.Join(quoted, ", "))
}

// MessageID adds Message-ID.
func (h *Header) MessageID(id string) {
	if err := MessageID(id); err != nil {
		h.fail("Message-ID", err)
		return
	}
	h.add("Message-ID", id)
}

// Date adds Date.
func (h *Header) Date(t time.Time) { h.add("Date", t.UTC().Format(time.RFC1123Z)) }

// Token adds a header whose value is fixed by the program (MIME-Version,
// List-Unsubscribe-Post, Content-Type): printable ASCII, checked all the
// same.
func (h *Header) Token(name, value string) {
	if err := CheckText(value); err != nil || !printableASCII(value) {
		h.fail(name, errors.New("must be printable ASCII"))
		return
	}
	h.add(name, value)
}

// Add adds a field read back from a message this package wrote, checked
// again by its name's kind: what goes out is built here whatever its
// source.
func (h *Header) Add(f Field) {
	if !validName(f.Name) {
		h.fail(f.Name, errors.New("is not a header name"))
		return
	}
	if err := CheckText(f.Value); err != nil {
		h.fail(f.Name, err)
		return
	}
	switch strings.ToLower(f.Name) {
	case "from", "reply-to", "to":
		list, err := mail.ParseAddressList(f.Value)
		if err != nil || len(list) != 1 {
			h.fail(f.Name, fmt.Errorf("must be one address, not %q", f.Value))
			return
		}
		h.Address(f.Name, list[0].Name, list[0].Address)
	case "subject":
		text, err := new(mime.WordDecoder).DecodeHeader(f.Value)
		if err != nil {
			h.fail(f.Name, err)
			return
		}
		h.Text(f.Name, text)
	case "list-id":
		desc, id, err := readListID(f.Value)
		if err != nil {
			h.fail(f.Name, err)
			return
		}
		h.ListID(desc, id)
	case "list-unsubscribe":
		h.ListUnsubscribe(UnsubscribeTargets(f.Value)...)
	case "message-id":
		h.MessageID(f.Value)
	case "date":
		t, err := mail.ParseDate(f.Value)
		if err != nil {
			h.fail(f.Name, err)
			return
		}
		h.Date(t)
	default:
		h.Token(f.Name, f.Value)
	}
}

// UnsubscribeTargets splits a List-Unsubscribe value into its targets.
func UnsubscribeTargets(v string) []string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(t, "<"), ">"))
	}
	return out
}

// readListID parses a List-Id value as written: [phrase] <id>.
func readListID(v string) (string, string, error) {
	i := strings.LastIndexByte(v, '<')
	if i < 0 || !strings.HasSuffix(v, ">") {
		return "", "", fmt.Errorf("%q is not phrase <id>", v)
	}
	id, desc := v[i+1:len(v)-1], strings.TrimSpace(v[:i])
	if desc != "" {
		// net/mail decodes a phrase's quoting and encoded-words.
		a, err := mail.ParseAddress(desc + " <x@x.example>")
		if err != nil {
			return "", "", fmt.Errorf("description %q: %w", desc, err)
		}
		desc = a.Name
	}
	return desc, id, nil
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] <= ' ' || name[i] > '~' || name[i] == ':' {
			return false
		}
	}
	return true
}

// phrase writes a display name: a quoted string when it is printable
// ASCII and short, else encoded-words (net/mail cannot read back
// mail.Address.String's Q encoding of a backslash, found by FuzzHeaders).
func phrase(s string, first int) (string, error) {
	if err := CheckText(s); err != nil {
		return "", err
	}
	if plainPhrase(s, first) {
		return quote(s), nil
	}
	return encodeText(s, first, true), nil
}

// Fields returns the fields added so far, unfolded.
func (h *Header) Fields() []Field { return h.fields }

// Err returns the first value refused.
func (h *Header) Err() error { return h.err }

// Bytes returns the header folded, each line ended by CRLF, without the
// blank line that ends a header.
func (h *Header) Bytes() ([]byte, error) {
	if h.err != nil {
		return nil, h.err
	}
	var buf bytes.Buffer
	for _, f := range h.fields {
		if err := writeFolded(&buf, f); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// WriteTo writes Bytes to w.
func (h *Header) WriteTo(w io.Writer) (int64, error) {
	b, err := h.Bytes()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// writeFolded writes "Name: value" folded (RFC 5322 §2.2.3) at single
// spaces between non-space characters, the only places where folding
// and a parser's unfolding give back the same value: lines keep to 78
// bytes when the value's words allow and never pass 998.
func writeFolded(buf *bytes.Buffer, f Field) error {
	line := f.Name + ":"
	v := f.Value
	seg := 0 // start of the current segment in v
	emit := func(s string) {
		if len(line)+len(s) > SoftLine && strings.ContainsRune(line, ' ') {
			buf.WriteString(line + "\r\n")
			line = ""
		}
		line += s
	}
	first := true
	for i := 1; i < len(v); i++ {
		if v[i] == ' ' && v[i-1] != ' ' && i+1 < len(v) && v[i+1] != ' ' {
			if first {
				emit(" " + v[seg:i])
				first = false
			} else {
				emit(v[seg:i])
			}
			seg = i
			if len(line) > MaxLine {
				return fmt.Errorf("%s header: a line would be %d bytes, over %d", f.Name, len(line), MaxLine)
			}
		}
	}
	if first {
		emit(" " + v[seg:])
	} else {
		emit(v[seg:])
	}
	if len(line) > MaxLine {
		return fmt.Errorf("%s header: a line would be %d bytes, over %d", f.Name, len(line), MaxLine)
	}
	buf.WriteString(line + "\r\n")
	return nil
}
