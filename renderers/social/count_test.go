package social

import (
	"strings"
	"testing"
)

// Each input counted by each network's rules. -1 leaves a network out
// where its rule is not exact enough to pin.
func TestCount(t *testing.T) {
	const long = "https://kestrel.example/ridgeline-2-our-lightest-two-person-tent-yet/?utm_source=x&utm_medium=social&utm_campaign=ridgeline-2"
	for _, tt := range []struct {
		name                   string
		in                     string
		x, mastodon, bsky, u16 int
	}{
		{"ascii", "Hello, world!", 13, 13, 13, 13},
		{"emoji", "😀", 2, 1, 1, 2},
		{"ZWJ family", "👨\u200d👩\u200d👧\u200d👦", 2, 1, 1, 11},
		{"flag", "🇳🇱", 2, 1, 1, 4},
		{"two flags", "🇳🇱🇩🇪", 4, 2, 2, 8},
		{"skin tone", "👍🏽", 2, 1, 1, 4},
		{"rainbow flag", "🏳\ufe0f\u200d🌈", 2, 1, 1, 6},
		{"tag sequence flag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 2, 1, 1, 14},
		{"keycap", "1\ufe0f\u20e3", 2, 1, 1, 3},
		{"emoji in text", "Tent ⛺ for 2 👍🏽", 16, 14, 14, 17},
		{"CJK and kana", "日本語のテキスト", 16, 8, 8, 8},
		{"Hangul", "한국어", 6, 3, 3, 3},
		{"Hangul jamo, composed by NFC", "\u1112\u1161\u11ab", 2, 1, 1, 3},
		{"Arabic", "مرحبا بالعالم", 13, 13, 13, 13},
		{"Hebrew with points", "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd", 7, 4, 4, 7},
		{"combining acute, NFC for X", "cafe\u0301", 4, 4, 4, 5},
		{"two combining marks", "e\u0301\u0302", 2, 1, 1, 3},
		{"stacked marks", "Z\u0351\u036b", 3, 1, 1, 3},
		{"Thai", "สวัสดีครับ", 10, 7, 7, 10},
		{"Devanagari", "नमस्ते", 6, -1, -1, 6},
		{"only a URL", "https://example.com", 23, 23, 19, 19},
		{"long URL", long, 23, 23, -1, -1},
		{"URL in a sentence", "Read " + long + " now", 32, 32, -1, -1},
		{"URL in parentheses with its own", "See (https://en.wikipedia.org/wiki/Tent_(camping)).", 30, 30, -1, -1},
		{"balanced parentheses in a query", "https://x.example/?q=(a)", 23, 23, -1, -1},
		{"IDN host", "https://bücher.example/weg", 23, 23, 26, 26},
		{"bare domain", "kestrel.example/tents", 23, 23, -1, -1},
		{"upper-case scheme", "HTTPS://X.EXAMPLE", 23, 23, -1, -1},
		{"email is not a link", "mail anna@kestrel.example today", 31, -1, 31, 31},
		{"two links", "a https://x.example b https://y.example", 51, 51, -1, -1},
		{"link then ellipsis", "https://x.example/a…", 25, 24, -1, -1},
		{"link then full stop", "Go to https://x.example/a.", 30, 30, -1, -1},
		{"emoji then link", "🎉 https://kestrel.example", 26, 25, -1, -1},
		{"ellipsis weighs 2 on X", "…", 2, 1, 1, 1},
		{"em dash weighs 1", "—", 1, 1, 1, 1},
		{"curly quotes weigh 1", "“quotes”", 8, 8, 8, 8},
		{"euro sign weighs 2", "€100", 5, 4, 4, 4},
		{"German sharp s", "Straße", 6, 6, 6, 6},
		{"hashtags", "#Tents #Lightweight", 19, 19, 19, 19},
		{"remote mention", "Thanks @anna@outdoors.example!", 30, 13, 30, 30},
		{"local mention", "@anna", 5, 5, 5, 5},
		{"CRLF is one grapheme", "a\r\nb", 4, 3, 3, 4},
		{"text-style symbol", "☺\ufe0e", 2, 1, 1, 2},
		{"10,000 letters", strings.Repeat("a", 10000), 10000, 10000, 10000, 10000},
		{"10,000 CJK", strings.Repeat("日", 10000), 20000, 10000, 10000, 10000},
		{"10,000 emoji", strings.Repeat("👍🏽", 10000), 20000, 10000, 10000, 40000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			check := func(net string, got, want int) {
				if want >= 0 && got != want {
					t.Errorf("%s counts %d, want %d", net, got, want)
				}
			}
			check("X", CountX(tt.in), tt.x)
			check("Mastodon", CountMastodon(tt.in), tt.mastodon)
			check("Bluesky", CountBluesky(tt.in), tt.bsky)
			check("UTF-16", CountUTF16(tt.in), tt.u16)
		})
	}
}

func TestFindURLs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"See (https://en.wikipedia.org/wiki/Tent_(camping)).", []string{"https://en.wikipedia.org/wiki/Tent_(camping)"}},
		{"https://x.example/a?b=c&d=e#f, and more", []string{"https://x.example/a?b=c&d=e#f"}},
		{"visit kestrel.example or shop.kestrel.example/tents!", []string{"kestrel.example", "shop.kestrel.example/tents"}},
		{"anna@kestrel.example", nil},
		{"file.txt and notes.md", nil}, // file names, not links
		{"“https://x.example/q”", []string{"https://x.example/q"}},
		{"https://", nil},
		{"https://bücher.example/straße", []string{"https://bücher.example/straße"}},
	} {
		var got []string
		for _, u := range FindURLs(tt.in) {
			got = append(got, tt.in[u[0]:u[1]])
		}
		if strings.Join(got, " | ") != strings.Join(tt.want, " | ") {
			t.Errorf("FindURLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHashtags(t *testing.T) {
	got := Hashtags([]string{"trail running", "Trail Running", "tents", "2026", "ultra-light gear", "Ønskeliste", "キャンプ", "!!"})
	want := "#TrailRunning #Tents #UltraLightGear #Ønskeliste #キャンプ"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}
}
