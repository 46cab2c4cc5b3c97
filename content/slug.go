package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Letters that Unicode decomposition does not reduce to ASCII.
var translit = map[rune]string{
	'ł': "l", 'Ł': "l", 'ø': "o", 'Ø': "o", 'æ': "ae", 'Æ': "ae",
	'œ': "oe", 'Œ': "oe", 'ß': "ss", 'ẞ': "ss", 'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i", 'ŀ': "l",
	'Ŀ': "l", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t", 'ĸ': "k",
	'ŋ': "n", 'Ŋ': "n", 'ſ': "s", '&': "-",
}

const maxSlugLen = 80

// Slugify turns text into a URL slug of [a-z0-9-]: Latin letters are
// transliterated ("Przegląd cen – Zürich" becomes "przeglad-cen-zurich"),
// everything else separates words. It returns "" when nothing is left,
// e.g. for a title in a non-Latin script.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	emit := func(r rune) {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// a combining mark left by decomposition: drop it
		case r == '\'' || r == '’':
			// "don't" reads better as "dont" than "don-t"
		default:
			dash = true
		}
	}
	for _, r := range norm.NFD.String(s) {
		if t, ok := translit[r]; ok {
			for _, tr := range t {
				emit(tr)
			}
			continue
		}
		emit(r)
	}
	out := b.String()
	if len(out) > maxSlugLen {
		out = out[:maxSlugLen]
		if i := strings.LastIndexByte(out, '-'); i > maxSlugLen/2 {
			out = out[:i]
		}
		out = strings.TrimRight(out, "-")
	}
	return out
}

// ValidSlug reports whether s is a slug Slugify could have produced.
func ValidSlug(s string) bool {
	if s == "" || len(s) > maxSlugLen || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
