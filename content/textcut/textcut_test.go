package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

func TestSentences(t *testing.T) {
	for _, tt := range []struct {
		lang, in string
		want     []string
	}{
		{"en", "It weighs 1.12 kg. It sleeps two.", []string{"It weighs 1.12 kg.", "It sleeps two."}},
		{"en", "Ask Dr. Holt, e.g. on Monday. Or write.", []string{"Ask Dr. Holt, e.g. on Monday.", "Or write."}},
		{"en", "Written by J. R. R. Tolkien. Read it!", []string{"Written by J. R. R. Tolkien.", "Read it!"}},
		{"de", "Leuchten aus Glas, z. B. Äpfel. Und mehr.", []string{"Leuchten aus Glas, z. B. Äpfel.", "Und mehr."}},
		{"de", "Zum Beispiel z.B. Glas bzw. Holz. Fertig.", []string{"Zum Beispiel z.B. Glas bzw. Holz.", "Fertig."}},
		{"de", "Ab dem 3. Mai geöffnet. Seit 2019.", []string{"Ab dem 3. Mai geöffnet.", "Seit 2019."}},
		{"de", "Das kostet 1.299,00 €. Günstig.", []string{"Das kostet 1.299,00 €.", "Günstig."}},
		{"nl", "Lampen, bijv. Leerdam-glas. Mooi.", []string{"Lampen, bijv. Leerdam-glas.", "Mooi."}},
		{"fr", "Selon M. Dupont, c'est prêt. Voilà.", []string{"Selon M. Dupont, c'est prêt.", "Voilà."}},
		{"pl", "Miasta, np. Warszawa. Koniec.", []string{"Miasta, np. Warszawa.", "Koniec."}},
		{"pl", "Zgodnie z art. 5 ustawy. Dalej.", []string{"Zgodnie z art. 5 ustawy.", "Dalej."}},
		{"pl", "Firma powstała w 1998 r. Dziś ma 40 osób.", []string{"Firma powstała w 1998 r.", "Dziś ma 40 osób."}},
		{"en", "One line\nTwo lines.", []string{"One line\n", "Two lines."}},
		{"en", "Ends with Dr.\nNext line.", []string{"Ends with Dr.\n", "Next line."}},
	} {
		got := Sentences(tt.in, tt.lang)
		var trimmed []string
		for _, s := range got {
			trimmed = append(trimmed, strings.TrimRight(s, " "))
		}
		if strings.Join(trimmed, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.lang, tt.in, trimmed, tt.want)
		}
		if strings.Join(got, "") != tt.in {
			t.Errorf("%q: the pieces do not add up: %q", tt.in, got)
		}
	}
}

// A huge text is segmented only as far as MaxSegment, fast, and the
// pieces still add up.
func TestSentencesBounded(t *testing.T) {
	s := strings.Repeat("A short sentence. ", 60_000)
	got := Sentences(s, "en")
	if strings.Join(got, "") != s {
		t.Fatal("pieces do not add up")
	}
	if len(got) > MaxSegment/10 {
		t.Errorf("%d pieces: segmented past MaxSegment", len(got))
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		lang, in string
		limit    int
		want     string
	}{
		{"en", "Short enough.", 20, "Short enough."},
		{"en", "First sentence here. Second one is longer than that.", 30, "First sentence here."},
		{"en", "First sentence is too long for this. Second.", 20, "First sentence is…"},
		{"de", "Wir zeigen z. B. Leuchten. Und mehr davon hier.", 30, "Wir zeigen z. B. Leuchten."},
		{"en", "It is 1.12 kg. Light.", 17, "It is 1.12 kg."},
	} {
		if got := Clip(tt.in, tt.limit, tt.lang); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func FuzzSentences(f *testing.F) {
	f.Add("Dr. Holt, z. B. am 3. Mai. Next! And 1.5 kg…", "de", 40)
	f.Add("np. Warszawa.\n\nM. Dupont", "pl", 5)
	f.Add("日本語のテキスト。次の文。", "ja", 4)
	f.Fuzz(func(t *testing.T, s, lang string, limit int) {
		if !utf8.ValidString(s) {
			return
		}
		got := Sentences(s, lang)
		if strings.Join(got, "") != s {
			t.Fatalf("pieces of %q do not add up: %q", s, got)
		}
		for _, p := range got {
			if p == "" {
				t.Fatalf("empty piece in %q", got)
			}
		}
		limit = limit%400 + 2
		if limit < 2 {
			limit = 2
		}
		c := Clip(s, limit, lang)
		if n := uniseg.GraphemeClusterCount(c); n > limit {
			t.Fatalf("Clip(%q, %d) has %d characters", s, limit, n)
		}
		if !strings.HasSuffix(c, Ellipsis) && !strings.HasPrefix(strings.TrimSpace(s), c) {
			t.Fatalf("Clip(%q, %d) = %q is not a start of the text", s, limit, c)
		}
	})
}

// BenchmarkSentences segments MaxSegment bytes of prose, the most any
// caller has segmented at once.
func BenchmarkSentences(b *testing.B) {
	s := strings.Repeat("Ask Dr. Holt, z. B. am 3. Mai, about the 1.12 kg tent. It sleeps two! ", MaxSegment/70)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Sentences(s, "de")
	}
}
