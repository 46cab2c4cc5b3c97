package content

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/memfs"
)

// A share card's name follows what it is drawn from: the same inputs
// give the same name, a new title, focal point or brand colour a new
// one; the link plan points at the landscape card beside the page.
func TestShareCardNames(t *testing.T) {
	brand := func(primary string) *Brand {
		b, err := LoadBrand(memfs.FS{"brand.yaml": []byte("name: Fjellbu\nsite: https://fjellbu.example\ncolors: {primary: \"" + primary + "\", text: \"#102a43\", background: \"#ffffff\"}\nlogo: {src: logo.svg}\n"),
			"logo.svg": []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10"/></svg>`)}, "fjellbu", "brand.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	item := func(title, focus string) *Item {
		src := "---\ntitle: " + title + "\n"
		if focus != "" {
			src += "hero: {src: hero.png, alt: Two skiers, focus: \"" + focus + "\"}\n"
		}
		it, err := ParseBytes(memfs.FS{"hero.png": pngBytes(t, 40, 30)}, "index.md", []byte(src+"---\nBody.\n"), ParseOptions{DefaultLang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	b := brand("#0b6e4f")
	base := NewShareCard(item("Hut opening", ""), b)
	if !strings.HasSuffix(base.Landscape, "-1200x630.jpg") || !strings.HasSuffix(base.Square, "-1080x1080.jpg") {
		t.Errorf("names %q, %q", base.Landscape, base.Square)
	}
	if base.Alt != "Hut opening — Fjellbu" {
		t.Errorf("alt %q", base.Alt)
	}
	if again := NewShareCard(item("Hut opening", ""), brand("#0b6e4f")); again != base {
		t.Errorf("the same inputs gave %+v and %+v", again, base)
	}
	hero := NewShareCard(item("Hut opening", "0.2,0.5"), b)
	if hero.Alt != "Hut opening — Two skiers" {
		t.Errorf("alt with a hero: %q", hero.Alt)
	}
	for name, other := range map[string]ShareCard{
		"title":  NewShareCard(item("Hut closing", ""), b),
		"colour": NewShareCard(item("Hut opening", ""), brand("#c8702a")),
		"hero":   hero,
		"focus":  NewShareCard(item("Hut opening", "0.8,0.5"), b),
	} {
		if other.Landscape == base.Landscape || name == "focus" && other.Landscape == hero.Landscape {
			t.Errorf("a new %s kept the name %s", name, other.Landscape)
		}
	}
	it := item("Hut opening", "")
	if got := NewLinkPlan(it, b).ShareCard; got != "https://fjellbu.example/hut-opening/"+base.Landscape {
		t.Errorf("link plan: %q", got)
	}
}
