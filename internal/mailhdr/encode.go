package mailhdr

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// wordOverhead is "=?utf-8?q?" and "?=".
const wordOverhead = len("=?utf-8?q?") + len("?=")

// plainText reports whether s can stand in an unstructured header as it
// is: printable ASCII, single spaces between words (folding and
// unfolding keep those), nothing a client could take for an
// encoded-word, and no word too long to fold onto a line of its own.
func plainText(s string, first int) bool {
	if !printableASCII(s) || strings.Contains(s, "=?") || strings.Join(strings.Fields(s), " ") != s {
		return false
	}
	for i, w := range strings.Fields(s) {
		if (i == 0 && len(w) > first) || len(w) > SoftLine-2 {
			return false
		}
	}
	return true
}

// plainPhrase reports whether s can be a quoted-string display name.
func plainPhrase(s string, first int) bool {
	return printableASCII(s) && !strings.Contains(s, "=?") && len(quote(s)) <= first
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// encodeText returns s as space-separated RFC 2047 encoded-words, none
// over 75 characters and the first within first, split between grapheme
// clusters (between runes inside a cluster too long for one word). The
// whole value is encoded, so a decoder gives back exactly s, even when s
// itself looks like an encoded-word. phrase selects the stricter Q
// alphabet of RFC 2047 §5(3), for display names.
func encodeText(s string, first int, phrase bool) string {
	q := qLen(s, phrase)
	useB := base64.StdEncoding.EncodedLen(len(s)) < q
	size := func(n, qn int) int { // a word's length for n bytes, qn Q chars
		if useB {
			return wordOverhead + base64.StdEncoding.EncodedLen(n)
		}
		return wordOverhead + qn
	}
	var words []string
	budget := min(first, maxWord)
	start, n, qn := 0, 0, 0
	flush := func(end int) {
		if end > start {
			words = append(words, word(s[start:end], useB, phrase))
			budget = maxWord
		}
		start, n, qn = end, 0, 0
	}
	state := -1
	for i := 0; i < len(s); {
		cluster, _, _, st := uniseg.FirstGraphemeClusterInString(s[i:], state)
		state = st
		cq := qLen(cluster, phrase)
		if size(n+len(cluster), qn+cq) > budget {
			flush(i)
		}
		if size(len(cluster), cq) <= budget {
			n, qn = n+len(cluster), qn+cq
			i += len(cluster)
			continue
		}
		// A cluster too long for one word (a base letter with thousands
		// of combining marks) is split between its runes.
		for _, r := range cluster {
			rl := utf8.RuneLen(r)
			rq := qLen(string(r), phrase)
			if size(n+rl, qn+rq) > budget {
				flush(i)
			}
			n, qn = n+rl, qn+rq
			i += rl
		}
	}
	flush(len(s))
	if len(words) == 0 {
		return word("", useB, phrase)
	}
	return strings.Join(words, " ")
}

func word(s string, b, phrase bool) string {
	if b {
		return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
	}
	var sb strings.Builder
	sb.WriteString("=?utf-8?q?")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			sb.WriteByte('_')
		case qLiteral(c, phrase):
			sb.WriteByte(c)
		default:
			sb.WriteByte('=')
			sb.WriteByte("0123456789ABCDEF"[c>>4])
			sb.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	sb.WriteString("?=")
	return sb.String()
}

// qLiteral: in unstructured text any printable ASCII but = ? _ stands
// for itself (RFC 2047 §5(1)); in a phrase only letters, digits and
// ! * + - / (§5(3)).
func qLiteral(c byte, phrase bool) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!*+-/", c) >= 0 {
		return true
	}
	return !phrase && c > ' ' && c <= '~' && c != '=' && c != '?' && c != '_'
}

func qLen(s string, phrase bool) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || qLiteral(s[i], phrase) {
			n++
		} else {
			n += 3
		}
	}
	return n
}
