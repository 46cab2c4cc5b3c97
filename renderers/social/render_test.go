package social

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gomono"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/logo"
)

const testLogo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40"><rect x="2" y="8" width="24" height="24" fill="#0b6e4f"/><text x="34" y="28" font-size="20" font-weight="700" fill="#102a43">Fjellbu</text></svg>`

// allNetworks is a brand with every network, Mastodon on an instance
// with a short limit.
const allNetworks = `name: Fjellbu
site: https://fjellbu.example
colors: {primary: "#0b6e4f", text: "#102a43", background: "#ffffff"}
logo: {src: logo.svg}
social:
  hashtags: [Fjellbu]
  x: {handle: fjellbu, url: https://x.com/fjellbu}
  mastodon: {handle: "@fjellbu@small.example", url: https://small.example/@fjellbu, limit: 200}
  bluesky: {handle: fjellbu.example, url: https://bsky.app/profile/fjellbu.example}
  linkedin: {url: https://www.linkedin.com/company/fjellbu}
  threads: {handle: fjellbu, url: https://www.threads.net/@fjellbu}
  facebook: {url: https://www.facebook.com/fjellbu}
`

func testBrand(t testing.TB, yaml string, files memfs.FS) *content.Brand {
	t.Helper()
	fsys := memfs.FS{"brand.yaml": []byte(yaml), "logo.svg": []byte(testLogo)}
	for k, v := range files {
		fsys[k] = v
	}
	b, err := content.LoadBrand(fsys, "fjellbu", "brand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testItem(t testing.TB, b *content.Brand, src string, files memfs.FS) *content.Item {
	t.Helper()
	fsys := memfs.FS{"index.md": []byte(src)}
	for k, v := range files {
		fsys[k] = v
	}
	it, err := content.Parse(fsys, "index.md", content.ParseOptions{DefaultLang: b.Lang})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// renderDoc renders it and returns social.json decoded, with the output.
func renderDoc(t testing.TB, b *content.Brand, it *content.Item) (*Doc, *renderers.Output) {
	t.Helper()
	out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
	if err != nil {
		t.Fatal(err)
	}
	var doc Doc
	for _, f := range out.Files {
		if f.Name == JSONFile {
			if err := json.Unmarshal(f.Data, &doc); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &doc, out
}

func postsFor(t testing.TB, doc *Doc, id string) NetworkPosts {
	t.Helper()
	for _, n := range doc.Networks {
		if n.Network == id {
			return n
		}
	}
	t.Fatalf("no %s posts", id)
	return NetworkPosts{}
}

// checkPosts asserts what every post of every network must be: within
// its limit by its own count, valid UTF-8, and with the link in the
// first post (beside it, for Facebook).
func checkPosts(t *testing.T, doc *Doc) {
	t.Helper()
	for _, n := range doc.Networks {
		count := networkFor(content.NetworkProfile{ID: n.Network}).count
		for i, p := range n.Posts {
			if got := count(p.Text); got != p.Length || got > n.Limit {
				t.Errorf("%s post %d: length %d (recorded %d), limit %d: %q", n.Network, i+1, got, p.Length, n.Limit, p.Text)
			}
			if !utf8.ValidString(p.Text) {
				t.Errorf("%s post %d is not valid UTF-8", n.Network, i+1)
			}
		}
		first := n.Posts[0].Text
		switch {
		case n.LinkApart:
			if strings.Contains(first, "https://") || !strings.Contains(n.Link, "utm_source="+n.Network) {
				t.Errorf("%s: a link post carries the link beside the text: %q / %q", n.Network, first, n.Link)
			}
		case n.Network == content.NetBluesky:
			if !strings.Contains(first, ShortLinkText(n.Link)) || n.Posts[0].Facets[0].URI != n.Link {
				t.Errorf("bluesky: the first post lacks the link or its facet: %+v", n.Posts[0])
			}
		default:
			if !strings.Contains(first, n.Link) {
				t.Errorf("%s: the first post lacks the link %s: %q", n.Network, n.Link, first)
			}
		}
	}
}

func TestNetworks(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	it := testItem(t, b, `---
title: "Winter hut opening: book (early) for *February*"
summary: The Fjellbu huts open on 1 February. Beds go fast in the school holidays, so book early. Every hut has a drying room, a wood stove and a shop with dried food, gas and maps. Dogs are welcome in the annex.
tags: [Huts, Winter, Skiing, Booking]
---
Body.
`, nil)
	doc, out := renderDoc(t, b, it)
	checkPosts(t, doc)
	if len(doc.Networks) != 6 {
		t.Fatalf("networks: %d, want 6", len(doc.Networks))
	}

	// Mastodon's instance limit of 200 comes from the brand: a thread.
	m := postsFor(t, doc, content.NetMastodon)
	if m.Limit != 200 || !m.Thread || len(m.Posts) < 2 || !strings.HasSuffix(m.Posts[len(m.Posts)-1].Text, fmt.Sprintf("%d/%d", len(m.Posts), len(m.Posts))) {
		t.Errorf("mastodon: limit %d, thread %v, %d posts", m.Limit, m.Thread, len(m.Posts))
	}
	// The brand's hashtag is required and comes first; tags follow.
	x := postsFor(t, doc, content.NetX)
	if !strings.Contains(x.Posts[0].Text, "#Fjellbu #Huts") {
		t.Errorf("x hashtags: %q", x.Posts[0].Text)
	}

	// LinkedIn: reserved characters escaped in the little text, the link
	// and hashtags left alone.
	li := postsFor(t, doc, content.NetLinkedIn)
	little := li.Posts[0].Little
	for _, want := range []string{`book \(early\) for \*February\*`, "#Fjellbu", li.Link} {
		if !strings.Contains(little, want) {
			t.Errorf("linkedin little text lacks %q: %q", want, little)
		}
	}
	if li.Posts[0].Length != CountUTF16(little) {
		t.Errorf("linkedin counts %d, the escaped text is %d", li.Posts[0].Length, CountUTF16(little))
	}

	// Threads: one hashtag only.
	th := postsFor(t, doc, content.NetThreads)
	for _, p := range th.Posts {
		if n := strings.Count(p.Text, "#"); n > 1 {
			t.Errorf("threads post with %d hashtags: %q", n, p.Text)
		}
	}

	// Facebook: a link post, no attached image (the page's preview shows).
	fb := postsFor(t, doc, content.NetFacebook)
	if !fb.LinkApart || fb.Image != nil || len(fb.Posts) != 1 {
		t.Errorf("facebook: %+v", fb)
	}

	// Bluesky: the card is the link card's thumbnail, not a second embed.
	bs := postsFor(t, doc, content.NetBluesky)
	if bs.Image != nil || bs.Embed == nil || bs.Embed.External.Thumb != doc.Cards[0].File || bs.Embed.External.URI != bs.Link {
		t.Errorf("bluesky embed: %+v, image %+v", bs.Embed, bs.Image)
	}
	for _, f := range bs.Posts[0].Facets {
		text := bs.Posts[0].Text
		if f.ByteEnd > len(text) || (f.URI != "" && text[f.ByteStart:f.ByteEnd] != ShortLinkText(bs.Link)) {
			t.Errorf("bluesky facet %+v does not cover the link text in %q", f, text)
		}
	}
	if len(out.Warnings) != 1 || out.Warnings[0].Field != "hero" {
		t.Errorf("warnings: %v", out.Warnings)
	}
}

// thread: false keeps one post, cut short with an ellipsis and a warning
// that names the front-matter field.
func TestNoThread(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	long := strings.Repeat("The stove is lit at four and the sauna at six. ", 12)
	it := testItem(t, b, "---\ntitle: Evenings at the hut\nsocial:\n  thread: false\n  x: "+long+"\n---\nBody.\n", nil)
	doc, out := renderDoc(t, b, it)
	checkPosts(t, doc)
	x := postsFor(t, doc, content.NetX)
	if len(x.Posts) != 1 || !x.Truncated || x.Thread {
		t.Fatalf("x: %d posts, truncated %v", len(x.Posts), x.Truncated)
	}
	// Cut at a sentence: no ellipsis needed, the sentences are whole.
	if !strings.Contains(x.Posts[0].Text, "six.\n\n") {
		t.Errorf("not cut at a sentence: %q", x.Posts[0].Text)
	}
	var found bool
	for _, w := range out.Warnings {
		if w.Field == "social.x" && w.Line == 5 && strings.Contains(w.Message, "cut short") {
			found = true
		}
	}
	if !found {
		t.Errorf("no positioned warning for the cut: %v", out.Warnings)
	}
}

// Threads takes at most five links in a post: the item's own link stays,
// and links in the text beyond four go, with a warning.
func TestThreadsLinks(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	var links []string
	for _, h := range []string{"a", "b", "c", "d", "e", "f"} {
		links = append(links, "https://"+h+".example/")
	}
	it := testItem(t, b, "---\ntitle: Links\nsocial:\n  threads: \"Partners: "+strings.Join(links, " ")+"\"\n---\nBody.\n", nil)
	doc, out := renderDoc(t, b, it)
	checkPosts(t, doc)
	th := postsFor(t, doc, content.NetThreads)
	got := len(FindURLs(th.Posts[0].Text))
	if got != 5 || !strings.Contains(th.Posts[0].Text, th.Link) || strings.Contains(th.Posts[0].Text, "e.example") {
		t.Errorf("threads post has %d links: %q", got, th.Posts[0].Text)
	}
	if !strings.Contains(warningText(out), "allows 5 links") {
		t.Errorf("warnings: %v", out.Warnings)
	}
}

func warningText(out *renderers.Output) string {
	var s []string
	for _, w := range out.Warnings {
		s = append(s, w.String())
	}
	return strings.Join(s, "\n")
}

func TestEscapeLittle(t *testing.T) {
	for in, want := range map[string]string{
		"plain words":                        "plain words",
		"50% off (today) *only* <3 a_b ~x~":  `50% off \(today\) \*only\* \<3 a\_b \~x\~`,
		"[tag] {x} a|b back\\slash @someone": `\[tag\] \{x\} a\|b back\\slash \@someone`,
		"see https://x.example/a_(b) #Tents": "see https://x.example/a_(b) #Tents",
		"C# and #1 and issue#2":              `C\# and \#1 and issue\#2`,
	} {
		if got := EscapeLittle(in); got != want {
			t.Errorf("EscapeLittle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountThreads(t *testing.T) {
	for in, want := range map[string]int{
		"Hello":                         5,
		"👍":                             4,
		"👍🏽":                            8,
		"👨\u200d👩\u200d👧\u200d👦":        25,
		"日本語":                           3,
		"cafe\u0301":                    5,
		"🇳🇱 Amsterdam":                  18,
		"https://kestrel.example/tents": 29,
	} {
		if got := CountThreads(in); got != want {
			t.Errorf("CountThreads(%q) = %d, want %d", in, got, want)
		}
	}
}

// Ink is the colour the card sets its title in on the brand colour: for
// every colour, it reaches WCAG AA.
func TestInkContrast(t *testing.T) {
	for r := 0; r < 256; r += 15 {
		for g := 0; g < 256; g += 15 {
			for bl := 0; bl < 256; bl += 15 {
				bg := content.Color{R: uint8(r), G: uint8(g), B: uint8(bl), Set: true}
				if c := content.Contrast(Ink(bg), bg); c < content.ContrastAA {
					t.Fatalf("ink on %s: %.2f:1", bg.Hex(), c)
				}
			}
		}
	}
}

// The title on a rendered card is set in the ink colour on the band:
// sample the band and the darkest/lightest title pixels and check their
// contrast.
func TestCardTitleContrast(t *testing.T) {
	for _, primary := range []string{"#0b6e4f", "#c8702a", "#ffd400", "#767676"} {
		b := testBrand(t, strings.Replace(allNetworks, `"#0b6e4f"`, `"`+primary+`"`, 1), nil)
		it := testItem(t, b, "---\ntitle: Hut opening\n---\nBody.\n", nil)
		doc, out := renderDoc(t, b, it)
		img := decodeCard(t, out, doc.Cards[0].File)
		// The typographic card: the primary colour at the right edge,
		// and the title's ink somewhere on the title's rows.
		bg := colorAt(img, 1190, 300)
		p, _ := content.ParseColor(primary)
		if content.Contrast(bg, p) > 1.05 {
			t.Fatalf("%s: background %s is not the primary colour", primary, bg.Hex())
		}
		best := 1.0
		for y := 200; y < 430; y++ {
			for x := 64; x < 700; x += 2 {
				best = max(best, content.Contrast(colorAt(img, x, y), bg))
			}
		}
		if best < content.ContrastAA {
			t.Errorf("%s: the title's strongest contrast is %.2f:1", primary, best)
		}
	}
}

func decodeCard(t *testing.T, out *renderers.Output, name string) image.Image {
	t.Helper()
	for _, f := range out.Files {
		if f.Name == name {
			img, err := jpeg.Decode(bytes.NewReader(f.Data))
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
	}
	t.Fatalf("no file %s", name)
	return nil
}

func colorAt(img image.Image, x, y int) content.Color {
	r, g, b, _ := img.At(x, y).RGBA()
	return content.Color{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), Set: true}
}

// Cards come in both sizes, as JPEG, with alt text from the title and
// the hero's alt; a hero's focal point decides the crop.
func TestCards(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	hero := testPhoto(t, 2400, 1600)
	it := testItem(t, b, "---\ntitle: Ski touring from the hut\nhero:\n  src: hero.png\n  alt: Two skiers on a white ridge\n  focus: 0.9,0.5\n---\nBody.\n", memfs.FS{"hero.png": hero})
	doc, out := renderDoc(t, b, it)
	if len(doc.Cards) != 2 {
		t.Fatalf("cards: %+v", doc.Cards)
	}
	for i, want := range [][2]int{{1200, 630}, {1080, 1080}} {
		c := doc.Cards[i]
		img := decodeCard(t, out, c.File)
		if img.Bounds().Dx() != want[0] || img.Bounds().Dy() != want[1] || c.Width != want[0] || c.Height != want[1] {
			t.Errorf("card %d is %v, listed %d×%d", i, img.Bounds(), c.Width, c.Height)
		}
		if c.Alt != "Ski touring from the hut — Two skiers on a white ridge" {
			t.Errorf("alt: %q", c.Alt)
		}
	}
	// The test photo is red on its left half and blue on its right: the
	// focal point at 0.9 puts blue at the top right of the landscape card.
	if c := colorAt(decodeCard(t, out, doc.Cards[0].File), 1100, 250); c.B < 150 || c.R > 100 {
		t.Errorf("focal crop: %s at the top right", c.Hex())
	}
	if x := postsFor(t, doc, content.NetX); x.Image == nil || x.Image.File != doc.Cards[0].File || x.Image.Alt != doc.Cards[0].Alt {
		t.Errorf("x image: %+v", x.Image)
	}
}

// testPhoto is a w×h PNG, red on the left half and blue on the right.
func testPhoto(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			if x < w/2 {
				img.Pix[i], img.Pix[i+3] = 200, 255
			} else {
				img.Pix[i+2], img.Pix[i+3] = 200, 255
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A title the fonts cannot set is left off the card, with a warning,
// rather than drawn as boxes; the alt text still has it.
func TestUndrawableTitle(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	for _, title := range []string{"日本の山小屋", "مرحبا بالعالم"} {
		it := testItem(t, b, "---\ntitle: "+title+"\n---\nBody.\n", nil)
		doc, out := renderDoc(t, b, it)
		if !strings.Contains(warningText(out), "leave the title out") {
			t.Errorf("%s: no warning: %v", title, out.Warnings)
		}
		if !strings.HasPrefix(doc.Cards[0].Alt, title) {
			t.Errorf("alt: %q", doc.Cards[0].Alt)
		}
	}
}

// The brand's own font sets the title; a file that is not a font is
// reported and the Go font used instead.
func TestBrandFont(t *testing.T) {
	title := "---\ntitle: Hut opening\n---\nBody.\n"
	plain := testBrand(t, allNetworks, nil)
	withFont := testBrand(t, allNetworks+"fonts:\n  files: {heading: mono.ttf}\n", memfs.FS{"mono.ttf": gomono.TTF})
	// Brand loading refuses such a file; a brand stored before it did
	// (or built in code) still renders.
	broken := testBrand(t, allNetworks, nil)
	broken.Fonts.Files = map[string]string{"heading": "bad.ttf"}
	broken.Files["bad.ttf"] = &content.BrandFile{Name: "bad.ttf", Data: []byte("not a font"), SHA256: strings.Repeat("0", 64)}

	render := func(b *content.Brand) (image.Image, *renderers.Output) {
		doc, out := renderDoc(t, b, testItem(t, b, title, nil))
		return decodeCard(t, out, doc.Cards[0].File), out
	}
	a, _ := render(plain)
	m, _ := render(withFont)
	if mean, _ := golden.Diff(a, m); mean < 0.5 {
		t.Error("the brand font made no difference to the card")
	}
	bad, out := render(broken)
	if mean, _ := golden.Diff(a, bad); mean > 0.5 {
		t.Error("a broken font file changed the card")
	}
	if !strings.Contains(warningText(out), "fonts.files.heading") {
		t.Errorf("no warning for the broken font: %v", out.Warnings)
	}
}

func TestFitTitle(t *testing.T) {
	r := newRenderer(t)
	chain := fontChain{r.lib.Sans(true)}
	long := strings.Repeat("A very long title about huts and skis ", 8)
	st, err := chain.fitTitle(long, 1072*64, 3, sizes(60, 38, 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.lines) != 3 || st.size != 38 || !strings.HasSuffix(st.lines[2], Ellipsis) {
		t.Errorf("long title: size %v, lines %q", st.size, st.lines)
	}
	for _, l := range st.lines {
		if w := st.faces.width(l); w > 1072*64 {
			t.Errorf("line %q is %d px wide", l, w/64)
		}
	}
	st, _ = chain.fitTitle("Short", 1072*64, 3, sizes(60, 38, 2))
	if len(st.lines) != 1 || st.size != 60 {
		t.Errorf("short title: size %v, lines %q", st.size, st.lines)
	}
}

func TestSVGTexts(t *testing.T) {
	got := logo.SVGTexts([]byte(testLogo))
	if len(got) != 1 || got[0].Text != "Fjellbu" || got[0].X != 34 || got[0].Size != 20 || !got[0].Bold {
		t.Errorf("svgTexts: %+v", got)
	}
}

// FuzzRender is the channel's promise at the renderer's level: for any
// title, summary, tags and per-network text, in single-post and thread
// mode, every post of every network is within that network's limit by
// its own count, carries the link, and is valid UTF-8. (Cards are left
// out: they do not depend on the text beyond the title.)
func FuzzRender(f *testing.F) {
	f.Add("Ridgeline 2: our lightest tent", "At 1.12 kg packed, it sleeps two.", "tents", "", false)
	f.Add("👨‍👩‍👧 family trip", strings.Repeat("Long sentence with words. ", 80), "família", "Override (with parens) and https://x.example/a_(b)", true)
	f.Add("日本語のタイトル", strings.Repeat("日本語のテキスト。", 100), "テント", "", true)
	f.Add("#1 tent", "C# for #Kestrel users", "c#", strings.Repeat("a", 600), false)
	b := testBrand(f, allNetworks, nil)
	f.Fuzz(func(t *testing.T, title, summary, tag, override string, thread bool) {
		q := func(s string) string { j, _ := json.Marshal(s); return string(j) }
		src := fmt.Sprintf("---\ntitle: %s\nsummary: %s\ntags: [%s]\nsocial:\n  thread: %v\n  x: %s\n  linkedin: %s\n  threads: %s\n---\nBody.\n",
			q(title), q(summary), q(tag), thread, q(override), q(override), q(override))
		it, err := content.ParseBytes(nil, "index.md", []byte(src), content.ParseOptions{DefaultLang: "en"})
		if err != nil {
			return // not an item: the parser's own fuzz target covers that
		}
		links := content.NewLinkPlan(it, b)
		o, err := it.Outline(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		doc := &Doc{}
		for _, np := range b.Social.Networks() {
			p, _ := posts(it, b, links, networkFor(np), o, ownCopy(it, np.ID))
			doc.Networks = append(doc.Networks, p)
		}
		checkPosts(t, doc)
	})
}
