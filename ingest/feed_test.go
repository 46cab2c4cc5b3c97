package ingest

import (
	"os"
	"strings"
	"testing"
	"time"
)

var fetchedAt = time.Date(2026, 11, 6, 7, 0, 0, 0, time.UTC)

func parseFile(t *testing.T, name, feedURL string) *Feed {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewConverter().Parse(data, feedURL, fetchedAt)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseRSSQuirks(t *testing.T) {
	f := parseFile(t, "rss.xml", "https://blog.kestrel.test/feed.xml")
	if len(f.Entries) != 3 {
		t.Fatalf("want 3 entries (the repeat dropped), got %d: %+v", len(f.Entries), f.Entries)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "repeats entry 2") {
		t.Errorf("warnings = %q", f.Warnings)
	}
	e := f.Entries[0]
	if e.Title != "Oiling a walnut &amp; oak bench" && e.Title != "Oiling a walnut & oak bench" {
		t.Errorf("title = %q: HTML not stripped", e.Title)
	}
	if e.Key != "guid:kestrel-note-101" || e.Link != "https://blog.kestrel.test/notes/oiling-bench/" {
		t.Errorf("key %q link %q", e.Key, e.Link)
	}
	for _, want := range []string{"[sanded](https://blog.kestrel.test/notes/guides/sanding/)", "![An oiled bench](https://blog.kestrel.test/img/bench.png)", "- Coat one"} {
		if !strings.Contains(e.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, e.Body)
		}
	}
	if strings.Contains(e.Body, "alert") || strings.Contains(e.Body, "<script") {
		t.Errorf("script survived sanitising:\n%s", e.Body)
	}
	if e.Summary != "Three coats, a day apart." || e.Image != "https://blog.kestrel.test/img/bench.png" || e.ImageAlt != "An oiled bench" {
		t.Errorf("summary %q image %q alt %q", e.Summary, e.Image, e.ImageAlt)
	}
	if got := strings.Join(e.Tags, ","); got != "Workshop,Finishes" {
		t.Errorf("tags = %q", got)
	}
	closed := f.Entries[1]
	if closed.Key != "link:https://blog.kestrel.test/notes/closed/" {
		t.Errorf("no GUID: key = %q, want the link", closed.Key)
	}
	if !closed.Date.Equal(fetchedAt) || len(closed.Warnings) != 1 || !strings.Contains(closed.Warnings[0], "cannot be read") {
		t.Errorf("bad date: %v %q", closed.Date, closed.Warnings)
	}
	if !strings.Contains(closed.Body, "*24 December*") && !strings.Contains(closed.Body, "_24 December_") {
		t.Errorf("CDATA description not converted: %q", closed.Body)
	}
}

func TestParseAtomAndJSON(t *testing.T) {
	a := parseFile(t, "atom.xml", "https://journal.kestrel.test/atom.xml")
	if a.Title != "Kestrel Journal" || len(a.Entries) != 2 {
		t.Fatalf("atom: %q, %d entries", a.Title, len(a.Entries))
	}
	d := a.Entries[0]
	if d.Title != "Drawknife basics" || d.Author != "Mira de Vos" || d.Link != "https://journal.kestrel.test/journal/drawknife/" {
		t.Errorf("atom entry %+v", d)
	}
	if !strings.Contains(d.Body, "## Hold it low") || !strings.Contains(d.Body, "**both**") {
		t.Errorf("atom body %q", d.Body)
	}
	if nd := a.Entries[1]; !nd.Date.Equal(fetchedAt) || len(nd.Warnings) == 0 {
		t.Errorf("undated entry: %v %q", nd.Date, nd.Warnings)
	}

	j := parseFile(t, "feed.json", "https://shop.kestrel.test/feed.json")
	if len(j.Entries) != 2 {
		t.Fatalf("json: %d entries", len(j.Entries))
	}
	k := j.Entries[0]
	if k.Key != "guid:shop-2026-11-spoon-kit" || !k.Date.Equal(time.Date(2026, 11, 5, 7, 0, 0, 0, time.UTC)) || !strings.Contains(k.Body, "(https://shop.kestrel.test/kits/spoon)") {
		t.Errorf("json entry %+v", k)
	}
	anon := j.Entries[1]
	if !strings.HasPrefix(anon.Key, "hash:") || !anon.Date.Equal(fetchedAt) || !strings.Contains(strings.Join(anon.Warnings, " "), "future") {
		t.Errorf("json entry without id or url: key %q date %v warnings %q", anon.Key, anon.Date, anon.Warnings)
	}
}

func TestEntryItem(t *testing.T) {
	f := parseFile(t, "rss.xml", "https://blog.kestrel.test/feed.xml")
	src, err := f.Entries[0].Item(ItemOptions{ID: ContentID("blog", f.Entries[0].Key), Hero: "hero.png", Canonical: true})
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{"---\ntitle: Oiling a walnut & oak bench\nid: blog-", "date: \"2026-11-02T09:30:00Z\"", "hero:\n    src: hero.png\n    alt: An oiled bench", "url: https://blog.kestrel.test/notes/oiling-bench/"} {
		if !strings.Contains(s, want) {
			t.Errorf("item lacks %q:\n%s", want, s)
		}
	}
	if a, b := ContentID("blog", "guid:x"), ContentID("blog", "guid:x"); a != b || a == ContentID("news", "guid:x") || a != "blog-"+a[len("blog-"):] {
		t.Error("content ids are not stable per source and key")
	}
}

func TestMarkdownGuards(t *testing.T) {
	c := NewConverter()
	md, err := c.Markdown("<p>a</p><p>---</p><p>b</p>", "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains("\n"+md+"\n", "\n---\n") {
		t.Errorf("a --- line could end front matter: %q", md)
	}
	if _, err := c.Markdown(strings.Repeat("x", MaxEntryHTML+1), ""); err == nil {
		t.Error("oversized HTML accepted")
	}
}

// An entry without a usable date is dated at the fetch, and says so, and
// the date an item was made with reads back from its Markdown, so a later
// fetch can keep it.
func TestGuessedDateKept(t *testing.T) {
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://blog.example/</link>
<item><title>Dated</title><guid>a</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>x</description></item>
<item><title>Undated</title><guid>b</guid><pubDate>sometime</pubDate><description>y</description></item>
</channel></rss>`
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	f, err := NewConverter().Parse([]byte(feed), "https://blog.example/rss.xml", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2 || f.Entries[0].DateGuessed || !f.Entries[1].DateGuessed {
		t.Fatalf("entries %+v: want only the second's date guessed", f.Entries)
	}
	md, err := f.Entries[1].Item(ItemOptions{ID: "blog-b", Slug: "undated"})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := StoredDate(md); !ok || !d.Equal(now) {
		t.Errorf("StoredDate = %v, %v; want %v", d, ok, now)
	}
	if _, ok := StoredDate([]byte("no front matter")); ok {
		t.Error("StoredDate read a date from Markdown without front matter")
	}
}
