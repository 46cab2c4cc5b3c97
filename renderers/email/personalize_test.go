package email

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// The message sent to one recipient is dated when it is sent, not with
// the item's date the preview .eml carries; its folded headers read back
// and go out folded again; the recipient and their unsubscribe link go
// through the same checks as every other header.
func TestForRecipient(t *testing.T) {
	b := testBrand(t)
	subject := strings.Repeat("Fjällräven på Kungsleden, a long subject ", 7)
	subject = strings.TrimSpace(subject)
	src := "---\ntitle: Long subject\ndate: 2026-03-02\nemail:\n  subject: " + yamlQuote(subject) + "\n---\nBody.\n"
	it := parseItem(t, src)
	_, files := render(t, it, b)
	if !bytes.Contains(files["email.eml"], []byte("Date: Mon, 02 Mar 2026")) {
		t.Fatalf("the preview is not dated with the item's date:\n%s", headerOnly(files["email.eml"]))
	}
	m, err := ParseEML(files["email.eml"], "https://fjellbu.example/u/")
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Date(2026, 12, 2, 4, 5, 6, 0, time.UTC)
	out, err := m.ForRecipient("ann@example.net", "https://fjellbu.example/u/tok123", sent)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(sent) || len(msg.Header["Date"]) != 1 {
		t.Errorf("Date %q (%v), want the send time %s", msg.Header["Date"], err, sent)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "ann@example.net" {
		t.Errorf("To = %v, %v", to, err)
	}
	if got, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); got != subject {
		t.Errorf("Subject = %q", got)
	}
	if u := msg.Header.Get("List-Unsubscribe"); u != "<https://fjellbu.example/u/tok123>, <mailto:unsubscribe@fjellbu.example>" {
		t.Errorf("List-Unsubscribe = %q", u)
	}
	for _, l := range headerLines(t, out) {
		if len(l) > 78 {
			t.Errorf("line of %d bytes: %q", len(l), l)
		}
	}
	for _, d := range m.Dated(sent) {
		if d.Name == "Date" && d.Value != "Wed, 02 Dec 2026 04:05:06 +0000" {
			t.Errorf("Dated: Date %q", d.Value)
		}
	}

	for _, bad := range []string{"a@example.net,b@example.net", "Ann <ann@example.net>", "ann@example.net\r\nBcc: x@evil.example", "ann@example.net\u2028"} {
		if _, err := m.ForRecipient(bad, "https://fjellbu.example/u/t", sent); err == nil {
			t.Errorf("recipient %q was accepted", bad)
		}
	}
	for _, bad := range []string{"https://fjellbu.example/u/t>, <mailto:evil@example.net", "https://fjellbu.example/u/t\r\nBcc: x@evil.example", "javascript:alert(1)"} {
		if _, err := m.ForRecipient("ann@example.net", bad, sent); err == nil {
			t.Errorf("unsubscribe link %q was accepted", bad)
		}
	}
}

// TestWithLinkQuery tags tracked links only, in both parts, and leaves
// the message it copies alone.
func TestWithLinkQuery(t *testing.T) {
	m := &Message{
		HTML: []byte(`<a href="https://cc.example/r/abc123">x</a> <a href="https://cc.example/r/">bare</a> <a href="https://other.example/r/abc">o</a>`),
		Text: []byte("Read: https://cc.example/r/abc123\nhttps://cc.example/r/def456?x=1\n"),
	}
	c := m.WithLinkQuery("https://cc.example/r/", "?t=tok")
	if got, want := string(c.HTML), `<a href="https://cc.example/r/abc123?t=tok">x</a> <a href="https://cc.example/r/">bare</a> <a href="https://other.example/r/abc">o</a>`; got != want {
		t.Errorf("html\n%s\nwant\n%s", got, want)
	}
	if got, want := string(c.Text), "Read: https://cc.example/r/abc123?t=tok\nhttps://cc.example/r/def456?x=1\n"; got != want {
		t.Errorf("text\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(string(m.HTML), "tok") {
		t.Error("the original changed")
	}
}

// Every email has a "Manage preferences" link beside unsubscribe, in
// both parts and in the reader's language; each recipient's leads to
// their own preference centre, click tracking leaves it alone, and
// List-Unsubscribe stays the one-click URL.
func TestManagePreferencesLink(t *testing.T) {
	b := testBrand(t)
	for lang, label := range map[string]string{"en": "Manage preferences", "nl": "Voorkeuren beheren", "de": "Einstellungen verwalten", "fr": "Gérer mes préférences", "pl": "Zarządzaj preferencjami"} {
		it := parseItem(t, "---\ntitle: Tent care\nlang: "+lang+"\n---\nBody.\n")
		_, files := render(t, it, b)
		m, err := ParseEML(files["email.eml"], b.Email.UnsubscribeURL)
		if err != nil {
			t.Fatal(err)
		}
		manage := ManageURL(b.Email.UnsubscribeURL)
		if !bytes.Contains(m.HTML, []byte(`<a href="`+manage+`"`)) || !bytes.Contains(m.HTML, []byte(`>`+label+`</a>`)) || !bytes.Contains(m.Text, []byte(manage)) || !bytes.Contains(m.Text, []byte(label)) {
			t.Fatalf("%s: no %q link to %s:\n%s\n%s", lang, label, manage, m.HTML, m.Text)
		}
		m.RewriteLinks(func(u string) string { return "https://track.example/r/x" })
		own := strings.TrimRight(b.Email.UnsubscribeURL, "/") + "/tok123"
		out, err := m.ForRecipient("ann@example.net", own, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if u := msg.Header.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<"+own+">") {
			t.Errorf("%s: List-Unsubscribe = %q", lang, u)
		}
		sent, err := ParseEML(out, own)
		if err != nil {
			t.Fatal(err)
		}
		for part, body := range map[string][]byte{"HTML": sent.HTML, "text": sent.Text} {
			if !bytes.Contains(body, []byte(own+"/preferences")) || bytes.Contains(body, []byte(manage)) || bytes.Contains(body, []byte("track.example/r/x\">"+label)) {
				t.Errorf("%s: the %s part does not link the recipient's own preference centre:\n%s", lang, part, body)
			}
		}
	}
}
