package mailhdr

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	for _, tt := range []struct {
		name string
		fn   func(string) error
		ok   []string
		bad  []string
	}{
		{"Address", func(s string) error { _, err := Address(s); return err },
			[]string{"news@example.com", "a.b+c@mail.example.co.uk"},
			[]string{"", "a@x.example,b@y.example", "a@x.example, b@y.example", "Eve <e@x.example>", "<e@x.example>", "e@x.example (c)",
				"e@x.example\r\nBcc: v@x.example", "e@x.example\u2028", "e@x.example\u0085", "ü@x.example", "e@localhost", `"a b"@x.example`, "e@[1.2.3.4]"}},
		{"ListID", func(s string) error { _, _, err := ListID(s); return err },
			[]string{"news.example.com", "Our News <news.example.com>", `"Our News" <news.example.com>`},
			[]string{"", "news", "news example.com", "news.example.com\r\nBcc: x@y", "News <news.example.com>, <x.y>", "a <b> <news.example.com>", strings.Repeat("a", 250) + ".example"}},
		{"UnsubscribeTarget", UnsubscribeTarget,
			[]string{"https://example.com/u/", "https://example.com/u/t?x=1", "mailto:u@example.com", "mailto:u@example.com?subject=unsubscribe"},
			[]string{"http://example.com/u/", "javascript:alert(1)", "https://example.com/u/>, <https://evil.example/", "https://example.com/a b",
				"https://example.com/a,b", "https:///path", "https://user:pw@example.com/", "mailto:a@x.example,b@y.example", "mailto:a@x.example%2Cb@y.example",
				"mailto:", "https://example.com/" + strings.Repeat("a", 900), "https://exämple.com/"}},
		{"MessageID", MessageID,
			[]string{"<abc@example.com>", "<a.b@c.d>"},
			[]string{"abc@example.com", "<abc>", "<a b@c>", "<a@b>\r\nBcc: x", "<@b>", "<a@>"}},
	} {
		for _, s := range tt.ok {
			if err := tt.fn(s); err != nil {
				t.Errorf("%s(%q): %v", tt.name, s, err)
			}
		}
		for _, s := range tt.bad {
			if err := tt.fn(s); err == nil {
				t.Errorf("%s(%q) accepted", tt.name, s)
			}
		}
	}
}

// A refused value keeps the whole header from being written.
func TestBuilderRefuses(t *testing.T) {
	var h Header
	h.Text("Subject", "fine")
	h.Address("From", "Name", "a@x.example,b@y.example")
	h.Text("X-Other", "also fine")
	if b, err := h.Bytes(); err == nil || !strings.Contains(err.Error(), "From header: must be one address, not 2") {
		t.Errorf("got %q, %v", b, err)
	}
}

// Folding happens at single spaces only, so a parser's unfolding gives
// the value back; values with no fold point are encoded, not left long.
func TestFolding(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("word ", 300) + "end",
		"x" + strings.Repeat(" ", 100) + "y",
		" leading and trailing ",
		strings.Repeat("é", 500),
		"",
	} {
		var h Header
		h.Text("Subject", s)
		h.Address("From", s, "a@x.example")
		b, err := h.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
			if len(l) > SoftLine {
				t.Errorf("line of %d bytes: %q", len(l), l)
			}
		}
		m, err := mail.ReadMessage(strings.NewReader(string(b) + "\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil || got != s {
			t.Errorf("Subject %q reads back as %q (%v)", s, got, err)
		}
		if a, err := m.Header.AddressList("From"); s != "" && (err != nil || len(a) != 1 || a[0].Name != s) {
			t.Errorf("From name %q reads back as %v (%v)", s, a, err)
		}
	}
}
