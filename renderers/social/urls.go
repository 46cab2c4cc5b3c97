package social

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FindURLs returns the byte spans of the links in s: anything starting
// with http:// or https://, and bare domains with a common top-level
// domain (example.com/path), the way networks link them. Trailing
// punctuation is not part of a link, and neither is a closing
// parenthesis without its opening one, so "(see https://x.example/a_(b))."
// links https://x.example/a_(b).
func FindURLs(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		if i > 0 && !urlMayStartAfter(s, i) {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		end := 0
		if n := schemeLen(s[i:]); n > 0 {
			end = i + n + hostLen(s[i+n:])
			if end == i+n {
				end = 0 // "https://" alone
			}
		} else if h := hostLen(s[i:]); h > 0 && knownTLD(s[i:i+h]) {
			end = i + h
		}
		if end == 0 {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		if end < len(s) && (s[end] == '/' || s[end] == '?' || s[end] == '#' || s[end] == ':') {
			end += tailLen(s[end:])
		}
		end = i + trimURL(s[i:end])
		out = append(out, [2]int{i, end})
		i = end
	}
	return out
}

// urlMayStartAfter reports whether a link can start at byte i: after a
// space or an opening bracket or quote, not inside a word, an email
// address or a path.
func urlMayStartAfter(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	// A combining mark belongs to the letter before it. Letting a link
	// start after one also made FindURLs quadratic: from each mark of a
	// run, hostLen read the whole run again.
	if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) {
		return false
	}
	switch r {
	case '@', '.', '/', '-', '_', '#', '$', '%', '&', '=', '+', '~':
		return false
	}
	return true
}

func schemeLen(s string) int {
	for _, p := range []string{"https://", "http://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return len(p)
		}
	}
	return 0
}

// hostLen is the length of the host at the start of s: labels of
// letters (any script, for IDN hosts), digits and hyphens, joined by
// dots, with an optional :port.
func hostLen(s string) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || unicode.Is(unicode.Mn, r) ||
			r == '.' && n > 0 && s[n-1] != '.') {
			break
		}
		n += size
	}
	return len(strings.TrimRight(s[:n], ".-"))
}

// tailLen is the length of a path, query or fragment: up to white space.
func tailLen(s string) int {
	for i, r := range s {
		if unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' {
			return i
		}
	}
	return len(s)
}

// trimURL drops what a sentence put after a link: trailing punctuation,
// and closing brackets that were not opened inside it.
func trimURL(u string) int {
	for len(u) > 0 {
		r, size := utf8.DecodeLastRuneInString(u)
		switch r {
		case '.', ',', ';', ':', '!', '?', '\'', '"', '…', '’', '”', '*', '»':
			u = u[:len(u)-size]
			continue
		case ')', ']', '}':
			open := map[rune]rune{')': '(', ']': '[', '}': '{'}[r]
			if strings.Count(u, string(open)) < strings.Count(u, string(r)) {
				u = u[:len(u)-size]
				continue
			}
		}
		break
	}
	return len(u)
}

// knownTLD reports whether a bare host ends in a top-level domain common
// enough that networks link it without a scheme.
func knownTLD(host string) bool {
	i := strings.LastIndexByte(host, '.')
	if i <= 0 {
		return false
	}
	tld := strings.ToLower(host[i+1:])
	switch tld {
	case "com", "org", "net", "io", "dev", "app", "co", "info", "biz", "edu", "gov", "shop", "store",
		"blog", "news", "tech", "ai", "me", "tv", "xyz", "online", "site", "social", "eu", "de", "nl",
		"fr", "pl", "uk", "se", "no", "dk", "fi", "es", "it", "ch", "at", "be", "us", "ca", "au", "nz",
		"jp", "cn", "kr", "ru", "br", "in", "example":
		return true
	}
	return false
}
