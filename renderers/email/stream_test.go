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
	tpl := m.Template("")
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
		if err := tpl.WriteFor(&buf, r.to, r.unsub, sent, ""); err != nil {
			t.Fatal(err)
		}
		got := boundary.ReplaceAll(buf.Bytes(), []byte("B"))
		if w := boundary.ReplaceAll(want, []byte("B")); !bytes.Equal(got, w) {
			t.Errorf("%s: template wrote\n%s\nForRecipient wrote\n%s", r.to, got, w)
		}
		if strings.HasSuffix(r.unsub, "tok123") && bytes.Count(got, []byte("tok123")) < 5 {
			t.Errorf("%s: personal unsubscribe and preference links not in List-Unsubscribe and both parts:\n%s", r.to, got)
		}
	}
	if err := tpl.WriteFor(&buf, "not an address", "", sent, ""); err == nil {
		t.Error("a bad recipient was written")
	}
}

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // the pieces joined, each hole shown as [kind]
	}{
		{`<a href="https://u/">x</a> https://u/` + "\r\n", `<a href="[unsub]">x</a> [unsub]` + "\r\n"},
		{`https://u/more https://u/`, `https://u/more [unsub]`},
		{`https://u/preferences and https://u/`, `[manage] and [unsub]`},
		{`go https://t/r/abc1 or https://t/r/abc2?x=1 or https://t/r/ or https://t/r/Z`, `go https://t/r/abc1[query] or https://t/r/abc2?x=1 or https://t/r/ or https://t/r/Z`},
		{`nothing`, `nothing`},
	} {
		var got strings.Builder
		for _, p := range cut([]byte(c.in), "https://u/", "https://u/preferences", "https://t/r/") {
			got.Write(p.b)
			got.WriteString(map[hole]string{holeUnsub: "[unsub]", holeManage: "[manage]", holeQuery: "[query]"}[p.hole])
		}
		if got.String() != c.want {
			t.Errorf("cut(%q) = %q, want %q", c.in, got.String(), c.want)
		}
	}
}

// An A/B test's recipient gets their click token on every tracked link,
// as WithLinkQuery puts it, in a message written straight from the
// template.
func TestTemplateLinkQuery(t *testing.T) {
	b := testBrand(t)
	_, files := render(t, parseItem(t, "---\ntitle: Trail report\n---\nRead [the route](https://fjellbu.example/route) first.\n"), b)
	m, err := ParseEML(files["email.eml"], "https://fjellbu.example/u/")
	if err != nil {
		t.Fatal(err)
	}
	m.RewriteLinks(func(u string) string { return "https://cc.example/r/abc123" })
	const query = "?t=tok.mac"
	sent := time.Date(2026, 12, 2, 4, 5, 6, 0, time.UTC)
	want, err := m.WithLinkQuery("https://cc.example/r/", query).ForRecipient("ann@example.net", "https://fjellbu.example/u/tok", sent)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Template("https://cc.example/r/").WriteFor(&buf, "ann@example.net", "https://fjellbu.example/u/tok", sent, query); err != nil {
		t.Fatal(err)
	}
	boundary := regexp.MustCompile(`cc-[0-9a-f]{24}`)
	got := boundary.ReplaceAll(buf.Bytes(), []byte("B"))
	if w := boundary.ReplaceAll(want, []byte("B")); !bytes.Equal(got, w) {
		t.Errorf("template wrote\n%s\nWithLinkQuery and ForRecipient wrote\n%s", got, w)
	}
	if !bytes.Contains(got, []byte("abc123?t=3Dtok.mac")) && !bytes.Contains(got, []byte("abc123?t=tok.mac")) {
		t.Errorf("no click token on the tracked link:\n%s", got)
	}
}
