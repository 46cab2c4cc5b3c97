package social

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/crosscast/crosscast/content"
)

// randomBody writes an article: paragraphs of sentences with
// abbreviations, decimals and ordinals, label lines, headings, lists,
// and now and then a sentence longer than any post.
func randomBody(r *rand.Rand) string {
	words := []string{"glas", "Lampe", "the", "hut", "z. B.", "Dr. Holt", "np.", "1.5 kg", "am 3. Mai", "M. Dupont", "bzw.", "e.g.", "tent", "route", "Leerdam", "écran", "żółw", "naïve", "API", "kestrel.example", "(see above)", "“quoted”"}
	sentence := func(n int) string {
		var b strings.Builder
		for i := range n {
			w := words[r.IntN(len(words))]
			if i == 0 {
				r, size := utf8.DecodeRuneInString(w)
				w = string(unicode.ToUpper(r)) + w[size:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
		b.WriteString([]string{".", ".", ".", "!", "?", "…"}[r.IntN(6)])
		return b.String()
	}
	para := func() string {
		var ss []string
		for range 1 + r.IntN(4) {
			n := 3 + r.IntN(14)
			if r.IntN(12) == 0 {
				n = 60 + r.IntN(30) // longer than a post
			}
			ss = append(ss, sentence(n))
		}
		return strings.Join(ss, " ")
	}
	var blocks []string
	switch r.IntN(4) {
	case 0:
		blocks = append(blocks, "**Contents of this article**")
	case 1:
		blocks = append(blocks, "In this article you will learn:")
	}
	for range 1 + r.IntN(3) {
		blocks = append(blocks, para())
	}
	for range r.IntN(5) {
		blocks = append(blocks, "## "+strings.TrimRight(sentence(1+r.IntN(4)), ".!?…"))
		if r.IntN(3) == 0 {
			var items []string
			for range 1 + r.IntN(4) {
				items = append(items, "- "+sentence(1+r.IntN(8)))
			}
			blocks = append(blocks, strings.Join(items, "\n"))
		}
		for range r.IntN(3) {
			blocks = append(blocks, para())
		}
	}
	return strings.Join(blocks, "\n\n") + "\n"
}

var counterRE = regexp.MustCompile(` \d+/\d+$`)

// proseOf strips a post down to its prose: the counter, the link and
// the hashtags go.
func proseOfPost(n NetworkPosts, i int, text string) string {
	paras := strings.Split(text, "\n\n")
	if last := paras[len(paras)-1]; i == 0 && strings.HasPrefix(last, "#") {
		paras = paras[:len(paras)-1]
	}
	if i == 0 && !n.LinkApart && len(paras) > 1 {
		paras = paras[:len(paras)-1] // the link
	}
	return counterRE.ReplaceAllString(strings.Join(paras, "\n\n"), "")
}

// For random articles, every post of every network is within its
// budget, and no post ends inside a sentence, but for the two cases
// where nothing else could be done: a piece of a sentence longer than a
// post, in a thread that goes on after it, and a single post (thread:
// false, or a network without threads) whose first sentence alone does
// not fit, which ends on an ellipsis.
func TestPostsEndOnSentences(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	r := rand.New(rand.NewPCG(17, 2026))
	runs := 600
	if testing.Short() {
		runs = 40
	}
	var whole, split, clipped int
	for run := range runs {
		thread := []string{"", "\n  thread: true", "\n  thread: false"}[run%3]
		max := 1 + r.IntN(6)
		title := []string{"Hut opening", "Winter routes: what to pack for a week above the tree line in March", "Ridgeline 2", strings.Repeat("A very long title about huts ", 10)}[r.IntN(4)]
		src := fmt.Sprintf("---\ntitle: %q\nlang: %s\ntags: [Huts]\nsocial:\n  thread_max: %d%s\n---\n%s", title, []string{"en", "de", "fr", "pl", "nl"}[r.IntN(5)], max, thread, randomBody(r))
		it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{})
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, src)
		}
		o, err := it.Outline(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		links := content.NewLinkPlan(it, b)
		doc := &Doc{}
		for _, np := range b.Social.Networks() {
			net := networkFor(np)
			p, _ := posts(it, b, links, net, o, ownCopy(it, net.id))
			doc.Networks = append(doc.Networks, p)
			if len(p.Posts) > max {
				t.Errorf("run %d %s: %d posts, thread_max %d", run, p.Network, len(p.Posts), max)
			}
			units := writtenUnits(tidy(it.Title), it, o, net, net.limit)
			for i, post := range p.Posts {
				prose := proseOfPost(p, i, post.Text)
				last := i == len(p.Posts)-1
				switch {
				case endsOnUnit(prose, units):
					whole++
				case !last && insideLong(prose, units, net, net.count(post.Text)-net.count(prose)):
					split++
				case len(p.Posts) == 1 && strings.HasSuffix(prose, Ellipsis) && !strings.HasSuffix(strings.TrimSpace(joinAll(units)), prose):
					clipped++ // a single post cut short
				default:
					t.Errorf("run %d %s post %d of %d ends inside a sentence: %q\n%s", run, p.Network, i+1, len(p.Posts), prose, src)
				}
			}
		}
		checkPosts(t, doc)
		if t.Failed() {
			return
		}
	}
	t.Logf("posts ending on a whole unit %d, on a piece of an over-long sentence %d, single posts cut short %d", whole, split, clipped)
	if whole == 0 || split == 0 {
		t.Error("the random articles do not reach every case")
	}
}

// endsOnUnit reports whether prose ends where one of units ends (it
// may begin inside one: the rest of a sentence split between posts).
func endsOnUnit(prose string, units []string) bool {
	for _, u := range units {
		if u = strings.TrimLeft(u, "\n"); u != "" && (strings.HasSuffix(prose, u) || strings.HasSuffix(u, prose)) {
			return true
		}
	}
	return false
}

// insideLong reports whether prose is a piece of a unit too long for a
// post of its own, besides the post's overhead (counter, link, tags).
func insideLong(prose string, units []string, n network, overhead int) bool {
	for _, u := range units {
		if n.count(u)+overhead > n.limit && strings.Contains(u, prose) {
			return true
		}
	}
	return false
}
