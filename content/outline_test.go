package content

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestOutline(t *testing.T) {
	for _, tt := range []struct {
		name, lang, body string
		lead             string // first lead paragraph, sentences joined by "|"
		points           string // "kind:text" joined by "|"
	}{
		{"bold label", "nl", "**Inhoud van dit artikel**\n\nGlas is mooi. Het blijft mooi.\n\n## Waarom glas\n\nGlas gaat lang mee. Heel lang.\n",
			"Glas is mooi.|Het blijft mooi.", "h:Waarom glas|s:Glas gaat lang mee."},
		{"colon label and its list", "pl", "Z tego artykułu dowiesz się:\n\n- jak liczyć koszty,\n- jak planować.\n\nKoszty rosną, np. w Warszawie. To ważne.\n",
			"Koszty rosną, np. w Warszawie.|To ważne.", "i:jak liczyć koszty,|i:jak planować."},
		{"bold line at the top of a paragraph", "de", "**Das Wichtigste**\nWir zeigen z. B. Leuchten. Und mehr.\n",
			"Wir zeigen z. B. Leuchten.|Und mehr.", ""},
		{"heading-only line", "fr", "Introduction\n\nM. Dupont a raison. Voilà.\n",
			"M. Dupont a raison.|Voilà.", ""},
		{"soft-wrapped prose is prose", "en", "The first line of prose\nwraps here. Then more.\n",
			"The first line of prose wraps here.|Then more.", ""},
		{"no intro", "en", "## Setup\n\nInstall it first. Then run it.\n\n## Use\n\nCall the API.\n",
			"Install it first.|Then run it.", "h:Setup|h:Use|s:Call the API."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			it := mustParse(t, "---\ntitle: T\nlang: "+tt.lang+"\n---\n"+tt.body, nil, ParseOptions{})
			o, err := it.Outline(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			lead := ""
			if len(o.Lead) > 0 {
				lead = strings.Join(o.Lead[0], "|")
			}
			var pts []string
			for _, p := range o.Points {
				pts = append(pts, string("hsi"[p.Kind])+":"+p.Text)
			}
			if lead != tt.lead || strings.Join(pts, "|") != tt.points {
				t.Errorf("lead %q\n want %q\npoints %q\n  want %q", lead, tt.lead, strings.Join(pts, "|"), tt.points)
			}
			if want := strings.ReplaceAll(tt.lead, "|", " "); it.Summary != want {
				t.Errorf("summary %q, want %q", it.Summary, want)
			}
		})
	}
}

// A derived summary ends after the last sentence within the limit, else
// after a word.
func TestDerivedSummaryCut(t *testing.T) {
	sentence := "The hut sleeps twelve and has a drying room, a stove and a small shop. "
	it := mustParse(t, "---\ntitle: T\n---\n"+strings.Repeat(sentence, 6)+"\n", nil, ParseOptions{})
	if want := strings.TrimSpace(strings.Repeat(sentence, 4)); it.Summary != want {
		t.Errorf("summary %q\nwant %q", it.Summary, want)
	}
	it = mustParse(t, "---\ntitle: T\n---\n"+strings.Repeat("word ", 100)+"end.\n", nil, ParseOptions{})
	if !strings.HasSuffix(it.Summary, "word…") || len([]rune(it.Summary)) > SummaryLimit {
		t.Errorf("summary %q", it.Summary)
	}
}

// The outline of a huge body is bounded, and quick.
func TestOutlineBounded(t *testing.T) {
	it := mustParse(t, "---\ntitle: T\n---\n"+strings.Repeat("A sentence of words. ", 40_000)+"\n", nil, ParseOptions{})
	o, err := it.Outline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range o.Lead[0] {
		n += len(s)
	}
	if n > outlineLeadBytes {
		t.Errorf("lead of %d bytes", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := it.Outline(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestThreadMaxAndCTA(t *testing.T) {
	_, err := parseString(t, "---\ntitle: T\nsocial:\n  thread_max: 30\n---\nBody.\n", nil, ParseOptions{})
	var ce Errors
	if !errors.As(err, &ce) || ce[0].Line != 4 || ce[0].Col != 3 || ce[0].Field != "social.thread_max" {
		t.Errorf("thread_max 30: %v", err)
	}
	it := mustParse(t, "---\ntitle: T\nsocial:\n  thread_max: 2\n---\nBody.\n", nil, ParseOptions{})
	if got := (&Brand{}).ThreadMax(it); got != 2 {
		t.Errorf("ThreadMax = %d", got)
	}
	if got := (&Brand{Social: BrandSocial{ThreadMax: 6}}).ThreadMax(&Item{}); got != 6 {
		t.Errorf("brand ThreadMax = %d", got)
	}
	for label, vague := range map[string]bool{"→": true, "Klik hier": true, "Read the guide →": false, "Lees meer »": true, "Zobacz cennik": false} {
		it := mustParse(t, "---\ntitle: T\nlang: nl\ncta:\n  label: \""+label+"\"\n  url: /x/\n---\nBody.\n", nil, ParseOptions{})
		var got bool
		for _, w := range it.Warnings {
			if w.Field == "cta.label" && w.Line == 5 && w.Col == 3 {
				got = true
			}
		}
		if got != vague {
			t.Errorf("%q: warned %v, want %v (%v)", label, got, vague, it.Warnings)
		}
	}
	for _, tt := range [][4]string{
		{"Read the guide →", "https://kestrel.example/g", "en", "Read the guide"},
		{"→", "https://www.kestrel.example/g", "en", "Go to kestrel.example"},
		{"»", "https://kestrel.example/g", "nl", "Naar kestrel.example"},
	} {
		if got := CTAText(tt[0], tt[1], tt[2]); got != tt[3] {
			t.Errorf("CTAText(%q) = %q, want %q", tt[0], got, tt[3])
		}
	}
}

func TestBrandThreadMax(t *testing.T) {
	b, err := loadBrand(t, strings.Replace(okBrand, "social:\n", "social:\n  thread_max: 6\n", 1))
	if err != nil || b.ThreadMax(&Item{}) != 6 {
		t.Fatalf("thread_max 6: %v", err)
	}
	_, err = loadBrand(t, strings.Replace(okBrand, "social:\n", "social:\n  thread_max: 0\n  x2: 1\n", 1))
	if err == nil {
		t.Fatal("an unknown field passed")
	}
	_, err = loadBrand(t, strings.Replace(okBrand, "social:\n", "social:\n  thread_max: 26\n", 1))
	var ce Errors
	if !errors.As(err, &ce) || ce[0].Field != "social.thread_max" || ce[0].Line != 11 || ce[0].Col != 3 {
		t.Errorf("thread_max 26: %v", err)
	}
}
