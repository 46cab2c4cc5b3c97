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

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
)

func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	return testRenderer.Get(t, func() (*Renderer, error) { return New(&images.Cache{}) })
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

// No value from front matter or the brand can add a header: CR, LF,
// U+2028 and the like become spaces, with a warning.
func TestHeaderInjection(t *testing.T) {
	b, err := content.LoadBrand(memfs.FS{"brand.yaml": []byte(injectBrand), "logo.svg": []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`)}, "fjellbu", "brand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := "---\ntitle: Hello\nemail:\n  subject: \"Hi\\r\\nBcc: victim@example.com\\nX-Evil: 1\"\n  preheader: \"a\\u2028b\"\n---\nBody.\n"
	it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, files := render(t, it, b)
	msg, err := mail.ReadMessage(bytes.NewReader(files["email.eml"]))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" || msg.Header.Get("X-Evil") != "" {
		t.Fatalf("a header was injected: %v", msg.Header)
	}
	if s := msg.Header.Get("Subject"); !strings.Contains(s, "Bcc: victim@example.com X-Evil: 1") {
		t.Errorf("subject: %q", s)
	}
	warned := 0
	for _, w := range out.Warnings {
		if strings.Contains(w.Message, "line break") {
			warned++
		}
	}
	if warned != 2 {
		t.Errorf("want 2 warnings (subject, from name), got: %v", out.Warnings)
	}
}

// FuzzHeaders: for any subject and sender name, the headers parse back
// with net/mail with exactly the headers written.
func FuzzHeaders(f *testing.F) {
	f.Add("Hello", "Kestrel Outfitters", "news.kestrel.example")
	f.Add("Ünïcödé 🎉 subject that is long enough to need folding in some mail clients, really", "Tulpwerk B.V.", "x")
	f.Add("a\r\nBcc: x@y", "b\u2028c", "l\nd")
	f.Add("=?utf-8?q?already?=", "\"quoted\" <name>", "")
	f.Fuzz(func(t *testing.T, subject, name, list string) {
		m := &message{FromAddress: "news@example.com", MessageID: messageID("i", "v", "", "example.com"),
			ListID: "news.example.com", UnsubscribeURL: "https://example.com/u/", UnsubscribeTo: "mailto:u@example.com"}
		m.Subject, _ = cleanHeader(strings.ToValidUTF8(subject, ""))
		m.FromName, _ = cleanHeader(strings.ToValidUTF8(name, ""))
		m.ListName, _ = cleanHeader(strings.ToValidUTF8(list, ""))
		h := m.headers()
		hs := h.Fields()
		b, err := h.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		var raw strings.Builder
		raw.Write(b)
		raw.WriteString("\r\nbody")
		msg, err := mail.ReadMessage(strings.NewReader(raw.String()))
		if err != nil {
			t.Fatalf("%v\n%s", err, raw.String())
		}
		if len(msg.Header) != len(hs) {
			t.Fatalf("wrote %d headers, read %d: %v", len(hs), len(msg.Header), msg.Header)
		}
		if _, err := msg.Header.AddressList("From"); err != nil {
			t.Errorf("From does not parse: %v (%q)", err, msg.Header.Get("From"))
		}
	})
}
