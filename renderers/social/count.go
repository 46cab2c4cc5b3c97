// Package social renders an item as posts for each social network the
// brand uses, counted the way each network counts, and as share card
// images.
//
// This file holds the networks' length rules. Every counter errs, where
// a network's rule is not public, towards counting more than the network
// does, so a post that fits here fits there.
package social

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// URLLength is what X and Mastodon charge for any link, however long:
// both shorten links to a fixed-length form.
const URLLength = 23

// CountX counts s the way X does (twitter-text v3): after NFC
// normalisation, code points in 0–4351, 8192–8205, 8208–8223 and
// 8242–8247 weigh 1 and all others 2; an emoji sequence weighs 2 however
// many code points it has; every URL weighs 23.
func CountX(s string) int { return withURLs(norm.NFC.String(s), countXText) }

// withURLs counts s with every URL at URLLength and the text between by
// text.
func withURLs(s string, text func(string) int) int {
	n := 0
	last := 0
	for _, u := range FindURLs(s) {
		n += text(s[last:u[0]]) + URLLength
		last = u[1]
	}
	return n + text(s[last:])
}

func countXText(s string) int {
	n := 0
	state := -1
	for len(s) > 0 {
		var cluster string
		cluster, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		if isEmoji(cluster) {
			n += 2
			continue
		}
		for _, r := range cluster {
			n += xWeight(r)
		}
	}
	return n
}

func xWeight(r rune) int {
	switch {
	case r <= 4351, r >= 8192 && r <= 8205, r >= 8208 && r <= 8223, r >= 8242 && r <= 8247:
		return 1
	default:
		return 2
	}
}

// isEmoji reports whether a grapheme cluster is an emoji (sequence):
// pictographs with their modifiers and joiners, flags, keycaps and
// text symbols shown as emoji. Doubtful symbols count as emoji, which
// on X can only make a count larger.
func isEmoji(cluster string) bool {
	for _, r := range cluster {
		switch {
		case r >= 0x1F000 && r <= 0x1FAFF, // pictographs, emoticons, transport, flags' regional indicators, supplemental symbols
			r >= 0x2600 && r <= 0x27BF,   // miscellaneous symbols and dingbats
			r >= 0x2300 && r <= 0x23FF,   // technical: ⌚ ⏰
			r >= 0x2B00 && r <= 0x2BFF,   // arrows and shapes: ⭐ ⬛
			r >= 0xE0020 && r <= 0xE007F, // tag sequences (subdivision flags)
			r == 0x20E3,                  // combining keycap
			r == 0xFE0F,                  // emoji presentation selector
			r == 0x200D && utf8.RuneCountInString(cluster) > 1,
			r == 0x00A9, r == 0x00AE, r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139,
			r >= 0x2194 && r <= 0x21AA, r >= 0x2934 && r <= 0x2935, r >= 0x25AA && r <= 0x25FE,
			r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299:
			return true
		}
	}
	return false
}

// CountMastodon counts s the way Mastodon does: grapheme clusters, with
// every URL counting 23 and a mention of a remote account counting only
// its @user part.
func CountMastodon(s string) int { return withURLs(s, countMastodonText) }

func countMastodonText(s string) int {
	n := 0
	for _, m := range findMentions(s) {
		// "@user@instance.example" counts as "@user".
		n -= uniseg.GraphemeClusterCount(s[m[1]:m[2]])
	}
	return n + uniseg.GraphemeClusterCount(s)
}

// findMentions returns [start, userEnd, end] for each "@user@domain".
func findMentions(s string) [][3]int {
	var out [][3]int
	for i := 0; i < len(s); i++ {
		if s[i] != '@' || (i > 0 && isMentionChar(s[i-1])) {
			continue
		}
		j := i + 1
		for j < len(s) && isMentionChar(s[j]) {
			j++
		}
		if j == i+1 || j >= len(s) || s[j] != '@' {
			continue
		}
		k := j + 1
		for k < len(s) && (isMentionChar(s[k]) || s[k] == '.' || s[k] == '-') {
			k++
		}
		for k > j+1 && (s[k-1] == '.' || s[k-1] == '-') {
			k--
		}
		if k > j+1 {
			out = append(out, [3]int{i, j, k})
			i = k - 1
		}
	}
	return out
}

func isMentionChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// CountBluesky counts grapheme clusters, as Bluesky does. Links count as
// the text shown; the full URL lives in a facet, not in the text.
func CountBluesky(s string) int { return uniseg.GraphemeClusterCount(s) }

// CountThreads counts s the way Threads does: characters (code points
// here, never fewer than what a person sees), except that an emoji
// counts its UTF-8 bytes, so 👍 costs 4 and a family emoji 25.
func CountThreads(s string) int {
	n := 0
	state := -1
	for len(s) > 0 {
		var cluster string
		cluster, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		if isEmoji(cluster) {
			n += len(cluster)
		} else {
			n += utf8.RuneCountInString(cluster)
		}
	}
	return n
}

// CountUTF16 counts UTF-16 code units, the way JavaScript's length does.
// LinkedIn and Facebook publish limits in "characters" without saying
// which; code units are never fewer than code points or graphemes.
func CountUTF16(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
