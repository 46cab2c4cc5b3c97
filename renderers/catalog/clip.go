package catalog

import (
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
)

// Clip shortens s to at most limit user-perceived characters (grapheme
// clusters), ellipsis included. It cuts after the last whole word that
// fits, by Unicode word boundaries (UAX #29), so it works in scripts
// without spaces too: Chinese and Japanese break between characters.
// When not even one word fits (a long Thai run, a URL) it cuts at a
// grapheme boundary, never inside a combining sequence or an emoji.
func Clip(s string, limit int) string {
	s = strings.TrimSpace(s)
	if limit <= 1 || uniseg.GraphemeClusterCount(s) <= limit {
		return s
	}
	budget := limit - 1 // room for "…"
	cut, n := 0, 0
	rest, state := s, -1
	for len(rest) > 0 {
		var word string
		word, rest, state = uniseg.FirstWordInString(rest, state)
		n += uniseg.GraphemeClusterCount(word)
		if n > budget {
			break
		}
		if isWord(word) {
			cut = len(s) - len(rest)
		}
	}
	if cut == 0 {
		// No word boundary fits: fall back to whole graphemes.
		g := uniseg.NewGraphemes(s)
		for i := 0; i < budget && g.Next(); i++ {
			_, cut = g.Positions()
		}
	}
	head := strings.TrimRightFunc(s[:cut], func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—(“‘«„", r)
	})
	return head + "…"
}

// isWord reports whether a word segment holds a letter, digit or symbol,
// as opposed to spaces or punctuation only.
func isWord(seg string) bool {
	for _, r := range seg {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.So, unicode.Sk) {
			return true
		}
	}
	return false
}
