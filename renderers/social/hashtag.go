package social

import (
	"strings"
	"unicode"
)

// Hashtag makes a tag into a hashtag in CamelCase ("trail running" →
// "#TrailRunning"), keeping letters and digits of any script. It returns
// "" when nothing usable is left, or only digits (networks do not link
// "#2026").
func Hashtag(tag string) string {
	var b strings.Builder
	upper := true
	letters := false
	for _, r := range tag {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if upper {
				b.WriteString(strings.ToUpper(string(r)))
			} else {
				b.WriteRune(r)
			}
			upper, letters = false, true
		case unicode.IsDigit(r):
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	if !letters || b.Len() == 0 {
		return ""
	}
	return "#" + b.String()
}

// Hashtags turns tags into distinct hashtags, in order; duplicates
// differing only in case are dropped.
func Hashtags(tags []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tags {
		h := Hashtag(t)
		if h == "" || seen[strings.ToLower(h)] {
			continue
		}
		seen[strings.ToLower(h)] = true
		out = append(out, h)
	}
	return out
}
