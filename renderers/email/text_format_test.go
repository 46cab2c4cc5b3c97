package email

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
)

// The plain-text part underlines the title with "=" and every section
// heading with "-", as wide in display columns as the text above it, and
// sets its French labels with a narrow no-break space before the colon.
func TestPlainTextLayout(t *testing.T) {
	src := `---
title: "Réparer une tente en montagne : le guide complet pour les longues traversées de l’été"
lang: fr
cta: {label: "Voir la boutique", url: "https://fjellbu.example/boutique/"}
---
Un arceau cassé n’est pas la fin du voyage.

## Le matériel

Une attelle, du ruban et de la patience.

### 日本語の見出し

Deux colonnes par caractère.

## Pourquoi ?

Parce que la montagne est loin.
`
	it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, files := render(t, it, testBrand(t))
	text := string(files["email.txt"])
	golden.Check(t, "written/fr-layout.email.txt.golden", files["email.txt"])
	for _, want := range []string{
		"Voir dans le navigateur\u202f: https://",
		"Se désabonner\u202f: https://fjellbu.example/u/",
		"Voir la boutique\u202f:\nhttps://fjellbu.example/boutique/",
		"日本語の見出し\n" + strings.Repeat("-", 14) + "\n",
		"Le matériel\n" + strings.Repeat("-", 11) + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, text)
		}
	}
	// The long title wraps, and its "=" line is as wide as its widest line.
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "====") {
			if w := len(l); w != len([]rune(lines[i-2])) && w != len([]rune(lines[i-1])) {
				t.Errorf("the title's rule is %d wide:\n%s\n%s\n%s", w, lines[i-2], lines[i-1], l)
			}
			if strings.Contains(text[strings.Index(text, l)+len(l):], "\n====") {
				t.Error("a second = rule: section headings must be underlined with -")
			}
			return
		}
	}
	t.Errorf("no = rule under the title:\n%s", text)
}
