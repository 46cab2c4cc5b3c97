package social

import (
	"fmt"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/content/textcut"
)

// MaxThread bounds a thread: the most posts social.thread_max allows.
const MaxThread = content.MaxThreadMax

// Thread splits p into numbered posts ("… 1/3"), each within limit:
// whole sentences packed in order, and a sentence too long for one post
// split between words. The link and the hashtags go in the first post.
func Thread(p Parts, limit int, count Counter) []string {
	posts, _, _ := writePosts(sentences(p.Prose, p.Lang), p, limit, count, MaxThread)
	return posts
}

// chunk is one post's text while posts are packed. partial: it ends
// inside a unit (a sentence too long for a post, split between words).
type chunk struct {
	text    string
	partial bool
}

// writePosts packs units (sentences, list items, lines; each with the
// break that goes before it, see sentences) in order into at most
// maxPosts posts within limit, numbered when there are several. It
// never ends on part of a unit while a whole one could end it: a thread
// whose last post would hold only the start of a long sentence ends one
// post earlier, and a single post that cannot hold even its first unit
// whole ends on a word and an ellipsis. left reports that units were
// left out, clipped that a post ends inside a sentence.
func writePosts(units []string, p Parts, limit int, count Counter, maxPosts int) (posts []string, left, clipped bool) {
	if len(units) == 0 {
		post, truncated, _ := Fit(p, limit, count)
		return []string{post}, false, truncated
	}
	maxPosts = max(maxPosts, 1)
	req := p.Required
	for {
		// Everything in one post, with no counter, when it fits.
		if one := joinAll(units); count(compose(one, p.Link, req)) <= limit {
			return []string{compose(one, p.Link, withOptional(one, "", p, req, limit, count))}, false, false
		}
		// Reserve room for the widest counter the thread may need; the
		// real one is never wider.
		widest := ""
		if maxPosts > 1 {
			widest = fmt.Sprintf(" %d/%d", maxPosts, maxPosts)
		}
		if count(compose(widest, p.Link, req)) > limit {
			if len(req) == 0 {
				post, truncated, _ := Fit(p, limit, count)
				return []string{post}, truncated, truncated
			}
			req = req[:len(req)-1]
			continue
		}
		// Optional hashtags as long as the first post still holds its
		// first two units (the hook and a sentence) if it could: the
		// text is elastic, the tags are not.
		lead := units[0]
		if len(units) > 1 && count(compose(join(lead, units[1])+widest, p.Link, req)) <= limit {
			lead = join(lead, units[1])
		}
		tags := withOptional(lead, widest, p, req, limit, count)
		first := func(s string) bool { return count(compose(s+widest, p.Link, tags)) <= limit }
		other := func(s string) bool { return count(s+widest) <= limit }
		var chunks []chunk
		chunks, left = pack(units, first, other, maxPosts)
		for len(chunks) > 1 && chunks[len(chunks)-1].partial {
			chunks, left = chunks[:len(chunks)-1], true
		}
		if len(chunks) == 1 && chunks[0].partial {
			text, _ := shorten(strings.TrimLeft(joinAll(units), "\n"), p.Lang, first)
			chunks[0].text, clipped = text, true
		}
		n := len(chunks)
		counter := func(i int) string {
			if n == 1 {
				return ""
			}
			return fmt.Sprintf(" %d/%d", i, n)
		}
		posts = make([]string, n)
		for i, c := range chunks {
			if i == 0 {
				posts[i] = compose(c.text+counter(1), p.Link, tags)
			} else {
				posts[i] = c.text + counter(i+1)
			}
		}
		return posts, left, clipped
	}
}

// withOptional adds to req the optional hashtags that fit in a first
// post holding text (and the counter).
func withOptional(text, counter string, p Parts, req []string, limit int, count Counter) []string {
	tags := req
	for _, h := range p.Optional {
		with := append(tags[:len(tags):len(tags)], h)
		if count(compose(text+counter, p.Link, with)) <= limit {
			tags = with
		}
	}
	return tags
}

// joinAll joins units as posts lay them out.
func joinAll(units []string) string {
	s := ""
	for _, u := range units {
		s = join(s, u)
	}
	return s
}

// pack fills at most maxPosts posts with units in order: first and
// other say whether a text fits the first post or a later one. left
// reports units that did not fit.
func pack(units []string, first, other func(string) bool, maxPosts int) (chunks []chunk, left bool) {
	cur := ""
	fits := func(s string) bool {
		if len(chunks) == 0 {
			return first(s)
		}
		return other(s)
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		cand := join(cur, u)
		switch {
		case fits(cand):
			cur = cand
		case cur != "":
			chunks = append(chunks, chunk{text: cur})
			cur = ""
			if len(chunks) == maxPosts {
				return chunks, true
			}
			i-- // try the unit again in a fresh post
		default:
			// One unit longer than a post: cut it between words (or,
			// failing that, graphemes) and carry the rest on. A single
			// grapheme too long for any post (a letter under thousands of
			// combining marks) is left out.
			u = strings.TrimLeft(u, "\n")
			head, n := longestPiece(u, fits)
			rest := strings.TrimLeft(u[n:], " ")
			if head != "" {
				chunks = append(chunks, chunk{text: head, partial: rest != ""})
				if len(chunks) == maxPosts {
					return chunks, rest != "" || i+1 < len(units)
				}
			}
			if rest != "" {
				units = append(units[:i+1:i+1], append([]string{rest}, units[i+1:]...)...)
			}
		}
	}
	if cur != "" {
		chunks = append(chunks, chunk{text: cur})
	}
	if len(chunks) == 0 {
		chunks = append(chunks, chunk{})
	}
	return chunks, false
}

// longestPiece is the longest start of u that fits, cut between words,
// else between graphemes, and how many bytes of u it used up (at least
// one grapheme, so the thread moves on; the piece is "" when not even
// that fits).
func longestPiece(u string, fits func(string) bool) (string, int) {
	cuts := cutPoints(u)
	for _, set := range [][]int{cuts.words, cuts.graphemes} {
		lo, hi, best := 0, len(set)-1, -1
		for lo <= hi {
			mid := (lo + hi) / 2
			if fits(strings.TrimRight(u[:set[mid]], " ")) {
				best, lo = mid, mid+1
			} else {
				hi = mid - 1
			}
		}
		if best >= 0 {
			return strings.TrimRight(u[:set[best]], " "), set[best]
		}
	}
	g, _, _, _ := uniseg.FirstGraphemeClusterInString(u, -1)
	if fits(g) {
		return g, len(g)
	}
	return "", len(g)
}

// sentences splits prose into trimmed sentences (see textcut.Sentences).
// A sentence that starts a new line or paragraph keeps that break in
// front of it ("\n" or "\n\n"), so a title stays on its own line when
// packed with what follows.
func sentences(prose, lang string) []string {
	var out []string
	brk := ""
	for _, s := range textcut.Sentences(prose, lang) {
		if t := strings.TrimSpace(s); t != "" {
			if len(out) > 0 {
				t = brk + t
			}
			out = append(out, t)
			brk = ""
		}
		switch n := strings.Count(s[len(strings.TrimRight(s, " \t\r\n")):], "\n"); {
		case n >= 2 || n == 1 && brk == "\n":
			brk = "\n\n"
		case n == 1:
			brk = "\n"
		}
	}
	return out
}

// join puts unit u after cur: on its own line or paragraph when it
// starts one, else after a space.
func join(cur, u string) string {
	if cur == "" {
		return strings.TrimLeft(u, "\n")
	}
	if strings.HasPrefix(u, "\n") {
		return cur + u
	}
	return cur + " " + u
}
