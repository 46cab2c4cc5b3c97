package social

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/renderers"
)

// threeNetworks is a brand on Mastodon, Bluesky and LinkedIn (the
// rotation's networks 0, 1 and 2), Mastodon with a short limit.
const threeNetworks = `name: Fjellbu
site: https://fjellbu.example
colors: {primary: "#0b6e4f", text: "#102a43", background: "#ffffff"}
logo: {src: logo.svg}
social:
  hashtags: [Fjellbu]
  mastodon: {handle: "@fjellbu@small.example", url: https://small.example/@fjellbu, limit: 200}
  bluesky: {handle: fjellbu.example, url: https://bsky.app/profile/fjellbu.example}
  linkedin: {url: https://www.linkedin.com/company/fjellbu}
`

const variantsItem = `---
title: Winter huts open on 1 February
summary: The Fjellbu huts open on 1 February. Beds go fast in the school holidays, so book early.
social:
  mastodon: The huts open on 1 February. Book early for the school holidays.
  variants:
    - id: stove
      text: A wood stove, a drying room and a bed. The huts open on 1 February.
      bluesky: Stove lit, boots drying. The Fjellbu huts open on 1 February.
    - id: dogs
      text: Dogs welcome in every annex this winter.
      networks: [linkedin, mastodon]
%s---
Body.
`

// renderFiles renders it and returns the output's files by name.
func renderFiles(t *testing.T, b *content.Brand, it *content.Item) (*renderers.Output, map[string][]byte) {
	t.Helper()
	out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Name] = f.Data
	}
	return out, files
}

func decodeFile(t *testing.T, files map[string][]byte, name string) *Doc {
	t.Helper()
	data, ok := files[name]
	if !ok {
		t.Fatalf("no %s in the rendering", name)
	}
	doc, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Every variant is its own pair of files, on the networks it goes to,
// with its id as utm_content; the schedule rotates the copies across
// the networks, the item's own copy first.
func TestVariantsRotate(t *testing.T) {
	b := testBrand(t, threeNetworks, nil)
	it := testItem(t, b, strings.Replace(variantsItem, "%s", "", 1), nil)
	_, files := renderFiles(t, b, it)
	main := decodeFile(t, files, JSONFile)
	if strings.Join(main.Variants, ",") != "stove,dogs" {
		t.Errorf("variants %q", main.Variants)
	}
	// mastodon (0) → own copy; bluesky (1) → stove (dogs is not for
	// Bluesky); linkedin (2) → copies own, stove, dogs: dogs.
	want := map[string]string{"mastodon": "", "bluesky": "stove", "linkedin": "dogs"}
	if len(main.Shares) != 3 {
		t.Fatalf("shares %+v", main.Shares)
	}
	for _, s := range main.Shares {
		if s.Variant != want[s.Network] || s.Reshare != 0 || s.File != VariantOf(s.Variant).JSON() {
			t.Errorf("share %+v, want copy %q", s, want[s.Network])
		}
	}
	stove := decodeFile(t, files, "variants/stove/social.json")
	checkPosts(t, stove)
	if len(stove.Networks) != 3 || stove.Variant != "stove" {
		t.Fatalf("stove: %d networks, variant %q", len(stove.Networks), stove.Variant)
	}
	bs := postsFor(t, stove, content.NetBluesky)
	if !strings.HasPrefix(bs.Posts[0].Text, "Stove lit, boots drying.") {
		t.Errorf("bluesky's own text of the variant not used: %q", bs.Posts[0].Text)
	}
	for _, n := range stove.Networks {
		if !strings.Contains(n.Link, "utm_content=stove") || !strings.Contains(n.Link, "utm_source="+n.Network) {
			t.Errorf("%s link %s lacks the variant's utm_content", n.Network, n.Link)
		}
	}
	dogs := decodeFile(t, files, "variants/dogs/social.json")
	if len(dogs.Networks) != 2 || dogs.Networks[0].Network != content.NetMastodon || dogs.Networks[1].Network != content.NetLinkedIn {
		t.Errorf("dogs goes to mastodon and linkedin only: %+v", dogs.Networks)
	}
	for _, n := range main.Networks {
		if strings.Contains(n.Link, "utm_content") {
			t.Errorf("the item's own copy carries utm_content: %s", n.Link)
		}
	}
	for _, name := range []string{JSONFile, TextFile, "variants/stove/social.json", "variants/stove/social.txt", "variants/dogs/social.json", "variants/dogs/social.txt"} {
		golden.Check(t, "variants/rotate/"+name+".golden", files[name])
	}
}

// With social.reshare every network posts its own copy at publishing and
// the next copy at each re-share, wrapping round.
func TestVariantsReshare(t *testing.T) {
	b := testBrand(t, threeNetworks, nil)
	it := testItem(t, b, strings.Replace(variantsItem, "%s", "  reshare: [+2d, +1w, +30d12h]\n", 1), nil)
	_, files := renderFiles(t, b, it)
	main := decodeFile(t, files, JSONFile)
	var got []string
	for _, s := range main.Shares {
		c := s.Variant
		if c == "" {
			c = "own"
		}
		got = append(got, s.Network+":"+c+s.After)
	}
	want := "mastodon:own mastodon:stove+2d mastodon:dogs+1w mastodon:own+4w2d12h " +
		"bluesky:own bluesky:stove+2d bluesky:own+1w bluesky:stove+4w2d12h " +
		"linkedin:own linkedin:stove+2d linkedin:dogs+1w linkedin:own+4w2d12h"
	if strings.Join(got, " ") != want {
		t.Errorf("schedule\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	golden.Check(t, "variants/reshare/social.json.golden", files[JSONFile])
	golden.Check(t, "variants/reshare/social.txt.golden", files[TextFile])
}

// A variant that does not fit a network's posts (here, a thread of at
// most one post on a 200-character Mastodon) is an error naming its
// field, not a cut-down post.
func TestVariantTooLong(t *testing.T) {
	b := testBrand(t, threeNetworks, nil)
	long := strings.Repeat("A long sentence about the huts and the snow. ", 8)
	it := testItem(t, b, `---
title: Winter huts
social:
  thread: false
  variants:
    - id: long
      mastodon: "`+long+`"
      text: Short and fine.
---
Body.
`, nil)
	_, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
	var ce content.Errors
	if !errors.As(err, &ce) || len(ce) != 1 {
		t.Fatalf("want one error, got %v", err)
	}
	if d := ce[0]; d.Field != "social.variants.0.mastodon" || d.Line != 7 || d.Code != content.ETooLarge || !strings.Contains(d.Message, "Mastodon") {
		t.Errorf("error %+v", d)
	}
	raw, _ := json.Marshal(ce)
	if strings.Contains(string(raw), "bluesky") {
		t.Errorf("the variant fits Bluesky, yet it is named: %s", raw)
	}
}
