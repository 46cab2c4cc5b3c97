package textcut

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Ellipsis marks text cut short inside a sentence.
const Ellipsis = "…"

// Clip shortens s to at most limit user-perceived characters (grapheme
// clusters). It ends after the last whole sentence that fits, with no
// ellipsis; when not even the first sentence fits, after the last whole
// word, with one (see Words). Only about four times limit bytes of s
// are segmented into sentences, so a huge paragraph costs no more than
// a short one.
func Clip(s string, limit int, lang string) string {
	s = strings.TrimSpace(s)
	if limit <= 1 || uniseg.GraphemeClusterCount(s) <= limit {
		return s
	}
	// A grapheme is at least one byte: what lies beyond limit*4 bytes
	// (plus a margin for long graphemes) cannot matter.
	scan := s
	if n := limit*4 + 64; len(scan) > n {
		for n > 0 && !utf8.RuneStart(scan[n]) {
			n--
		}
		scan = scan[:n]
	}
	best, used, n := 0, 0, 0
	for _, p := range Sentences(scan, lang) {
		t := strings.TrimRightFunc(p, unicode.IsSpace)
		if n+uniseg.GraphemeClusterCount(t) > limit {
			break
		}
		n += uniseg.GraphemeClusterCount(p)
		if EndsSentence(p) {
			best = used + len(t)
		}
		used += len(p)
	}
	if best > 0 {
		return s[:best]
	}
	return Words(s, limit)
}

// Words shortens s to at most limit user-perceived characters (grapheme
// clusters), ellipsis included. It cuts after the last whole word that
// fits, by Unicode word boundaries (UAX #29), so it works in scripts
// without spaces too: Chinese and Japanese break between characters.
// When not even one word fits (a long Thai run, a URL) it cuts at a
// grapheme boundary, never inside a combining sequence or an emoji.
func Words(s string, limit int) string {
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
		if IsWord(word) {
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
	return TrimEnd(s[:cut]) + Ellipsis
}
