package renderers_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/safefs"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/markup"
	"github.com/yuin/goldmark/ast"
)

// rawCall matches what a template call, an alert marker or an attribute
// block looks like when it leaks into output as text.
var rawCall = regexp.MustCompile(`\{\{[<%]|[>%]\}\}|\{%|%\}|\{\{ *page\.|\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]|\{[#.][A-Za-z]`)

// TestCompatFixtures renders a Hugo page and a Jekyll post written with
// their generator's shortcodes, tags and Markdown extensions in every
// channel, and checks that no call leaks as raw text anywhere and that
// the headings get the ids Hugo gives. The golden holds the heading ids,
// the warnings and the body as expanded.
func TestCompatFixtures(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "renderers", "testdata", "compat")
	cases := []struct {
		name, compat, dir, file string
		literal                 []string // escaped examples, meant to stay as written
		want                    []string // fragments every HTML channel body must hold
	}{
		{
			name: "hugo", compat: content.CompatHugo, dir: "hugo/content", file: "posts/trail-guide/index.md",
			literal: []string{`{{< figure src="x.jpg" >}}`, `{{< figure src=3D"x.jpg" >}}`, `{{&lt; figure src=&#34;x.jpg&#34; &gt;}}`, `{{&lt; figure src=&quot;x.jpg&quot; &gt;}}`},
			want:    []string{"<dl>", "<dt>Cairn</dt>", `class="callout callout-note"`, "<strong>Note:</strong>", `class="link-card link-card-youtube"`, "two litres"},
		},
		{
			name: "jekyll", compat: content.CompatJekyll, dir: "jekyll", file: "_posts/2024-05-01-trail-report.md",
			literal: []string{"{{ page.title }}", "{% include x.md %}", "{% include x.md %}"},
			want:    []string{"<dl>", "<strong>Tip:</strong>", "2 litres"},
		},
	}
	ch := newChannels(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, err := safefs.OpenDir(filepath.Join(root, tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			defer dir.Close()
			it, err := content.Parse(dir, tc.file, content.ParseOptions{Compat: tc.compat, DefaultLang: ch.brand.Lang, Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			in := renderers.Input{Item: it, Brand: ch.brand, Links: content.NewLinkPlan(it, ch.brand)}
			htmlSeen := map[string]int{}
			for _, r := range ch.all {
				out, err := r.Render(context.Background(), in)
				if err != nil {
					t.Fatalf("%s: %v", r.Channel(), err)
				}
				for _, f := range out.Files {
					if !strings.HasSuffix(f.Name, ".html") && !strings.HasSuffix(f.Name, ".txt") &&
						!strings.HasSuffix(f.Name, ".json") && !strings.HasSuffix(f.Name, ".eml") && !strings.HasSuffix(f.Name, ".xml") {
						continue
					}
					text := string(f.Data)
					for _, l := range tc.literal {
						text = strings.ReplaceAll(text, l, "")
					}
					// CSS and scripts hold braces of their own.
					text = regexp.MustCompile(`(?s)<style.*?</style>|<script.*?</script>`).ReplaceAllString(text, "")
					if m := rawCall.FindStringIndex(text); m != nil {
						lo, hi := max(0, m[0]-60), min(len(text), m[1]+60)
						t.Errorf("%s %s: raw markup leaked: …%s…", r.Channel(), f.Name, text[lo:hi])
					}
					for _, w := range tc.want {
						if strings.Contains(string(f.Data), w) {
							htmlSeen[w]++
						}
					}
				}
			}
			for _, w := range tc.want {
				if htmlSeen[w] < 2 {
					t.Errorf("%q shows in %d output files; want it in the portal and the email at least", w, htmlSeen[w])
				}
			}
			body, err := markup.New().HTML(it)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "compat/"+tc.name+".golden", []byte(summary(it)+"\n# sanitized HTML\n"+string(body)))
		})
	}
}

// summary lists an item's heading ids, warnings and expanded body.
func summary(it *content.Item) string {
	var b strings.Builder
	b.WriteString("# heading ids\n")
	_ = ast.Walk(it.Doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			id, _ := h.AttributeString("id")
			class, _ := h.AttributeString("class")
			fmt.Fprintf(&b, "h%d %s", h.Level, id)
			if class != nil {
				fmt.Fprintf(&b, " .%s", class)
			}
			b.WriteString("\n")
		}
		return ast.WalkContinue, nil
	})
	b.WriteString("\n# warnings\n")
	for _, w := range it.Warnings {
		b.WriteString(w.String() + "\n")
	}
	b.WriteString("\n# body\n")
	b.Write(it.Body)
	return b.String()
}
