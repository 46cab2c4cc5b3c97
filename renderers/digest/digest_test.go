package digest

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
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
)

var testRenderer testenv.Shared[*Renderer]

// newRenderer has only the bundled fonts, so the raster logos are the
// same on every machine.
func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	return testRenderer.Get(t, func() (*Renderer, error) {
		lib, err := fonts.New()
		if err != nil {
			return nil, err
		}
		e, err := email.NewWithFonts(&images.Cache{}, lib)
		if err != nil {
			return nil, err
		}
		return New(e), nil
	})
}

// weekly is a Monday-morning digest in Amsterdam's time.
func weekly(t testing.TB, b *content.Brand) *content.Digest {
	t.Helper()
	sc, err := content.ParseSchedule("Mon 08:00", "Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return &content.Digest{ID: "weekly", Schedule: "Mon 08:00", Timezone: "Europe/Amsterdam", When: sc, MaxItems: 8, Lang: "en", Policy: content.DigestApprove}
}

// input makes a digest of n of the Kestrel examples (repeated, under new
// slugs, past the four there are), with its own item parsed from Source
// as the app stores it.
func input(t testing.TB, n int) Input {
	t.Helper()
	var exs []examples.Example
	for _, ex := range examples.Load(t) {
		if ex.Brand.ID == "kestrel" {
			exs = append(exs, ex)
		}
	}
	b := exs[0].Brand
	d := weekly(t, b)
	d.MaxItems = min(n, content.MaxDigestItems)
	to := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	in := Input{Brand: b, Digest: d, From: to.AddDate(0, 0, -7), To: to}
	for i := range n {
		it := *exs[i%len(exs)].Item
		if i >= len(exs) {
			it.Slug = fmt.Sprintf("%s-%d", it.Slug, i)
			it.Title = fmt.Sprintf("%s (part %d)", it.Title, i/len(exs)+1)
		}
		in.Entries = append(in.Entries, Entry{Item: &it, Links: content.NewLinkPlan(&it, b)})
	}
	id := ItemID(d, to)
	src, files := Source(in, id)
	fsys := memfs.FS{"index.md": src}
	for k, v := range files {
		fsys[k] = v
	}
	it, err := content.ParseBytes(fsys, "index.md", src, content.ParseOptions{Brand: b, DefaultLang: b.Lang})
	if err != nil {
		t.Fatalf("the digest's item does not parse: %v\n%s", err, src)
	}
	in.Item, in.Links = it, content.NewLinkPlan(it, b)
	return in
}

func renderDigest(t testing.TB, in Input) (*renderers.Output, map[string][]byte) {
	t.Helper()
	out, err := newRenderer(t).Render(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Name] = f.Data
	}
	return out, files
}

// TestGolden compares the digest of the four Kestrel examples (HTML, text,
// .eml, its file list) and its archive page, the portal page of the
// digest's item, with testdata/weekly.* (-update rewrites them).
func TestGolden(t *testing.T) {
	in := input(t, 4)
	golden.Check(t, "weekly.index.md.golden", in.Item.Source)
	out, files := renderDigest(t, in)
	var list strings.Builder
	for _, f := range out.Files {
		fmt.Fprintf(&list, "%s\t%s\n", f.Name, f.MediaType)
	}
	for _, w := range out.Warnings {
		fmt.Fprintf(&list, "warning: %s\n", w)
	}
	golden.Check(t, "weekly.files.golden", []byte(list.String()))
	for _, name := range []string{email.HTMLFile, email.TextFile, email.EMLFile} {
		golden.Check(t, "weekly."+name+".golden", files[name])
	}
	if in.Item.ID != "digest-weekly-2026-11-30" {
		t.Errorf("item id %q", in.Item.ID)
	}
	pr, err := portal.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	page, err := pr.Render(context.Background(), renderers.Input{Item: in.Item, Brand: in.Brand, Links: in.Links})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range page.Files {
		if f.Name == portal.PageFile {
			golden.Check(t, "weekly.archive.html.golden", f.Data)
			for _, e := range in.Entries {
				if !bytes.Contains(f.Data, []byte(`href="`+e.Links.Canonical+`"`)) {
					t.Errorf("the archive page does not link %s (without UTM)", e.Links.Canonical)
				}
			}
		}
	}
}

// Every card links its portal page with the digest's UTM and its
// position as utm_content; the lead is pos-1.
func TestPositions(t *testing.T) {
	in := input(t, 4)
	_, files := renderDigest(t, in)
	page, text := string(files[email.HTMLFile]), string(files[email.TextFile])
	for i, e := range in.Entries {
		u := e.Links.Canonical + "?utm_campaign=" + in.Item.Slug + "&amp;utm_content=pos-" + fmt.Sprint(i+1) + "&amp;utm_medium=email&amp;utm_source=newsletter"
		if strings.Count(page, `href="`+u+`"`) < 2 {
			t.Errorf("card %d: want 2 links (title, read) to %s", i+1, u)
		}
		if !strings.Contains(text, strings.ReplaceAll(u, "&amp;", "&")) {
			t.Errorf("card %d: the text part lacks %s", i+1, u)
		}
		if !strings.Contains(page, e.Item.Title) {
			t.Errorf("card %d lacks its title", i+1)
		}
	}
	if !strings.Contains(page, `<h2 style=`) || strings.Count(page, "<h3 style=") != 3 {
		t.Error("want one lead (h2) and three cards (h3)")
	}
}

// The .eml parses with net/mail and mime/multipart, has the list headers
// and decodes to the text and HTML parts; the HTML keeps its dark-mode
// rules and dark logo; A/B subject variants make one email each.
func TestMessage(t *testing.T) {
	in := input(t, 3)
	in.Item.Email.Variants = []content.EmailVariant{{Name: "short", Subject: "Three new stories"}}
	_, files := renderDigest(t, in)
	for _, dir := range []string{"", email.VariantsDir + "short/"} {
		msg, err := mail.ReadMessage(bytes.NewReader(files[dir+email.EMLFile]))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"From", "Subject", "Message-Id", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Mime-Version", "Date"} {
			if msg.Header.Get(h) == "" {
				t.Errorf("%s: no %s header", dir, h)
			}
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		want := "This week at Kestrel Outfitters"
		if dir != "" {
			want = "Three new stories"
		}
		if subject != want {
			t.Errorf("%s: subject %q, want %q", dir, subject, want)
		}
		_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for _, name := range []string{email.TextFile, email.HTMLFile} {
			p, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(p)
			if !bytes.Equal(body, bytes.ReplaceAll(files[dir+name], []byte("\n"), []byte("\r\n"))) {
				t.Errorf("%s%s: the MIME part differs from the file", dir, name)
			}
		}
		page := files[dir+email.HTMLFile]
		for _, want := range []string{"prefers-color-scheme: dark", `class="logo-dark"`, "max-width: 620px", "utm_content=short-pos-1"} {
			if dir == "" && want == "utm_content=short-pos-1" {
				want = "utm_content=pos-1"
			}
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("%s: the HTML lacks %q", dir, want)
			}
		}
	}
}

// A digest past the budget ends after the cards that fit with a
// "continue reading" link to its archive page, and keeps its footer and
// unsubscribe link; the largest digest (20 items) fits Gmail's 102 KB.
func TestBudget(t *testing.T) {
	in := input(t, content.MaxDigestItems)
	out, files := renderDigest(t, in)
	if n := len(files[email.HTMLFile]); n > email.WarnBytes {
		t.Errorf("a %d-item digest is %d bytes", content.MaxDigestItems, n)
	}
	if len(out.Warnings) > 0 {
		t.Errorf("warnings: %v", out.Warnings)
	}
	in.Budget = 30 << 10
	out, files = renderDigest(t, in)
	page, text := files[email.HTMLFile], string(files[email.TextFile])
	if len(page) > in.Budget {
		t.Fatalf("%d bytes over the %d budget", len(page), in.Budget)
	}
	b := in.Brand
	for _, want := range []string{b.T("en", "continue_reading"), b.T("en", "unsubscribe"), b.Footer.Address} {
		if !strings.Contains(string(page), want) || !strings.Contains(text, want) {
			t.Errorf("the cut digest lacks %q", want)
		}
	}
	if !strings.Contains(fmt.Sprint(out.Warnings), "body rows") {
		t.Errorf("no warning about the cut: %v", out.Warnings)
	}
	shown := strings.Count(string(page), "<h3 style=") + 1
	if shown >= content.MaxDigestItems || strings.Count(text, "utm_content=pos-") != shown {
		t.Errorf("%d cards in the HTML, %d in the text", shown, strings.Count(text, "utm_content=pos-"))
	}
}

func TestNothingToSend(t *testing.T) {
	in := input(t, 1)
	in.Entries = nil
	if _, err := newRenderer(t).Render(context.Background(), in); err == nil {
		t.Error("an empty digest rendered")
	}
}

// BenchmarkDigest8 renders a digest of eight items (four examples twice):
// warm, with the pictures and logos in the image cache as a worker has
// them after its first digest, and cold, resizing them all.
func BenchmarkDigest8(b *testing.B) {
	in := input(b, 8)
	b.Run("warm", func(b *testing.B) {
		r := newRenderer(b)
		if _, err := r.Render(context.Background(), in); err != nil { // fills the cache
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := r.Render(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		lib, err := fonts.New()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			e, err := email.NewWithFonts(&images.Cache{}, lib)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := New(e).Render(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
