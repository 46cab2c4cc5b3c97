package catalog

import (
	"strings"

	"github.com/rivo/uniseg"

	"github.com/crosscast/crosscast/renderers/textcut"
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
		if textcut.IsWord(word) {
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
	return textcut.TrimEnd(s[:cut]) + "…"
}
