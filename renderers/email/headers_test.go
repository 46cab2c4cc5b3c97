package email

import (
	"bufio"
	"bytes"
	"context"
	"mime"
	"net/mail"
	"strings"
	"testing"

	"github.com/rivo/uniseg"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
)

const testLogo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`

const goodBrand = `name: "Fjellbu"
site: https://fjellbu.example
colors: {primary: "#0b6e4f", text: "#102a43", background: "#ffffff"}
logo: {src: logo.svg}
email:
  from_name: "Fjellbu"
  from_address: news@fjellbu.example
  unsubscribe_url: https://fjellbu.example/u/
  unsubscribe_mailto: mailto:unsubscribe@fjellbu.example
`

func testBrand(t *testing.T) *content.Brand {
	t.Helper()
	b, err := content.LoadBrand(memfs.FS{"brand.yaml": []byte(goodBrand), "logo.svg": []byte(testLogo)}, "fjellbu", "brand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// renderEML renders an item with the given subject and returns its .eml.
// Short subjects are the title, as most items have it; one past the
// title's own limit comes through email.subject, which has none.
func renderEML(t *testing.T, b *content.Brand, subject string) []byte {
	t.Helper()
	src := "---\ntitle: " + yamlQuote(subject) + "\n---\nBody.\n"
	if len(subject) > content.MaxTitleBytes || uniseg.GraphemeClusterCount(subject) > content.MaxTitleGraphemes {
		src = "---\ntitle: Long subject\nemail:\n  subject: " + yamlQuote(subject) + "\n---\nBody.\n"
	}
	it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, files := render(t, it, b)
	return files["email.eml"]
}

func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// headerLines returns the header's physical lines, CRLF removed, and
// fails on a bare CR or LF.
func headerLines(t *testing.T, eml []byte) []string {
	t.Helper()
	head, _, ok := bytes.Cut(eml, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no end of header")
	}
	lines := strings.Split(string(head), "\r\n")
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in header line %q", l)
		}
	}
	return lines
}

func subjectOf(t *testing.T, eml []byte) (string, mail.Header) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(eml))
	if err != nil {
		t.Fatal(err)
	}
	s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s, msg.Header
}

// A subject as long as an item may have (content.MaxTitleGraphemes and
// MaxTitleBytes), ASCII or not, is folded: every header line keeps to 78
// bytes (the content allows it: words, or encoded-words of at most 75
// characters), and the subject reads back as it was written.
func TestLongSubjectFolded(t *testing.T) {
	b := testBrand(t)
	// fit cuts s to the longest subject an item may have.
	fit := func(s string) string {
		out, n := "", 0
		for g := uniseg.NewGraphemes(s); g.Next() && n < content.MaxTitleGraphemes && len(out)+len(g.Str()) <= content.MaxTitleBytes; n++ {
			out += g.Str()
		}
		return out
	}
	words := strings.Repeat("Kungsleden trail report ", 2500)[:60000]
	words = strings.TrimSpace(words)
	tests := map[string]string{
		"ascii words":     words,
		"ascii one word":  strings.Repeat("a", 60000),
		"non-ascii":       strings.Repeat("Fjällräven på Kungsleden — 🎉 ", 1500),
		"cjk":             strings.Repeat("山道を歩く", 4000),
		"zalgo":           "Z" + strings.Repeat("\u0301", 1000) + " ok",
		"family emoji":    strings.Repeat("👨‍👩‍👧‍👦", 2000),
		"double spaces":   strings.Repeat("a  b ", 12000),
		"ascii long word": "Hi " + strings.Repeat("x", 200) + " there",
	}
	for name, subject := range tests {
		t.Run(name, func(t *testing.T) {
			subject = strings.TrimSpace(fit(subject))
			eml := renderEML(t, b, subject)
			for _, l := range headerLines(t, eml) {
				if len(l) > 78 {
					t.Fatalf("a header line is %d bytes: %.100q", len(l), l)
				}
			}
			got, _ := subjectOf(t, eml)
			if got != subject {
				t.Errorf("subject reads back as %.80q…, want %.80q…", got, subject)
			}
			for _, w := range strings.Fields(strings.Join(headerLines(t, eml), " ")) {
				if strings.HasPrefix(w, "=?") && len(w) > 75 {
					t.Errorf("encoded-word of %d characters: %s", len(w), w)
				}
			}
		})
	}
}

// Encoded-words are split between grapheme clusters: no word ends inside
// a flag, a family emoji or a letter with its accent.
func TestEncodedWordsSplitOnGraphemes(t *testing.T) {
	subject := strings.TrimSpace(strings.Repeat("🇳🇱e\u0301👨‍👩‍👧 ", 60))
	boundary := map[int]bool{}
	for g, at := uniseg.NewGraphemes(subject), 0; g.Next(); {
		at += len(g.Str())
		boundary[at] = true
	}
	_, h := subjectOf(t, renderEML(t, testBrand(t), subject))
	dec := new(mime.WordDecoder)
	at := 0
	for _, w := range strings.Fields(h.Get("Subject")) {
		part, err := dec.Decode(w)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		at += len(part)
		if !boundary[at] {
			t.Fatalf("the word %s (%q) ends inside a grapheme cluster", w, part)
		}
	}
	if at != len(subject) {
		t.Errorf("words decode to %d bytes, want %d", at, len(subject))
	}
}

// A title that is itself an encoded-word for "a CRLF Bcc: x@evil" is
// encoded whole, so a client decodes it to the literal text the writer
// typed, never to a line break; the same for a brand's sender name.
func TestEncodedWordLookalike(t *testing.T) {
	const evil = "=?utf-8?q?a=0D=0ABcc:_x@evil?="
	b := testBrand(t)
	b.Email.FromName = evil
	eml := renderEML(t, b, evil)
	got, h := subjectOf(t, eml)
	if got != evil {
		t.Errorf("subject decodes to %q, want the literal %q", got, evil)
	}
	if strings.ContainsAny(got, "\r\n") || h.Get("Bcc") != "" {
		t.Errorf("decoded subject %q / headers %v", got, h)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != evil {
		t.Errorf("From = %v (%v), want the name %q", from, err, evil)
	}
}

// A brand that did not come through LoadBrand (or a stored kit from
// before the check) with a header-bound value the builder refuses makes
// the render fail; it never writes the injected header.
func TestBrandHeaderRefusedAtRender(t *testing.T) {
	for name, edit := range map[string]func(*content.Brand){
		"list_id CRLF":   func(b *content.Brand) { b.Email.ListID = "news.fjellbu.example\r\nBcc: victim@example.com" },
		"list_id U+2028": func(b *content.Brand) { b.Email.ListID = "news.fjellbu.example\u2028Bcc: victim@example.com" },
		"mailto CRLF": func(b *content.Brand) {
			b.Email.UnsubscribeMailto = "mailto:u@fjellbu.example\r\nBcc: victim@example.com"
		},
		"mailto U+0085": func(b *content.Brand) {
			b.Email.UnsubscribeMailto = "mailto:u@fjellbu.example\u0085Bcc: victim@example.com"
		},
		"mailto extra target": func(b *content.Brand) {
			b.Email.UnsubscribeMailto = "mailto:u@fjellbu.example>, <https://evil.example/"
		},
		"two from addresses":       func(b *content.Brand) { b.Email.FromAddress = "a@fjellbu.example,b@evil.example" },
		"from name line separator": func(b *content.Brand) { b.Email.FromName = "Fjellbu\u2028Bcc: victim@example.com" },
		"brand name CR":            func(b *content.Brand) { b.Email.FromName, b.Name = "", "Fjellbu\rBcc: victim@example.com" },
	} {
		t.Run(name, func(t *testing.T) {
			b := testBrand(t)
			edit(b)
			it, err := content.ParseBytes(nil, "index.md", []byte("---\ntitle: Hello\n---\nBody.\n"), content.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
			if err == nil {
				for _, f := range out.Files {
					if f.Name == "email.eml" {
						t.Fatalf("rendered anyway:\n%s", headerOnly(f.Data))
					}
				}
			}
		})
	}
}

func headerOnly(eml []byte) string {
	var b strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(eml))
	for sc.Scan() && sc.Text() != "" {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}

func parseItem(t *testing.T, src string) *content.Item {
	t.Helper()
	it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return it
}
