// Package digest renders a digest: one newsletter that gathers the items a
// brand published in a period, a lead item and then a card per item, each
// linking to its portal page. It is a collection renderer: pure, the brand,
// the items with their link plans, the period and the language in; files
// and a manifest out. The email is laid out by renderers/email (template,
// inlined CSS with dark mode, size budget, MIME), so a digest looks and
// behaves like any item email. The digest's archive page is the portal page
// of the item Source writes, which the portal channel renders like any
// other.
package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"path"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/email"
)

// Entry is one item of a digest: a published item version and its links.
type Entry struct {
	Item  *content.Item
	Links *content.LinkPlan
}

// Input is what a digest is made of.
type Input struct {
	Brand  *content.Brand
	Digest *content.Digest
	// From and To are the period: items published in [From, To).
	From, To time.Time
	// Entries are the items, newest first; the first is the lead. At
	// most Digest.MaxItems are used.
	Entries []Entry
	// Item is the digest's own item (parsed from Source) and Links its
	// link plan: its portal page is the archive page, its id names the
	// email, its email.variants are the A/B subjects.
	Item  *content.Item
	Links *content.LinkPlan
	// Budget is the most bytes of HTML; 0 is the email channel's
	// (email.MaxBytes, under Gmail's clipping size).
	Budget int
}

// ItemID is the id of the digest item of digest d for the period ending
// at to: digest-<id>-<yyyy-mm-dd>, the date in the digest's zone.
func ItemID(d *content.Digest, to time.Time) string {
	loc := d.When.Loc
	if loc == nil {
		loc = time.UTC
	}
	return "digest-" + d.ID + "-" + to.In(loc).Format("2006-01-02")
}

// leadWidth and cardWidth are the display widths of the lead's picture
// (the whole email) and a card's (the text column).
const (
	leadWidth = email.Width
	cardWidth = email.ColumnWidth
)

// Renderer renders digests. It is safe for concurrent use.
type Renderer struct{ email *email.Renderer }

// New returns a digest renderer laying its emails out with e.
func New(e *email.Renderer) *Renderer { return &Renderer{email: e} }

// Channel is the channel a digest item's digest replaces: its email.
func (r *Renderer) Channel() string { return email.Channel }

// entries returns the entries a digest shows.
func (in Input) entries() []Entry {
	n := len(in.Entries)
	if m := in.Digest.MaxItems; m > 0 && n > m {
		n = m
	}
	return in.Entries[:n]
}

// Render makes the digest's email, as the email channel of its item: the
// same files (email.html, email.txt, email.eml and one set per A/B
// variant below variants/<name>/, the pictures below images/).
func (r *Renderer) Render(ctx context.Context, in Input) (*renderers.Output, error) {
	if in.Brand == nil || in.Digest == nil || in.Item == nil || in.Links == nil {
		return nil, fmt.Errorf("digest: brand, digest, item and links are required")
	}
	if len(in.entries()) == 0 {
		return nil, fmt.Errorf("digest %s: no items in the period", in.Digest.ID)
	}
	b, it := in.Brand, in.Item
	out := &renderers.Output{Metrics: map[string]float64{}, Preview: email.HTMLFile}
	imageBase := in.Links.Canonical + "email/" + email.ImageDir
	logo, dark, files, err := r.email.Logos(ctx, b, imageBase)
	if err != nil {
		return nil, err
	}
	out.Files = append(out.Files, files...)
	seen := map[string]bool{}
	pics := make([]*email.Picture, len(in.entries()))
	for i, e := range in.entries() {
		ref := e.Item.HeroImage()
		if ref == nil || ref.Asset == nil {
			continue
		}
		w := cardWidth
		if i == 0 {
			w = leadWidth
		}
		pic, f, err := r.email.Picture(ctx, ref.Asset, w, ref.Alt, imageBase)
		if err != nil {
			return nil, fmt.Errorf("digest: %s: %w", e.Item.Path, err)
		}
		pics[i] = pic
		if !seen[f.Name] {
			seen[f.Name] = true
			out.Files = append(out.Files, f)
		}
	}
	subject := b.DigestSubject(in.Digest)
	if it.Email.Subject != "" {
		subject = it.Email.Subject
	}
	vs := []content.EmailVariant{{Subject: subject}}
	for _, v := range it.Email.Variants {
		if v.Subject == "" {
			v.Subject = subject
		}
		vs = append(vs, v)
	}
	for _, v := range vs {
		files, warns, metrics, err := r.variant(ctx, in, v, logo, dark, pics)
		if err != nil {
			return nil, err
		}
		dir := email.VariantOf(v.Name).Dir
		for _, f := range files {
			f.Name = dir + f.Name
			out.Files = append(out.Files, f)
		}
		if v.Name == "" {
			out.Warnings = append(out.Warnings, warns...)
			for k, m := range metrics {
				out.Metrics[k] = m
			}
		}
	}
	out.Metrics["items"] = float64(len(in.entries()))
	out.Metrics["variants"] = float64(len(vs) - 1)
	return out, nil
}

// intro is the line under the title: how many items since when.
func (in Input) intro() string {
	loc := in.Digest.When.Loc
	if loc == nil {
		loc = time.UTC
	}
	return in.Brand.T(in.Digest.Lang, "digest_intro", "n", fmt.Sprint(len(in.entries())), "date", content.FormatDate(in.Digest.Lang, in.From.In(loc)))
}

// variant renders one subject variant's email.
func (r *Renderer) variant(ctx context.Context, in Input, v content.EmailVariant, logo, dark *email.Picture, pics []*email.Picture) ([]renderers.File, []content.Diagnostic, map[string]float64, error) {
	b, d, it := in.Brand, in.Digest, in.Item
	utm := in.Links.UTM(content.ChanEmail, v.Name)
	// Each card's links say where in the email they were: utm_content
	// pos-1 (the lead) … pos-n, after the variant's name when there is
	// one, so clicks can be told apart per position and per arm.
	at := func(pos int, raw string) string {
		u := utm
		u.Content = fmt.Sprintf("pos-%d", pos)
		if v.Name != "" {
			u.Content = v.Name + "-" + u.Content
		}
		return in.Links.Tag(u, raw)
	}
	read := b.T(d.Lang, "digest_read")
	esc := template.HTMLEscapeString
	var rows []template.HTML
	for i, e := range in.entries() {
		href := esc(at(i+1, e.Links.Canonical))
		var h strings.Builder
		heading := "h3"
		if i == 0 {
			heading = "h2"
			if p := pics[0]; p != nil {
				fmt.Fprintf(&h, `<tr><td class="figure"><a href="%s"><img src="%s" width="%d" height="%d" alt="%s"></a></td></tr>`,
					href, esc(p.Src), p.Width, p.Height, esc(p.Alt))
			}
		}
		h.WriteString(`<tr><td class="block">`)
		if i > 0 {
			h.WriteString(`<hr>`)
			if p := pics[i]; p != nil {
				fmt.Fprintf(&h, `<p><a href="%s"><img src="%s" width="%d" height="%d" alt="%s"></a></p>`,
					href, esc(p.Src), p.Width, p.Height, esc(p.Alt))
			}
		}
		fmt.Fprintf(&h, `<%s><a href="%s">%s</a></%s>`, heading, href, esc(e.Item.Title), heading)
		if s := strings.TrimSpace(e.Item.Summary); s != "" {
			fmt.Fprintf(&h, `<p>%s</p>`, esc(s))
		}
		fmt.Fprintf(&h, `<p><a href="%s"><strong>%s</strong> →</a></p></td></tr>`, href, esc(read))
		rows = append(rows, template.HTML(h.String()))
	}
	intro := in.intro()
	web := utm.Apply(in.Links.Canonical)
	text := func(kept int) []byte {
		var t strings.Builder
		lv := func(label, value string) string { return b.T(d.Lang, "label_value", "label", label, "value", value) }
		t.WriteString(lv(b.T(d.Lang, "view_in_browser"), web) + "\n\n")
		title := email.WrapText(it.Title, "", "")
		t.WriteString(title + "\n" + strings.Repeat("=", min(78, longestLine(title))) + "\n\n")
		t.WriteString(email.WrapText(intro, "", "") + "\n\n")
		for i, e := range in.entries()[:kept] {
			mark := fmt.Sprintf("%d. ", i+1)
			pad := strings.Repeat(" ", len(mark))
			t.WriteString(email.WrapText(e.Item.Title, mark, pad) + "\n")
			if s := strings.TrimSpace(e.Item.Summary); s != "" {
				t.WriteString(email.WrapText(s, pad, pad) + "\n")
			}
			t.WriteString(email.WrapText(lv(read, at(i+1, e.Links.Canonical)), pad, pad) + "\n\n")
		}
		if kept < len(in.entries()) {
			t.WriteString(lv(b.T(d.Lang, "continue_reading"), web) + "\n\n")
		}
		t.WriteString(strings.Repeat("-", 20) + "\n")
		footer := b.Name
		if b.Footer.Address != "" {
			footer += " · " + b.Footer.Address
		}
		t.WriteString(email.WrapText(footer, "", "") + "\n\n")
		if b.Footer.Legal != "" {
			t.WriteString(email.WrapText(b.Footer.Legal, "", "") + "\n\n")
		}
		unsub := in.Links.Unsubscribe
		if unsub == "" {
			unsub = b.Site + "/"
		}
		t.WriteString(lv(b.T(d.Lang, "unsubscribe"), unsub) + "\n")
		if m := email.ManageURL(in.Links.Unsubscribe); m != "" {
			t.WriteString(lv(b.T(d.Lang, "manage_prefs"), m) + "\n")
		}
		return []byte(t.String())
	}
	pre := v.Preheader
	if pre == "" {
		pre = intro
	}
	return r.email.Compose(ctx, b, email.Layout{
		Path: it.Path, Lang: d.Lang, Subject: v.Subject, Preheader: pre,
		Title: it.Title, Lead: intro, WebURL: web, SiteURL: utm.Apply(b.Site + "/"),
		UnsubscribeURL: in.Links.Unsubscribe, UnsubscribeTo: b.Email.UnsubscribeMailto,
		Logo: logo, DarkLogo: dark, Rows: rows,
		MessageKey: it.ID, Version: it.SourceHash, Variant: v.Name, Date: in.To,
		Budget: in.Budget, Text: text,
	})
}

func longestLine(s string) int {
	n := 0
	for l := range strings.SplitSeq(s, "\n") {
		n = max(n, len([]rune(l)))
	}
	return n
}

// Source writes the digest's own item: front matter (its id, title,
// date, language, summary, the email's subject, topics and A/B
// variants) and a Markdown body listing the entries, which is its
// archive page on the portal. files holds the entries' hero images, by
// the names the body uses, so the page shows them as the site's own.
func Source(in Input, id string) (src []byte, files map[string][]byte) {
	b, d := in.Brand, in.Digest
	q := func(s string) string { j, _ := json.Marshal(s); return string(j) } // JSON strings are YAML scalars
	loc := d.When.Loc
	if loc == nil {
		loc = time.UTC
	}
	subject := b.DigestSubject(d)
	title := subject + " · " + content.FormatDate(d.Lang, in.To.In(loc))
	var s strings.Builder
	s.WriteString("---\n")
	fmt.Fprintf(&s, "id: %s\nslug: %s\ntitle: %s\nlang: %s\ndate: %s\n", q(id), q(id), q(title), q(d.Lang), in.To.UTC().Format(time.RFC3339))
	fmt.Fprintf(&s, "summary: %s\n", q(in.intro()))
	s.WriteString("email:\n")
	fmt.Fprintf(&s, "  subject: %s\n", q(subject))
	if len(d.Topics) > 0 {
		s.WriteString("  topics: [")
		for i, t := range d.Topics {
			if i > 0 {
				s.WriteString(", ")
			}
			s.WriteString(q(t))
		}
		s.WriteString("]\n")
	}
	if len(d.Variants) > 0 {
		s.WriteString("  variants:\n")
		for _, v := range d.Variants {
			fmt.Fprintf(&s, "    - name: %s\n      subject: %s\n", q(v.Name), q(v.Subject))
			if v.Preheader != "" {
				fmt.Fprintf(&s, "      preheader: %s\n", q(v.Preheader))
			}
		}
	}
	// The page lists its stories; a table of contents would list them again.
	s.WriteString("portal:\n  toc: false\n---\n")
	files = map[string][]byte{}
	read := b.T(d.Lang, "digest_read")
	for i, e := range in.entries() {
		fmt.Fprintf(&s, "\n## %s\n\n", escapeMD(e.Item.Title))
		if ref := e.Item.HeroImage(); ref != nil && ref.Asset != nil {
			name := fmt.Sprintf("images/%d-%s", i+1, path.Base(ref.Asset.Name))
			files[name] = ref.Asset.Data
			fmt.Fprintf(&s, "![%s](%s)\n\n", escapeMD(ref.Alt), name)
		}
		if sum := strings.TrimSpace(e.Item.Summary); sum != "" {
			s.WriteString(escapeMD(sum) + "\n\n")
		}
		fmt.Fprintf(&s, "[%s →](%s)\n", escapeMD(read), e.Links.Canonical)
	}
	return []byte(s.String()), files
}

// escapeMD makes text read literally in Markdown.
func escapeMD(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
