package social

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

const link = "https://kestrel.example/ridgeline-2/?utm_campaign=ridgeline-2&utm_medium=social&utm_source=x"

// networks are the limits and counters the properties are checked with.
var networks = []struct {
	name  string
	limit int
	count Counter
}{
	{"x", 280, CountX},
	{"mastodon", 500, CountMastodon},
	{"mastodon-small", 120, CountMastodon},
	{"bluesky", 300, CountBluesky},
	{"threads", 500, CountUTF16},
	{"linkedin", 3000, CountUTF16},
}

func TestFitKeepsWhatFits(t *testing.T) {
	p := Parts{Prose: "Our lightest two-person tent yet.", Link: link, Required: []string{"#Kestrel"}, Optional: []string{"#Tents", "#Lightweight"}}
	got, cut, _ := Fit(p, 280, CountX)
	want := "Our lightest two-person tent yet.\n\n" + link + "\n\n#Kestrel #Tents #Lightweight"
	if got != want || cut {
		t.Fatalf("got %q (cut %v), want %q", got, cut, want)
	}
}

func TestFitCutsAtSentenceThenWord(t *testing.T) {
	prose := "The Ridgeline 2 weighs 1.12 kg. It pitches in under three minutes. " + strings.Repeat("It shrugs off wind. ", 20)
	p := Parts{Prose: prose, Link: link, Optional: []string{"#Tents"}}
	got, cut, _ := Fit(p, 280, CountX)
	if !cut || CountX(got) > 280 || !strings.Contains(got, link) {
		t.Fatalf("%d: %q", CountX(got), got)
	}
	if !strings.HasPrefix(got, "The Ridgeline 2 weighs 1.12 kg. It pitches in under three minutes.") || strings.Contains(got, "#Tents") {
		t.Errorf("the prose should end at a sentence, and optional hashtags give way first: %q", got)
	}
	// One long sentence: cut between words, with an ellipsis.
	p.Prose = strings.Repeat("wind ", 100)
	got, _, _ = Fit(p, 280, CountX)
	first, _, _ := strings.Cut(got, "\n")
	if !strings.HasSuffix(first, "wind…") || CountX(got) > 280 {
		t.Errorf("word cut: %q", first)
	}
}

// A cut never falls inside a link, a hashtag, an emoji sequence or a
// combining sequence.
func TestFitNeverCutsInside(t *testing.T) {
	family := "👨\u200d👩\u200d👧\u200d👦"
	for _, prose := range []string{
		strings.Repeat(family, 200),
		strings.Repeat("e\u0301", 400),
		"Read more at https://kestrel.example/a/very/long/path/" + strings.Repeat("x", 300) + " today and tomorrow",
		strings.Repeat("#Lightweight ", 60),
	} {
		for _, n := range networks {
			got, _, _ := Fit(Parts{Prose: prose, Link: link}, n.limit, n.count)
			if n.count(got) > n.limit {
				t.Errorf("%s: over the limit", n.name)
			}
			head, _, _ := strings.Cut(got, "\n\n"+link)
			head = strings.TrimSuffix(head, Ellipsis)
			if !strings.HasPrefix(prose, head) {
				t.Errorf("%s: the prose changed, not just shortened: %q", n.name, head)
			}
			if strings.Contains(prose, family) && strings.Count(head, "\u200d")%3 != 0 {
				t.Errorf("%s: cut inside an emoji sequence", n.name)
			}
			if strings.HasSuffix(head, "e") && strings.Contains(prose, "\u0301") {
				t.Errorf("%s: cut before a combining mark", n.name)
			}
			if strings.Contains(head, "https://kestrel.example/a/") && !strings.Contains(head, strings.Repeat("x", 300)) {
				t.Errorf("%s: cut inside a link", n.name)
			}
			if strings.HasSuffix(head, "#") || (strings.Contains(prose, "#Light") && strings.Count(head, "#Lightweight") != strings.Count(head, "#")) {
				t.Errorf("%s: cut inside a hashtag: %q", n.name, head)
			}
		}
	}
}

func TestThread(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		b.WriteString("Day ")
		b.WriteString(strings.Repeat("long ", i%7))
		b.WriteString("walk along the river and up to the pass. ")
	}
	p := Parts{Prose: b.String(), Link: link, Required: []string{"#Kungsleden"}}
	posts := Thread(p, 280, CountX)
	if len(posts) < 3 {
		t.Fatalf("%d posts", len(posts))
	}
	for i, post := range posts {
		if CountX(post) > 280 {
			t.Errorf("post %d has %d", i+1, CountX(post))
		}
		if want := " " + strconv.Itoa(i+1) + "/" + strconv.Itoa(len(posts)); !strings.Contains(post, want) {
			t.Errorf("post %d lacks %q: %q", i+1, want, post)
		}
		if strings.Contains(post, link) != (i == 0) {
			t.Errorf("post %d: the link belongs in the first post only", i+1)
		}
	}
	if !strings.Contains(posts[0], "#Kungsleden") {
		t.Error("the first post lacks the required hashtag")
	}
	// Every sentence arrives, in order.
	joined := strings.Join(posts, " ")
	for _, s := range sentences(p.Prose, "en") {
		if !strings.Contains(joined, strings.TrimSpace(s)) {
			t.Fatalf("lost %q", s)
		}
	}
}

// FuzzPosts is the property the channel rests on: for any prose and
// hashtags, every post of every network is within that network's limit
// by its own rules, carries the link, and is valid UTF-8.
func FuzzPosts(f *testing.F) {
	f.Add("Our lightest two-person tent yet. It weighs 1.12 kg.", "tents", "Kestrel", false)
	f.Add(strings.Repeat("👨\u200d👩\u200d👧 ", 200), "família", "", true)
	f.Add(strings.Repeat("日本語のテキスト。", 100), "テント", "キャンプ", true)
	f.Add("see (https://en.wikipedia.org/wiki/Tent_(camping)) and kestrel.example/x", "a", "b", false)
	f.Fuzz(func(t *testing.T, prose, tag1, tag2 string, thread bool) {
		prose = strings.ToValidUTF8(prose, "")
		p := Parts{Prose: prose, Link: link}
		if h := Hashtag(tag1); h != "" {
			p.Required = []string{h}
		}
		if h := Hashtag(tag2); h != "" {
			p.Optional = []string{h}
		}
		for _, n := range networks {
			var posts []string
			if thread {
				posts = Thread(p, n.limit, n.count)
			} else {
				post, _, _ := Fit(p, n.limit, n.count)
				posts = []string{post}
			}
			for i, post := range posts {
				if c := n.count(post); c > n.limit {
					t.Fatalf("%s post %d: %d over %d: %q", n.name, i+1, c, n.limit, post)
				}
				if !utf8.ValidString(post) {
					t.Fatalf("%s post %d is not valid UTF-8", n.name, i+1)
				}
			}
			if !strings.Contains(posts[0], link) {
				t.Fatalf("%s: the first post lacks the link: %q", n.name, posts[0])
			}
		}
	})
}
