package content

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/crosscast/crosscast/internal/imagetest"
)

func parseString(t *testing.T, src string, files fstest.MapFS, opts ParseOptions) (*Item, error) {
	t.Helper()
	if files == nil {
		files = fstest.MapFS{}
	}
	return ParseBytes(files, "post.md", []byte(src), opts)
}

func mustParse(t *testing.T, src string, files fstest.MapFS, opts ParseOptions) *Item {
	t.Helper()
	it, err := parseString(t, src, files, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return it
}

// pngBytes encodes a w×h image.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombHeader is a PNG whose header claims w×h pixels but holds no pixel
// data: decoding it would try to allocate w×h×4 bytes.
func bombHeader(w, h uint32) []byte {
	b := bytes.NewBuffer(imagetest.PNG(w, h, 8, 6, -1)) // 8-bit RGBA
	imagetest.Chunk(b, "IEND", nil)
	return b.Bytes()
}

func TestParseErrors(t *testing.T) {
	aliasBomb := "---\ntitle: x\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n---\n"
	tests := []struct {
		name string
		src  string
		want []string // each must appear in the error text, in order of lines
		code string
	}{
		{"unknown field with suggestion", "---\ntitel: Hello\n---\nbody\n", []string{"post.md:2:1: titel: unknown field, did you mean `title`?", "post.md:1:1: title: is required"}, EInvalid},
		{"nested unknown field", "---\ntitle: Hi\nhero:\n  src: a.jpg\n  alt_text: x\n---\n", []string{"post.md:5:3: hero.alt_text: unknown field, did you mean `alt`?"}, EInvalid},
		{"wrong type bool", "---\ntitle: Hi\ndraft: maybe\n---\n", []string{"post.md:3:8: draft: must be true or false, not `maybe`"}, EInvalid},
		{"wrong type list", "---\ntitle: Hi\ntags: {a: b}\n---\n", []string{"post.md:3:7: tags: must be a list, not a mapping"}, EInvalid},
		{"wrong type text", "---\ntitle: [a, b]\n---\n", []string{"post.md:2:8: title: must be text, not a list"}, EInvalid},
		{"bad date", "---\ntitle: Hi\ndate: next tuesday\n---\n", []string{"post.md:3:7: date: must be a date"}, EInvalid},
		{"missing title", "---\nauthor: Ann\n---\nbody\n", []string{"post.md:1:1: title: is required"}, EInvalid},
		{"empty front matter", "---\n---\nbody\n", []string{"post.md:1:1: title: is required"}, EInvalid},
		{"no front matter", "# Hello\n", []string{"post.md:1:1: missing front matter"}, EInvalid},
		{"toml front matter", "+++\ntitle = 'x'\n+++\n", []string{"post.md:1:1: TOML front matter (+++) is read only under --compat hugo"}, EInvalid},
		{"unclosed", "---\ntitle: Hi\n", []string{"post.md:1:1: the front matter is not closed"}, EInvalid},
		{"yaml syntax", "---\ntitle: Hi\n  bad: [\n---\n", []string{"post.md:", "YAML syntax"}, EInvalid},
		{"alias bomb", aliasBomb, []string{"post.md:3:4: YAML anchors (&a) are not allowed"}, EInvalid},
		{"alias", "---\ntitle: &t Hi\nsummary: *t\n---\n", []string{"post.md:2:8: YAML anchors (&t) are not allowed", "post.md:3:10: YAML aliases (*t) are not allowed"}, EInvalid},
		{"duplicate key", "---\ntitle: a\ntitle: b\n---\n", []string{"post.md:3:1: title: field appears twice"}, EInvalid},
		{"bad slug", "---\ntitle: Hi\nslug: Hello World\n---\n", []string{"post.md:3:1: slug: must use only a-z, 0-9 and single dashes; try \"hello-world\""}, EInvalid},
		{"bad lang", "---\ntitle: Hi\nlang: klingon-xx-yy-zz\n---\n", []string{"post.md:3:1: lang:"}, EInvalid},
		{"bad price", "---\ntitle: Hi\nproduct:\n  price: 12,50\n  currency: EUR\n---\n", []string{"post.md:4:10: product.price: price \"12,50\""}, EInvalid},
		{"bad currency", "---\ntitle: Hi\nproduct:\n  price: 12.50\n  currency: euro\n---\n", []string{"post.md:5:3: product.currency: must be an ISO 4217 code"}, EInvalid},
		{"bad focus", "---\ntitle: Hi\nhero:\n  src: a.jpg\n  focus: 2,2\n---\n", []string{"post.md:5:10: hero.focus: must be \"x,y\""}, EInvalid},
		{"missing image", "---\ntitle: Hi\n---\n\ntext\n\n![alt](missing.jpg)\n", []string{"post.md:7: image missing.jpg: file does not exist"}, ENotFound},
		{"image outside folder", "---\ntitle: Hi\n---\n![alt](../../etc/passwd)\n", []string{"post.md:4: image \"../../etc/passwd\" is outside the item's folder"}, EInvalid},
		{"javascript image", "---\ntitle: Hi\n---\n![alt](javascript:alert(1))\n", []string{"only http(s) URLs"}, EInvalid},
		{"oversized image header", "---\ntitle: Hi\nhero: bomb.png\n---\n", []string{"post.md:3:1: hero.src: image bomb.png: 100000×100000 is 10000.0 megapixels; the limit is 24"}, ETooLarge},
		{"not an image", "---\ntitle: Hi\n---\n![x](notes.jpg)\n", []string{"post.md:4: image notes.jpg: not a JPEG, PNG or GIF image"}, EInvalid},
		{"invalid utf-8", "---\ntitle: \xff\n---\n", []string{"post.md:2:8: the file is not valid UTF-8"}, EInvalid},
		{"bad variant", "---\ntitle: Hi\nemail:\n  variants:\n    - name: A B\n      subject: x\n---\n", []string{"variant name \"A B\""}, EInvalid},
	}
	files := fstest.MapFS{
		"bomb.png":  {Data: bombHeader(100000, 100000)},
		"notes.jpg": {Data: []byte("just text")},
		"a.jpg":     {Data: pngBytes(t, 4, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(t, tt.src, files, ParseOptions{})
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v (%T), want Errors", err, err)
			}
			text := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("error text\n%s\ndoes not contain\n%s", text, w)
				}
			}
			if errs.Code() != tt.code {
				t.Errorf("code = %q, want %q", errs.Code(), tt.code)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("front matter", func(t *testing.T) {
		src := "---\ntitle: Hi\nsummary: " + strings.Repeat("a", 70<<10) + "\n---\n"
		_, err := parseString(t, src, nil, ParseOptions{})
		if err == nil || !strings.Contains(err.Error(), "front matter is over 65536 bytes") || err.(Errors).Code() != ETooLarge {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("body", func(t *testing.T) {
		src := "---\ntitle: Hi\n---\n" + strings.Repeat("word ", (1<<20)/5+10)
		_, err := parseString(t, src, nil, ParseOptions{})
		if err == nil || !strings.Contains(err.Error(), "post.md:4:1: the body is") || err.(Errors).Code() != ETooLarge {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("image count", func(t *testing.T) {
		src := "---\ntitle: Hi\n---\n" + strings.Repeat("![a](a.png)\n", 51)
		_, err := parseString(t, src, fstest.MapFS{"a.png": {Data: pngBytes(t, 2, 2)}}, ParseOptions{})
		if err == nil || !strings.Contains(err.Error(), "the item has 51 images; the limit is 50") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("exactly 50 images and 24 MP pass", func(t *testing.T) {
		src := "---\ntitle: Hi\nhero: big.png\n---\n" + strings.Repeat("![a](a.png)\n", 49)
		// A real 24 MP file: every image is decoded once at parse time.
		files := fstest.MapFS{"a.png": {Data: pngBytes(t, 2, 2)}, "big.png": {Data: imagetest.CraftPNG(t, 6000, 4000, 6)}}
		if _, err := parseString(t, src, files, ParseOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestParseDerived(t *testing.T) {
	src := `---
title: "Przegląd cen – Zürich"
tags: [Prices, prices, " Zürich "]
hero:
  src: pics/hero.png
---

![A chart](pics/hero.png)

The **first** paragraph has [a link](https://example.com) and
a soft break.

Second paragraph.
`
	files := fstest.MapFS{"pics/hero.png": {Data: pngBytes(t, 40, 20)}}
	it := mustParse(t, src, files, ParseOptions{DefaultLang: "pl"})
	if it.Slug != "przeglad-cen-zurich" {
		t.Errorf("slug = %q", it.Slug)
	}
	if it.ID != it.Slug {
		t.Errorf("id = %q, want the slug", it.ID)
	}
	if it.Lang != "pl" {
		t.Errorf("lang = %q, want the brand default pl", it.Lang)
	}
	if want := "The first paragraph has a link and a soft break."; it.Summary != want || !it.SummaryDerived {
		t.Errorf("summary = %q, want %q", it.Summary, want)
	}
	if got := strings.Join(it.Tags, "|"); got != "Prices|Zürich" {
		t.Errorf("tags = %q", got)
	}
	if len(it.Images) != 2 || !it.Images[0].Hero || it.Images[0].Asset != it.Images[1].Asset {
		t.Fatalf("images = %+v; want hero and body sharing one asset", it.Images)
	}
	if a := it.Images[0].Asset; a.Width != 40 || a.Height != 20 || a.Format != "png" {
		t.Errorf("asset = %dx%d %s", a.Width, a.Height, a.Format)
	}
	if it.Images[1].Line != 8 {
		t.Errorf("body image line = %d, want 8", it.Images[1].Line)
	}
	if len(it.Warnings) != 1 || !strings.Contains(it.Warnings[0].String(), "post.md:5:3: hero.src: image pics/hero.png has no alt text") {
		t.Errorf("warnings = %v", it.Warnings)
	}
	if it.ReadingMinutes != 1 || it.Words < 10 {
		t.Errorf("words=%d minutes=%d", it.Words, it.ReadingMinutes)
	}
}

func TestParseWarnings(t *testing.T) {
	it := mustParse(t, "---\ntitle: "+strings.Repeat("Long title ", 8)+"\n---\n![](https://example.com/x.png)\n", nil, ParseOptions{})
	var got []string
	for _, w := range it.Warnings {
		got = append(got, w.String())
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{"post.md:2:1: title: is 87 characters; over 70", "post.md:4: image https://example.com/x.png has no alt text"} {
		if !strings.Contains(text, want) {
			t.Errorf("warnings\n%s\nlack %q", text, want)
		}
	}
}

func TestParseMinimal(t *testing.T) {
	it := mustParse(t, "---\ntitle: Holiday opening hours\n---\n", nil, ParseOptions{})
	if it.Slug != "holiday-opening-hours" || it.Summary != "" || it.ReadingMinutes != 1 || len(it.Warnings) != 0 {
		t.Errorf("got slug=%q summary=%q minutes=%d warnings=%v", it.Slug, it.Summary, it.ReadingMinutes, it.Warnings)
	}
}

func TestParseCRLFAndBOM(t *testing.T) {
	it := mustParse(t, "\ufeff---\r\ntitle: Windows\r\n---\r\nHello\r\n", nil, ParseOptions{})
	if it.Title != "Windows" || it.Summary != "Hello" {
		t.Errorf("title=%q summary=%q", it.Title, it.Summary)
	}
}

func TestParseNonLatinTitle(t *testing.T) {
	it := mustParse(t, "---\ntitle: 新しいカタログ\n---\n", nil, ParseOptions{})
	if !ValidSlug(it.Slug) || !strings.HasPrefix(it.Slug, "item-") {
		t.Errorf("slug = %q", it.Slug)
	}
}

func TestCompat(t *testing.T) {
	hugo := `---
title: "Winter checklist"
description: "What to pack when the days are short."
date: 2025-12-01T08:00:00+01:00
lastmod: 2025-12-03
draft: true
tags: ["gear"]
categories: ["Guides", "gear"]
images: ["cover.png"]
aliases: ["/old/winter/"]
weight: 10
toc: true
---
Body.
`
	files := fstest.MapFS{"cover.png": {Data: pngBytes(t, 10, 10)}}
	it := mustParse(t, hugo, files, ParseOptions{Compat: CompatHugo})
	if it.Summary != "What to pack when the days are short." || it.SummaryDerived {
		t.Errorf("summary = %q", it.Summary)
	}
	if got := strings.Join(it.Tags, ","); got != "gear,Guides" {
		t.Errorf("tags = %q", got)
	}
	if it.Hero == nil || it.Hero.Src != "cover.png" || it.Images[0].Asset == nil {
		t.Errorf("hero = %+v", it.Hero)
	}
	if !it.Draft || it.Updated.Format("2006-01-02") != "2025-12-03" || it.Date.Hour() != 7 || len(it.Aliases) != 1 {
		t.Errorf("draft=%v updated=%v date=%v aliases=%v", it.Draft, it.Updated, it.Date, it.Aliases)
	}
	var ignored []string
	for _, w := range it.Warnings {
		if strings.Contains(w.Message, "were ignored") {
			ignored = append(ignored, w.Message)
		}
	}
	if len(ignored) != 1 || !strings.Contains(ignored[0], "hugo fields with no crosscast equivalent were ignored: toc, weight") {
		t.Errorf("ignored warnings = %q", ignored)
	}

	jekyll := `---
layout: post
title: "Field notes"
date: 2025-11-02 10:15:00 +0100
categories: notes trips
excerpt: "Short version."
image:
  path: cover.png
  alt: A cover
published: false
permalink: /notes/field/
---
Body.
`
	it = mustParse(t, jekyll, files, ParseOptions{Compat: CompatJekyll})
	if it.Summary != "Short version." || !it.Draft || it.Hero.Alt != "A cover" || strings.Join(it.Tags, ",") != "notes,trips" || it.Date.Hour() != 9 {
		t.Errorf("jekyll: summary=%q draft=%v hero=%+v tags=%v date=%v", it.Summary, it.Draft, it.Hero, it.Tags, it.Date)
	}

	// Without compat, the same post is rejected field by field.
	_, err := parseString(t, hugo, files, ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "post.md:3:1: description: unknown field") {
		t.Errorf("strict mode: %v", err)
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Przegląd cen – Zürich":         "przeglad-cen-zurich",
		"Hello, World!":                 "hello-world",
		"  --Already--slugged--  ":      "already-slugged",
		"Straße & Æble":                 "strasse-aeble",
		"Łódź Øresund Œuvre":            "lodz-oresund-oeuvre",
		"Don't stop":                    "dont-stop",
		"Crème brûlée, s'il vous plaît": "creme-brulee-sil-vous-plait",
		"日本語":                           "",
		"2026: Year in Review":          "2026-year-in-review",
		"İstanbul ıslak":                "istanbul-islak",
	}
	for in, want := range tests {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if want != "" && !ValidSlug(Slugify(in)) {
			t.Errorf("Slugify(%q) is not a valid slug", in)
		}
	}
	long := Slugify(strings.Repeat("abcdefgh ", 20))
	if len(long) > maxSlugLen || !ValidSlug(long) {
		t.Errorf("long slug %q (%d)", long, len(long))
	}
}
