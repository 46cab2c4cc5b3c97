package email

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A message written from the template is the one ForRecipient writes:
// the same headers, the recipient's own unsubscribe link in both parts
// and List-Unsubscribe, and no other change (the MIME boundary aside,
// which the template takes from the unpersonalised parts).
func TestTemplateWritesWhatForRecipientWrites(t *testing.T) {
	b := testBrand(t)
	src := "---\ntitle: Trail report\ndate: 2026-03-02\n---\nThe huts open on Friday. " + strings.Repeat("Long text to wrap over many encoded lines. ", 20) + "\n"
	_, files := render(t, parseItem(t, src), b)
	m, err := ParseEML(files["email.eml"], "https://fjellbu.example/u/")
	if err != nil {
		t.Fatal(err)
	}
	tpl := m.Template()
	boundary := regexp.MustCompile(`cc-[0-9a-f]{24}`)
	sent := time.Date(2026, 12, 2, 4, 5, 6, 0, time.UTC)
	var buf bytes.Buffer
	for _, r := range []struct{ to, unsub string }{
		{"ann@example.net", "https://fjellbu.example/u/tok123"},
		{"bob@example.net", "https://fjellbu.example/u/" + strings.Repeat("x", 90)},
		{"cat@example.net", ""},
	} {
		want, err := m.ForRecipient(r.to, r.unsub, sent)
		if err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := tpl.WriteFor(&buf, r.to, r.unsub, sent); err != nil {
			t.Fatal(err)
		}
		got := boundary.ReplaceAll(buf.Bytes(), []byte("B"))
		if w := boundary.ReplaceAll(want, []byte("B")); !bytes.Equal(got, w) {
			t.Errorf("%s: template wrote\n%s\nForRecipient wrote\n%s", r.to, got, w)
		}
		if strings.HasSuffix(r.unsub, "tok123") && bytes.Count(got, []byte("tok123")) < 3 {
			t.Errorf("%s: personal link not in List-Unsubscribe and both parts:\n%s", r.to, got)
		}
	}
	if err := tpl.WriteFor(&buf, "not an address", "", sent); err == nil {
		t.Error("a bad recipient was written")
	}
}

func TestSplitURL(t *testing.T) {
	for _, c := range []struct {
		in, old string
		n       int
	}{
		{`<a href="https://u/">x</a> https://u/` + "\r\n", "https://u/", 3},
		{`https://u/more https://u/`, "https://u/", 2},
		{`nothing`, "https://u/", 1},
		{`https://u/`, "", 1},
	} {
		got := splitURL([]byte(c.in), c.old)
		if len(got) != c.n || string(bytes.Join(got, []byte(c.old))) != c.in {
			t.Errorf("splitURL(%q) = %q", c.in, got)
		}
	}
}
