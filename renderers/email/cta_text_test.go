package email

import (
	"strings"
	"testing"
)

// The text part's call to action reads as words: the label without its
// arrow, or, for a label that is only an arrow, where the link goes;
// never "→: https://…".
func TestTextCTAReadsAsWords(t *testing.T) {
	for label, want := range map[string]string{
		"Read the guide →": "Read the guide:",
		"→":                "Go to fjellbu.example:",
	} {
		it := parseItem(t, "---\ntitle: Guide\ncta:\n  label: \""+label+"\"\n  url: https://fjellbu.example/guide/\n---\nBody.\n")
		_, files := render(t, it, testBrand(t))
		text := string(files["email.txt"])
		if !strings.Contains(text, want) || strings.Contains(text, "→") {
			t.Errorf("%q: the text part lacks %q:\n%s", label, want, text)
		}
	}
}
