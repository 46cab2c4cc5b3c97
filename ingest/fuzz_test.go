package ingest

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// FuzzEntryToItem feeds arbitrary documents through parsing, HTML to
// Markdown conversion and item writing: none may panic or hang, and
// every item written must still open with its own front matter only.
func FuzzEntryToItem(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<rss><channel><item><title>a</title><description><![CDATA[<p>---</p><table><tr><td>x</td></tr></table><a href="javascript:alert(1)">y</a>]]></description></item></channel></rss>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","content_html":"<pre><code>` + "```" + `</code></pre><img src=x onerror=alert(1)>"}]}`))
	c := NewConverter()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		feed, err := c.Parse(data, "https://feed.example/", now)
		if err != nil {
			return
		}
		for _, e := range feed.Entries {
			src, err := e.Item(ItemOptions{ID: ContentID("s", e.Key)})
			if err != nil {
				t.Fatal(err)
			}
			rest, ok := strings.CutPrefix(string(src), "---\n")
			if !ok {
				t.Fatalf("item does not open with front matter:\n%s", src)
			}
			_, body, ok := strings.Cut(rest, "\n---\n")
			if !ok {
				t.Fatalf("front matter does not close:\n%s", src)
			}
			if strings.Contains("\n"+body, "\n---\n") || rawScript.MatchString(body) || strings.Contains(strings.ToLower(body), "](javascript:") {
				t.Fatalf("unsafe body:\n%s", body)
			}
		}
	})
}

// rawScript is a <script that Markdown would pass on as HTML: one not
// escaped with a backslash.
var rawScript = regexp.MustCompile(`(?i)(^|[^\\])<script`)
