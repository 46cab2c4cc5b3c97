package content

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestShortcodePolicy(t *testing.T) {
	src := "---\ntitle: x\n---\nText.\n\n{{< box >}}Inner{{< /box >}}\n"
	for _, tc := range []struct {
		policy, body string
		err          bool
	}{
		{policy: "", body: "Inner"},
		{policy: ShortcodesKeep, body: "{{< box >}}Inner{{< /box >}}"},
		{policy: ShortcodesError, err: true},
	} {
		it, err := ParseBytes(nil, "f.md", []byte(src), ParseOptions{Compat: CompatHugo, Shortcodes: tc.policy})
		if tc.err {
			if err == nil || !strings.Contains(err.Error(), "f.md:6:1:") {
				t.Errorf("%s: error %v, want one at 6:1", tc.policy, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if !strings.Contains(string(it.Body), tc.body) {
			t.Errorf("%s: body %q lacks %q", tc.policy, it.Body, tc.body)
		}
		if tc.policy == "" && (len(it.Warnings) != 1 || it.Warnings[0].Line != 6) {
			t.Errorf("strip: warnings %v, want one on line 6", it.Warnings)
		}
	}
}

// TestExpandedLines checks that a diagnostic found after expansion (an
// image missing its file) points at the line the writer wrote.
func TestExpandedLines(t *testing.T) {
	src := "---\ntitle: x\n---\n{{< highlight go >}}\na\nb\nc\n{{< /highlight >}}\n\n{{< include \"snip.md\" >}}\n\n![](missing.png)\n"
	files := fstest.MapFS{"snip.md": {Data: []byte("one\n\ntwo\n\nthree\n")}}
	_, err := ParseBytes(files, "f.md", []byte(src), ParseOptions{Compat: CompatHugo})
	if err == nil || !strings.Contains(err.Error(), "f.md:12:") {
		t.Fatalf("error %v, want one on line 12", err)
	}
}

func TestIncludeBounds(t *testing.T) {
	files := fstest.MapFS{
		"big.md":  {Data: []byte(strings.Repeat("x", MaxIncludeBytes+1))},
		"loop.md": {Data: []byte(`{{< include "loop.md" >}}`)},
	}
	for _, name := range []string{"big.md", "loop.md"} {
		src := "---\ntitle: x\n---\n{{< include \"" + name + "\" >}}\n"
		if _, err := ParseBytes(files, "f.md", []byte(src), ParseOptions{Compat: CompatHugo}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	src := "---\ntitle: x\n---\n{{< include \"../../etc/passwd\" >}}\n"
	it, err := ParseBytes(files, "f.md", []byte(src), ParseOptions{Compat: CompatHugo})
	if err != nil || len(it.Warnings) != 1 {
		t.Errorf("outside include: %v %v", err, it)
	}
}

func TestHugoAnchor(t *testing.T) {
	for in, want := range map[string]string{
		"Hello, World!":   "hello-world",
		"Über uns":        "über-uns",
		"A -- B":          "a----b",
		"snake_case 2":    "snake_case-2",
		"`code` & *emph*": "code--emph",
	} {
		if got := HugoAnchor(in); got != want {
			t.Errorf("HugoAnchor(%q) = %q, want %q", in, got, want)
		}
	}
}
