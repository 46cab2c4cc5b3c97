package social

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/crosscast/crosscast/content/textcut"
)

// Counter counts a post the way one network does.
type Counter func(string) int

// Parts are what a post is made of. The prose may be shortened; the link
// and the required hashtags stay; optional hashtags go in as far as they
// fit.
type Parts struct {
	Prose    string
	Lang     string   // the prose's language, for its abbreviations
	Link     string   // the text shown for the link; "" for none
	Required []string // hashtags that must appear, "#" included
	Optional []string // hashtags in order of preference
}

// Ellipsis marks prose cut short.
const Ellipsis = "…"

// compose lays a post out: the prose, a blank line, the link, then the
// hashtags on one line.
func compose(prose, link string, tags []string) string {
	var b strings.Builder
	b.WriteString(prose)
	for _, part := range []string{link, strings.Join(tags, " ")} {
		if part == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(part)
	}
	return b.String()
}

// Fit returns the post for p within limit by count: the whole prose if it
// fits, else the prose cut at the last sentence, else word, else grapheme
// boundary that fits (with an ellipsis when cut mid-sentence). It never
// cuts inside a link, a hashtag, an emoji sequence or a combining
// sequence. Optional hashtags give way first, then the prose; required
// hashtags go only when the link alone is all that fits. dropped reports
// the required hashtags that had to go.
func Fit(p Parts, limit int, count Counter) (post string, truncated bool, dropped []string) {
	req := p.Required
	for {
		// As many optional hashtags as fit with the whole prose.
		tags := req
		if count(compose(p.Prose, p.Link, tags)) <= limit {
			for _, h := range p.Optional {
				if count(compose(p.Prose, p.Link, append(tags[:len(tags):len(tags)], h))) <= limit {
					tags = append(tags[:len(tags):len(tags)], h)
				}
			}
			return compose(p.Prose, p.Link, tags), false, dropped
		}
		if prose, ok := shorten(p.Prose, p.Lang, func(s string) bool { return count(compose(s, p.Link, req)) <= limit }); ok {
			return compose(prose, p.Link, req), true, dropped
		}
		if len(req) == 0 {
			// Not even the link fits: the post is the link, as much as
			// can be said.
			return p.Link, p.Prose != "", dropped
		}
		dropped = append(dropped, req[len(req)-1])
		req = req[:len(req)-1]
	}
}

// shorten returns the longest cut of prose that fits: complete sentences
// if any fit, else whole words plus an ellipsis, else whole graphemes plus
// an ellipsis. ok is false when nothing of the prose fits (not even an
// empty prose, or only an empty one).
func shorten(prose, lang string, fits func(string) bool) (string, bool) {
	if !fits("") {
		return "", false
	}
	// Sentence boundaries first: no ellipsis, the sentences are whole.
	if s, ok := longest(prose, sentenceCuts(prose, lang), fits, ""); ok {
		return s, true
	}
	cuts := cutPoints(prose)
	if s, ok := longest(prose, cuts.words, fits, Ellipsis); ok {
		return s, true
	}
	if s, ok := longest(prose, cuts.graphemes, fits, Ellipsis); ok {
		return s, true
	}
	return "", true
}

// longest finds, by binary search, the longest prefix ending at one of
// cuts that fits with mark appended. Counts grow with the prefix, since
// no cut falls inside a link.
func longest(prose string, cuts []int, fits func(string) bool, mark string) (string, bool) {
	try := func(i int) string { return textcut.TrimEnd(prose[:cuts[i]]) + mark }
	lo, hi := 0, len(cuts)-1
	best := -1
	for lo <= hi {
		mid := (lo + hi) / 2
		if s := try(mid); strings.TrimSpace(s) != strings.TrimSpace(mark) && fits(s) {
			best, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best < 0 {
		return "", false
	}
	return try(best), true
}

type cutSet struct{ words, graphemes []int }

// okCut returns whether prose may be cut at a byte offset: not at its
// ends, and not inside a link or a hashtag.
func okCut(prose string) func(int) bool {
	inside := protected(prose)
	return func(at int) bool {
		for _, r := range inside {
			if at > r[0] && at < r[1] {
				return false
			}
		}
		return at > 0 && at < len(prose)
	}
}

// sentenceCuts lists the byte offsets after each sentence of prose
// (abbreviations in lang do not end one) that are not inside a link or
// hashtag.
func sentenceCuts(prose, lang string) []int {
	ok := okCut(prose)
	var cuts []int
	for _, at := range textcut.SentenceEnds(prose, lang) {
		if ok(at) {
			cuts = append(cuts, at)
		}
	}
	return cuts
}

// cutPoints lists where prose may be cut: byte offsets after a word,
// after a grapheme cluster. None falls inside a link or a hashtag;
// grapheme clusters keep emoji sequences and combining marks whole.
func cutPoints(prose string) cutSet {
	var c cutSet
	ok := okCut(prose)
	rest, state, pos := prose, -1, 0
	for len(rest) > 0 {
		var w string
		w, rest, state = uniseg.FirstWordInString(rest, state)
		pos += len(w)
		if ok(pos) && textcut.IsWord(w) {
			c.words = append(c.words, pos)
		}
	}
	rest, state, pos = prose, -1, 0
	for len(rest) > 0 {
		var g string
		g, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		pos += len(g)
		if ok(pos) {
			c.graphemes = append(c.graphemes, pos)
		}
	}
	return c
}

// protected returns the spans of links and hashtags in s.
func protected(s string) [][2]int {
	spans := FindURLs(s)
	for i := 0; i < len(s); i++ {
		if s[i] != '#' || (i > 0 && !unicode.IsSpace(rune(s[i-1])) && !strings.ContainsRune("([{\"'", rune(s[i-1]))) {
			continue
		}
		j, letters := i+1, false
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || unicode.Is(unicode.Mn, r)) {
				break
			}
			letters = letters || unicode.IsLetter(r)
			j += size
		}
		// "#1" is a number, not a hashtag: no network links it.
		if letters {
			spans = append(spans, [2]int{i, j})
			i = j - 1
		}
	}
	return spans
}
