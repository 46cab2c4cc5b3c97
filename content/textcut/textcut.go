// Package textcut holds what every channel that shortens text agrees on:
// which word segments are words, and what a cut leaves dangling.
package textcut

import (
	"strings"
	"unicode"
)

// IsWord reports whether a word segment (UAX #29) holds a letter, digit
// or symbol, as opposed to spaces or punctuation only: cutting after it
// ends on a word.
func IsWord(seg string) bool {
	for _, r := range seg {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.So, unicode.Sk) {
			return true
		}
	}
	return false
}

// TrimEnd drops what should not end a shortened text: trailing spaces,
// separators and opening brackets or quotes.
func TrimEnd(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—(“‘«„", r)
	})
}
