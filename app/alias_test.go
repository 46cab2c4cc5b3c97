package app

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
)

func TestAddAlias(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"none yet", "---\ntitle: A\n---\nBody\n", "---\ntitle: A\naliases: [/old/]\n---\nBody\n"},
		{"a list", "---\ntitle: A\naliases:\n  - /older/\n---\nBody\n", "---\ntitle: A\naliases:\n  - /older/\n  - /old/\n---\nBody\n"},
		{"one string", "---\ntitle: A\naliases: /older/\n---\nBody\n", "---\ntitle: A\naliases: [/older/, /old/]\n---\nBody\n"},
		{"jekyll", "---\ntitle: A\nredirect_from: [/older/]\n---\nBody\n", "---\ntitle: A\nredirect_from: [/older/, /old/]\n---\nBody\n"},
		{"no body", "---\ntitle: A\n---", "---\ntitle: A\naliases: [/old/]\n---"},
	} {
		got, ok := addAlias([]byte(c.src), "/old/")
		if !ok || string(got) != c.want {
			t.Errorf("%s: %v\n%s\nwant\n%s", c.name, ok, got, c.want)
		}
	}
	for _, src := range []string{"no front matter\n", "+++\ntitle = 'A'\n+++\n", "---\n- a list\n---\n", "---\ntitle: A\naliases: {a: b}\n---\n"} {
		if _, ok := addAlias([]byte(src), "/old/"); ok {
			t.Errorf("%q: edited", src)
		}
	}
}

// FuzzAddAlias: whatever a writer's file holds, adding an alias never
// panics, and a file that parsed before still parses, with the alias.
func FuzzAddAlias(f *testing.F) {
	f.Add([]byte("---\ntitle: A\n---\nBody\n"))
	f.Add([]byte("---\ntitle: A\naliases: [/x/]\n# note\n---\n---\n"))
	f.Add([]byte("---\r\ntitle: A\r\n---\r\nBody\r\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		parse := func(b []byte) (*content.Item, error) {
			return content.ParseBytes(memfs.FS(map[string][]byte{"index.md": b}), "index.md", b, content.ParseOptions{})
		}
		before, err := parse(src)
		out, ok := addAlias(src, "/old/")
		if err != nil || !ok {
			return
		}
		after, err := parse(out)
		if err != nil {
			t.Fatalf("parsed before, not after:\n%s\n%v", out, err)
		}
		if after.Title != before.Title || !strings.Contains(strings.Join(after.Aliases, " "), "/old/") {
			t.Fatalf("title %q → %q, aliases %v", before.Title, after.Title, after.Aliases)
		}
	})
}
