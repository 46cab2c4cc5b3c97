package email

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/mailhdr"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
)

// newRenderer has only the bundled fonts, so the raster logos are the
// same on every machine, whatever fonts it has installed.
func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	return testRenderer.Get(t, func() (*Renderer, error) {
		lib, err := fonts.New()
		if err != nil {
			return nil, err
		}
		return NewWithFonts(&images.Cache{}, lib)
	})
}

var testRenderer testenv.Shared[*Renderer]

func render(t testing.TB, it *content.Item, b *content.Brand) (*renderers.Output, map[string][]byte) {
	t.Helper()
	out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Name] = f.Data
	}
	return out, files
}

// TestGolden compares every example's HTML, text and .eml (and each A/B
// variant's) with testdata/<brand>/<slug>.* (-update rewrites them).
func TestGolden(t *testing.T) {
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			out, files := render(t, ex.Item, ex.Brand)
			var list strings.Builder
			for _, f := range out.Files {
				fmt.Fprintf(&list, "%s\t%s\n", f.Name, f.MediaType)
			}
			for _, w := range out.Warnings {
				fmt.Fprintf(&list, "warning: %s\n", w)
			}
			golden.Check(t, ex.Name()+".files.golden", []byte(list.String()))
			for _, f := range out.Files {
				if strings.HasPrefix(f.MediaType, "image/") {
					continue
				}
				golden.Check(t, ex.Name()+"."+strings.ReplaceAll(f.Name, "/", ".")+".golden", files[f.Name])
			}
		})
	}
}

// The .eml parses with net/mail and mime/multipart, and its parts decode
// back to the rendered text and HTML.
func TestMessageRoundTrip(t *testing.T) {
	for _, ex := range examples.Load(t) {
		_, files := render(t, ex.Item, ex.Brand)
		for name, data := range files {
			if !strings.HasSuffix(name, "email.eml") {
				continue
			}
			dir := strings.TrimSuffix(name, "email.eml")
			msg, err := mail.ReadMessage(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s %s: %v", ex.Name(), name, err)
			}
			for _, h := range []string{"From", "Subject", "Message-Id", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Mime-Version"} {
				if msg.Header.Get(h) == "" {
					t.Errorf("%s %s: no %s header", ex.Name(), name, h)
				}
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil || subject == "" {
				t.Errorf("%s: subject %q: %v", ex.Name(), msg.Header.Get("Subject"), err)
			}
			mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil || mt != "multipart/alternative" {
				t.Fatalf("%s: content type %q: %v", ex.Name(), msg.Header.Get("Content-Type"), err)
			}
			mr := multipart.NewReader(msg.Body, params["boundary"])
			for i, want := range []struct{ ctype, file string }{{"text/plain", "email.txt"}, {"text/html", "email.html"}} {
				p, err := mr.NextPart()
				if err != nil {
					t.Fatalf("%s: part %d: %v", ex.Name(), i, err)
				}
				if !strings.HasPrefix(p.Header.Get("Content-Type"), want.ctype) {
					t.Errorf("%s: part %d is %s", ex.Name(), i, p.Header.Get("Content-Type"))
				}
				// multipart.Reader decodes quoted-printable itself.
				body, err := io.ReadAll(p)
				if err != nil {
					t.Fatal(err)
				}
				wantBody := bytes.ReplaceAll(files[dir+want.file], []byte("\n"), []byte("\r\n"))
				if !bytes.Equal(body, wantBody) {
					t.Errorf("%s %s: the %s part does not decode to %s", ex.Name(), name, want.ctype, want.file)
				}
			}
			if _, err := mr.NextPart(); err != io.EOF {
				t.Errorf("%s: more than two parts: %v", ex.Name(), err)
			}
		}
	}
}

const injectBrand = `name: "Fjellbu"
site: https://fjellbu.example
colors: {primary: "#0b6e4f", text: "#102a43", background: "#ffffff"}
logo: {src: logo.svg}
email:
  from_name: "Fjellbu\u2028Bcc: victim@example.com"
  from_address: news@fjellbu.example
  unsubscribe_url: https://fjellbu.example/u/
`

// No value from front matter or the brand can add a header. A brand
// value with a line break is refused where it is written; a writer's
// subject has CR, LF, U+2028 and the like replaced by spaces, with a
// warning.
func TestHeaderInjection(t *testing.T) {
	_, err := content.LoadBrand(memfs.FS{"brand.yaml": []byte(injectBrand), "logo.svg": []byte(testLogo)}, "fjellbu", "brand.yaml")
	if want := "brand.yaml:6:3: email.from_name: becomes a display name in the email's headers and has a line separator (U+2028)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("brand: got %v, want %q", err, want)
	}
	b := testBrand(t)
	src := "---\ntitle: Hello\nemail:\n  subject: \"Hi\\r\\nBcc: victim@example.com\\nX-Evil: 1\\u0085X-Also: 2\"\n  preheader: \"a\\u2028b\"\n---\nBody.\n"
	it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, files := render(t, it, b)
	msg, err := mail.ReadMessage(bytes.NewReader(files["email.eml"]))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" || msg.Header.Get("X-Evil") != "" || msg.Header.Get("X-Also") != "" {
		t.Fatalf("a header was injected: %v", msg.Header)
	}
	if s, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); s != "Hi Bcc: victim@example.com X-Evil: 1 X-Also: 2" {
		t.Errorf("subject: %q", s)
	}
	warned := 0
	for _, w := range out.Warnings {
		if strings.Contains(w.Message, "line break") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("want 1 warning (subject), got: %v", out.Warnings)
	}
}

// FuzzHeaders: for any subject, sender name, list name and sender
// address, the builder either refuses the value (a control character, a
// line separator, not exactly one address) or writes a header where no
// line passes 998 bytes (78 when the value has no word too long for it),
// there is no bare CR or LF, net/mail reads back exactly the headers
// written, the texts decode to what went in and From holds one address.
func FuzzHeaders(f *testing.F) {
	f.Add("Hello", "Kestrel Outfitters", "news.kestrel.example", "news@example.com")
	f.Add("Ünïcödé 🎉 subject that is long enough to need folding in some mail clients, really", "Tulpwerk B.V.", "x", "a@b.example")
	f.Add("a\r\nBcc: x@y", "b\u2028c", "l\nd", "a@x.example,b@y.example")
	f.Add("=?utf-8?q?a=0D=0ABcc:_x@evil?=", "\"quoted\" <name>", "", "<a@b.example>")
	f.Add(strings.Repeat("a", 2000), strings.Repeat("é", 300), strings.Repeat("x ", 100), "a@b.example\u0085")
	f.Add("Z"+strings.Repeat("\u0301", 200), "  two  spaces ", "\t", "Eve <e@b.example>")
	f.Fuzz(func(t *testing.T, subject, name, list, from string) {
		m := &message{FromAddress: from, MessageID: messageID("i", "v", "", "example.com"),
			ListID: "news.example.com", UnsubscribeURL: "https://example.com/u/", UnsubscribeTo: "mailto:u@example.com",
			Subject: subject, FromName: name, ListName: list}
		h := m.headers()
		b, err := h.Bytes()
		valid := utf8.ValidString(subject + name + list)
		for _, s := range []string{subject, name, list} {
			valid = valid && mailhdr.CheckText(s) == nil
		}
		_, addrErr := mailhdr.Address(from)
		if !valid || addrErr != nil {
			if err == nil {
				t.Fatalf("a bad value was written:\n%s", b)
			}
			return
		}
		if err != nil {
			t.Fatalf("refused good values: %v", err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("bare CR or LF in %q", line)
			}
			if len(line) > mailhdr.MaxLine {
				t.Fatalf("line of %d bytes", len(line))
			}
			if len(line) > mailhdr.SoftLine && strings.Count(line, " ") > 1 {
				t.Errorf("line of %d bytes with room to fold: %q", len(line), line)
			}
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(b) + "\r\nbody"))
		if err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if len(msg.Header) != len(h.Fields()) {
			t.Fatalf("wrote %d headers, read %d: %v", len(h.Fields()), len(msg.Header), msg.Header)
		}
		addrs, err := msg.Header.AddressList("From")
		if err != nil || len(addrs) != 1 || addrs[0].Address != from {
			t.Fatalf("From = %v (%v), want one address %q", addrs, err, from)
		}
		if addrs[0].Name != name {
			t.Errorf("From name reads back as %q, want %q", addrs[0].Name, name)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || got != subject {
			t.Errorf("Subject reads back as %q (%v), want %q", got, err, subject)
		}
		if list != "" {
			l, err := mail.ParseAddress(strings.Replace(msg.Header.Get("List-Id"), "<news.example.com>", "<x@news.example.com>", 1))
			if err != nil || l.Name != list {
				t.Errorf("List-Id %q reads back as %v (%v), want %q", msg.Header.Get("List-Id"), l, err, list)
			}
		}
	})
}
