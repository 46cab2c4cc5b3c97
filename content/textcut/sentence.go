package textcut

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// MaxSegment is the most text Sentences looks at: UAX #29 sentence
// segmentation costs about 6 µs a byte here, so a 1 MiB paragraph took
// seconds. Callers that need more sentences than fit in a few posts are
// rare; those that pass more get the rest as one final segment.
const MaxSegment = 16 << 10

// abbreviations end in a dot without ending a sentence, per base
// language; common holds those every language uses. Tokens with an
// inner dot between short letter runs ("z.B.", "d.h.", "m.in.") and
// single letters ("M.", "J.") are recognised by shape, not listed.
var (
	common        = words("dr. prof. st. vs. cf. ca. nr. no. fig. approx. ing. mgr. inż. mr. mrs. ms. jr. sr. tel. vol. pp.")
	abbreviations = map[string]map[string]bool{
		"en": words("e.g. i.e. etc.. approx. est. dept. inc.. mt. ft."),
		"de": words("bzw. z.b. usw.. vgl. ggf. inkl. exkl. evtl. bspw. sog. insb. hr. fr. str. abb. mio. mrd. jh. zzgl. max. min. ggü. gem. tsd."),
		"nl": words("bijv. bv. d.w.z. o.a. m.b.t. t.o.v. dhr. mevr. mw. blz. incl. excl. evt. i.p.v. ong. resp. m.n. zgn. enz.."),
		"fr": words("mme. mlle. mm. env. ex. p.ex. c.-à-d. cf. chap. éd. coll. av. apr. boul. bd. ste. tél. etc.."),
		"pl": words("np. tj. tzn. m.in. ok. ul. al. prof. dr. godz. nr. art. ust. pkt. ds. wg. tys. mln. mld. zob. tzw. im. pl. gen. płk. ks. itd.. itp.."),
	}
)

// words makes a set from a space-separated list. An entry written with
// two dots ("etc..") is one that often ends a sentence too: it is left
// out, and listed only so that the omission is on record.
func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		if !strings.HasSuffix(w, "..") {
			m[w] = true
		}
	}
	return m
}

// Sentences splits s into sentences by Unicode's rules (UAX #29), then
// joins back what those rules split after an abbreviation ("Dr. Smith",
// "z. B. Äpfel", "np. Warszawa", "M. Dupont") or, in German and
// Polish, an ordinal number ("am 3. Mai"). Each sentence keeps the
// spaces and line breaks that follow it, so the pieces add up to s.
// Only the first MaxSegment bytes are segmented; the rest, if any, is
// the last piece.
func Sentences(s, lang string) []string { return split(s, lang, -1) }

// FirstSentence is the first piece Sentences would return, found
// without segmenting the rest.
func FirstSentence(s, lang string) string {
	if p := split(s, lang, 1); len(p) > 0 {
		return p[0]
	}
	return ""
}

// split is Sentences stopping after n pieces (n < 0: all).
func split(s, lang string, n int) []string {
	if s == "" {
		return nil
	}
	head, tail := s, ""
	if len(head) > MaxSegment {
		cut := MaxSegment
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		head, tail = s[:cut], s[cut:]
	}
	base := baseLang(lang)
	var out []string
	rest, state := head, -1
	pending := ""
	for len(rest) > 0 {
		var seg string
		seg, rest, state = uniseg.FirstSentenceInString(rest, state)
		pending += seg
		if len(rest) > 0 && continues(pending, base) {
			continue
		}
		out = append(out, pending)
		pending = ""
		if len(out) == n {
			return out
		}
	}
	if pending != "" {
		out = append(out, pending)
	}
	if tail != "" {
		if len(out) > 0 && !EndsSentence(out[len(out)-1]) {
			out[len(out)-1] += tail
		} else {
			out = append(out, tail)
		}
	}
	return out
}

// EndsSentence reports whether a piece ends with sentence punctuation
// (or a line break), as a piece Sentences returns normally does; the
// last piece of a text cut short may not.
func EndsSentence(piece string) bool {
	t := strings.TrimRightFunc(piece, func(r rune) bool { return r == ' ' || r == '\t' })
	if t != piece && strings.ContainsAny(piece[len(t):], "\n\r") || strings.HasSuffix(t, "\n") {
		return true
	}
	t = strings.TrimRight(t, `"')]»”’`)
	r, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune(".!?…。！？", r)
}

// SentenceEnds returns the byte offsets in s just after each sentence
// and the spaces that follow it; the last is len(s).
func SentenceEnds(s, lang string) []int {
	var ends []int
	pos := 0
	for _, p := range Sentences(s, lang) {
		pos += len(p)
		ends = append(ends, pos)
	}
	return ends
}

// continues reports whether the text so far ends, not a sentence, but an
// abbreviation or an ordinal, so the next piece belongs to the same
// sentence.
func continues(text, lang string) bool {
	t := strings.TrimRight(text, " \t\u00a0")
	if len(t) != len(text) && strings.ContainsAny(text[len(t):], "\n\r") || !strings.HasSuffix(t, ".") {
		return false
	}
	tok := t[strings.LastIndexAny(t, " \t\u00a0\n")+1:]
	tok = strings.TrimLeft(tok, `("'[«„“‘`)
	if tok == "." || strings.HasSuffix(tok, "..") {
		return false
	}
	lower := strings.ToLower(tok)
	if common[lower] || abbreviations[lang][lower] {
		return true
	}
	word := strings.TrimSuffix(tok, ".")
	switch n := utf8.RuneCountInString(word); {
	case n <= 2 && (lang == "de" || lang == "pl") && allDigits(word):
		return true // "am 3. Mai", "3. miejsce"
	case n == 1:
		r, _ := utf8.DecodeRuneInString(word)
		// An initial ("J. R. R. Tolkien", "M. Dupont"). Polish writes
		// "r." (roku) and "w." (wieku) at the ends of sentences.
		return unicode.IsUpper(r) || unicode.IsLetter(r) && lang != "pl"
	}
	return dotted(word)
}

// dotted reports whether w is letter runs of at most three joined by
// dots or dashes, as in "z.B", "d.h", "m.in", "c.-à-d".
func dotted(w string) bool {
	if !strings.Contains(w, ".") {
		return false
	}
	for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '.' || r == '-' }) {
		n := 0
		for _, r := range part {
			if !unicode.IsLetter(r) {
				return false
			}
			n++
		}
		if n > 3 {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// baseLang is the language subtag of a BCP 47 tag, lower-cased.
func baseLang(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
