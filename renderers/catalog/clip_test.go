package catalog

import (
	"testing"

	"github.com/rivo/uniseg"
)

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"fits", "Short enough.", 20, "Short enough."},
		{"english", "Our lightest two-person tent yet, with room for boots.", 30, "Our lightest two-person tent…"},
		{"no trailing comma", "Light, strong, and quick to pitch in wind.", 16, "Light, strong…"},
		{"dutch", "Lampen van gerecycled glas, met de hand geblazen in Leerdam.", 35, "Lampen van gerecycled glas, met de…"},
		{"german compound", "Wasserdichte Außenhülle aus recyceltem Polyamid", 25, "Wasserdichte Außenhülle…"},
		{"french elision", "L’atelier d’Amsterdam souffle chaque lampe à la main.", 22, "L’atelier d’Amsterdam…"},
		{"polish", "Zobacz naszą najlżejszą dwuosobową kolekcję namiotów.", 30, "Zobacz naszą najlżejszą…"},
		{"cyrillic", "Самая лёгкая палатка для двоих в нашей коллекции.", 25, "Самая лёгкая палатка для…"},
		{"greek", "Η πιο ελαφριά σκηνή για δύο άτομα στη συλλογή μας.", 20, "Η πιο ελαφριά σκηνή…"},
		{"arabic", "أخف خيمة لشخصين في مجموعتنا حتى الآن", 16, "أخف خيمة لشخصين…"},
		{"hebrew", "האוהל הקל ביותר לשניים באוסף שלנו", 16, "האוהל הקל ביותר…"},
		{"chinese", "我们最轻的双人帐篷，适合全年使用。", 8, "我们最轻的双人…"},
		{"japanese", "これまでで最も軽い二人用テントです。", 10, "これまでで最も軽い…"},
		{"devanagari keeps marks", "हमारा सबसे हल्का दो व्यक्तियों वाला तंबू", 14, "हमारा सबसे हल्का दो…"},
		{"thai", "เต็นท์สองคนที่เบาที่สุดของเรา", 8, "เต็นท์สอง…"},
		{"arabic, one word less", "أخف خيمة لشخصين في مجموعتنا حتى الآن", 15, "أخف خيمة…"},
		{"emoji sequence kept whole", "👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦", 3, "👩‍👩‍👧‍👦👩‍👩‍👧‍👦…"},
		{"one long word", "Supercalifragilisticexpialidocious", 10, "Supercali…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Clip(tt.in, tt.limit, "en")
			if got != tt.want {
				t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			if n := uniseg.GraphemeClusterCount(got); n > tt.limit {
				t.Errorf("%d characters, over the limit of %d", n, tt.limit)
			}
		})
	}
}

func FuzzClip(f *testing.F) {
	f.Add("Our lightest two-person tent yet", 10)
	f.Add("我们最轻的双人帐篷", 4)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = limit%300 + 2
		if limit < 2 {
			limit = 2
		}
		got := Clip(s, limit, "en")
		if n := uniseg.GraphemeClusterCount(got); n > limit {
			t.Fatalf("Clip(%q, %d) has %d characters", s, limit, n)
		}
	})
}
