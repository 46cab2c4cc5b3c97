package social

import (
	"fmt"
	"strings"

	"github.com/rivo/uniseg"
)

// MaxThread bounds a thread; prose that would need more posts is cut
// short in the last one.
const MaxThread = 25

// Thread splits p into numbered posts ("… 1/3"), each within limit:
// whole sentences packed in order, and a sentence too long for one post
// split between words. The link and the hashtags go in the first post.
func Thread(p Parts, limit int, count Counter) []string {
	units := sentences(p.Prose)
	if len(units) == 0 {
		post, _, _ := Fit(p, limit, count)
		return []string{post}
	}
	req := p.Required
	for {
		// Reserve room for the widest counter the thread may need; the
		// real one is never wider.
		widest := fmt.Sprintf(" %d/%d", MaxThread, MaxThread)
		first := func(s string) bool { return count(compose(s+widest, p.Link, req)) <= limit }
		if !first("") {
			if len(req) == 0 {
				post, _, _ := Fit(p, limit, count)
				return []string{post}
			}
			req = req[:len(req)-1]
			continue
		}
		other := func(s string) bool { return count(s+widest) <= limit }
		chunks := pack(units, first, other)
		if len(chunks) > MaxThread {
			chunks = chunks[:MaxThread]
			last := chunks[MaxThread-1] + " " + Ellipsis
			if !other(last) {
				last, _ = shorten(chunks[MaxThread-1], other)
			}
			chunks[MaxThread-1] = last
		}
		tags := req
		n := len(chunks)
		counter := func(i int) string { return fmt.Sprintf(" %d/%d", i, n) }
		for _, h := range p.Optional {
			with := append(tags[:len(tags):len(tags)], h)
			if count(compose(chunks[0]+counter(1), p.Link, with)) <= limit {
				tags = with
			}
		}
		posts := make([]string, n)
		for i, c := range chunks {
			if n == 1 {
				posts[i] = compose(c, p.Link, tags)
			} else if i == 0 {
				posts[i] = compose(c+counter(1), p.Link, tags)
			} else {
				posts[i] = c + counter(i+1)
			}
		}
		return posts
	}
}

// pack fills posts with units in order: first and other say whether a
// chunk fits the first post or a later one.
func pack(units []string, first, other func(string) bool) []string {
	var chunks []string
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
			chunks = append(chunks, cur)
			cur = ""
			i-- // try the unit again in a fresh post
		default:
			// One sentence longer than a post: cut it between words (or,
			// failing that, graphemes) and carry the rest on. A single
			// grapheme too long for any post (a letter under thousands of
			// combining marks) is left out.
			u = strings.TrimLeft(u, "\n")
			head, n := longestPiece(u, fits)
			if head != "" {
				chunks = append(chunks, head)
			}
			rest := strings.TrimLeft(u[n:], " ")
			if rest != "" {
				units = append(units[:i+1], append([]string{rest}, units[i+1:]...)...)
			}
		}
	}
	if cur != "" {
		chunks = append(chunks, cur)
	}
	return chunks
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

// sentences splits prose into trimmed sentences. A sentence that starts
// a new line or paragraph keeps that break in front of it ("\n" or
// "\n\n"), so a title stays on its own line when packed with what
// follows.
func sentences(prose string) []string {
	var out []string
	rest, state := prose, -1
	brk := ""
	for len(rest) > 0 {
		var s string
		s, rest, state = uniseg.FirstSentenceInString(rest, state)
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
