package portal

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	goldenfile "github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/signup"
)

func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t testing.TB, r *Renderer, ex examples.Example) *renderers.Output {
	t.Helper()
	out, err := r.Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: ex.Links})
	if err != nil {
		t.Fatalf("%s: %v", ex.Name(), err)
	}
	return out
}

// TestGolden compares every example's page and file list with
// testdata/<brand>/<slug>.*.golden. Run with -update to rewrite them, and
// review the diff.
func TestGolden(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			out := render(t, r, ex)
			var list strings.Builder
			for _, f := range out.Files {
				fmt.Fprintf(&list, "%s\t%s\n", f.Name, f.MediaType)
			}
			golden(t, ex.Name()+".html.golden", out.Files[0].Data)
			golden(t, ex.Name()+".files.golden", []byte(list.String()))
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

// TestPage checks, on the rendered examples, what a reader and a crawler
// rely on, independently of the golden files.
func TestPage(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			out := render(t, r, ex)
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(out.Files[0].Data)))
			if err != nil {
				t.Fatal(err)
			}
			files := map[string]bool{}
			for _, f := range out.Files {
				files[f.Name] = true
			}
			if got, _ := doc.Find("link[rel=canonical]").Attr("href"); got != ex.Links.Canonical || strings.Contains(got, "utm_") {
				t.Errorf("canonical = %q", got)
			}
			if doc.Find("h1").Length() != 1 {
				t.Errorf("%d h1 elements", doc.Find("h1").Length())
			}
			ld := doc.Find(`script[type="application/ld+json"]`).Text()
			wantType := `"@type":"Article"`
			if ex.Item.Product != nil {
				wantType = `"@type":"Product"`
			}
			if !strings.Contains(ld, wantType) || strings.Contains(ld, "utm_") {
				t.Errorf("JSON-LD %s", ld)
			}
			// Every local image is published, sized, described and has a srcset.
			doc.Find("img").Each(func(i int, s *goquery.Selection) {
				src, _ := s.Attr("src")
				if _, ok := s.Attr("alt"); !ok {
					t.Errorf("img %s has no alt", src)
				}
				if !strings.Contains(src, "://") && !files[src] {
					t.Errorf("img src %s is not among the files", src)
				}
				for _, cand := range strings.Split(s.AttrOr("srcset", ""), ",") {
					if f := strings.Fields(cand); len(f) == 2 && !files[f[0]] {
						t.Errorf("srcset names %s, which is not among the files", f[0])
					}
				}
				if _, ok := s.Attr("width"); !ok && !strings.Contains(src, "://") {
					t.Errorf("img %s has no width", src)
				}
			})
			if hero := doc.Find(".hero img"); hero.Length() > 0 {
				if _, lazy := hero.Attr("loading"); lazy {
					t.Error("the hero image must not be lazy-loaded")
				}
			}
			// og:image is the share card the social channel publishes
			// beside the page (publish's TestSitePublishesShareCard checks
			// the file), with or without a hero, and has its alt text.
			og := doc.Find(`meta[property="og:image"]`).AttrOr("content", "")
			if og != ex.Links.ShareCard || !strings.HasPrefix(og, ex.Links.Canonical+"card-") {
				t.Errorf("og:image %q, want the share card %q", og, ex.Links.ShareCard)
			}
			if alt := doc.Find(`meta[property="og:image:alt"]`).AttrOr("content", ""); alt != content.NewShareCard(ex.Item, ex.Brand).Alt {
				t.Errorf("og:image:alt %q", alt)
			}
			doc.Find(".prose img").Each(func(i int, s *goquery.Selection) {
				if s.AttrOr("loading", "") != "lazy" {
					t.Errorf("body image %d is not lazy", i)
				}
			})
			// Share links carry the network's UTM; nothing else in the page does.
			doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
				href := s.AttrOr("href", "")
				_, isShare := s.Attr("data-network")
				if strings.Contains(href, "utm_") != isShare {
					t.Errorf("link %s: UTM present=%v, share link=%v", href, strings.Contains(href, "utm_"), isShare)
				}
			})
			// The subscribe block is a form the sign-up handler reads.
			form := doc.Find(`form.cc-signup[method=post][action="` + ex.Links.SignUp + `"]`)
			if form.Length() != 1 {
				t.Fatalf("%d sign-up forms posting to %s, want 1", form.Length(), ex.Links.SignUp)
			}
			for _, sel := range []string{`input[type=email][name=address][required]`, `select[name=lang]`, `input[name=website][tabindex="-1"]`, `input[type=hidden][name=form][value="` + signup.VersionPortal + `"]`, `button[type=submit]`} {
				if form.Find(sel).Length() != 1 {
					t.Errorf("sign-up form has no %s", sel)
				}
			}
			if got := form.Find(`select[name=lang] option[selected]`).AttrOr("value", ""); got != ex.Item.Lang {
				t.Errorf("sign-up form preselects language %q, want the item's %q", got, ex.Item.Lang)
			}
			if n, want := form.Find(`input[type=checkbox][name=topics]`).Length(), len(ex.Brand.Email.Topics); n != want {
				t.Errorf("sign-up form has %d topic checkboxes, want %d", n, want)
			}
			form.Find("input:not([type=hidden]), select").Each(func(_ int, in *goquery.Selection) {
				if id := in.AttrOr("id", ""); id == "" || form.Find(`label[for="`+id+`"]`).Length() != 1 {
					t.Errorf("sign-up field %s has no label", in.AttrOr("name", "?"))
				}
			})
			if doc.Find(`a[href="`+ex.Links.Catalog+`"]`).Length() == 0 {
				t.Error("no catalog link")
			}
			if got := doc.Find("html").AttrOr("lang", ""); got != ex.Item.Lang {
				t.Errorf("lang = %q", got)
			}
		})
	}
}

func TestTOCAndAnchors(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		if !strings.Contains(ex.Path, "trail-api-guide") {
			continue
		}
		out := render(t, r, ex)
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(out.Files[0].Data)))
		toc := doc.Find("nav.toc a")
		if toc.Length() < 6 {
			t.Fatalf("TOC has %d entries", toc.Length())
		}
		toc.Each(func(_ int, a *goquery.Selection) {
			id := strings.TrimPrefix(a.AttrOr("href", ""), "#")
			if doc.Find("#"+id).Length() != 1 {
				t.Errorf("TOC entry %q points at %d elements", id, doc.Find("#"+id).Length())
			}
		})
		if doc.Find(`h2#rate-limits a.anchor[href="#rate-limits"]`).Length() != 1 {
			t.Error("h2 Rate limits has no anchor link")
		}
		if doc.Find(".table-wrap[tabindex] table").Length() != 3 || doc.Find(`pre[tabindex="0"] .hl-k, pre[tabindex="0"] .hl-kn`).Length() == 0 {
			t.Error("tables are not wrapped or code is not highlighted")
		}
		return
	}
	t.Fatal("example trail-api-guide not found")
}

func TestSanitizedBody(t *testing.T) {
	src := `---
title: Hostile
---

<script>alert(1)</script>

<img src=x onerror="alert(2)">

[click](javascript:alert(3))

<a href="JaVaScRiPt:alert(4)">x</a>

<iframe src="https://evil.example"></iframe>

<p style="position:fixed" onclick="x()">styled</p>

# A body h1
`
	it, err := content.ParseBytes(fstest.MapFS{}, "h.md", []byte(src), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := examples.Load(t)[0].Brand
	out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: it, Brand: b, Links: content.NewLinkPlan(it, b)})
	if err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(string(out.Files[0].Data))
	body := page[strings.Index(page, `<div class="prose">`):]
	for _, bad := range []string{"<script>alert", "onerror", "javascript:", "<iframe", "onclick", "position:fixed"} {
		if strings.Contains(body, bad) {
			i := strings.Index(body, bad)
			t.Errorf("body keeps %q: %s", bad, body[max(0, i-120):i+20])
		}
	}
	if strings.Count(page, "<h1") != 1 || !strings.Contains(body, `<h2 id="a-body-h1">`) {
		t.Error("a body h1 was not demoted to h2")
	}
}

func BenchmarkRenderPortal(b *testing.B) {
	exs := examples.Load(b)
	var mdBytes int64
	for _, ex := range exs {
		mdBytes += int64(len(ex.Item.Source))
	}
	run := func(b *testing.B, cache *images.Cache) {
		r, err := New(cache)
		if err != nil {
			b.Fatal(err)
		}
		for _, ex := range exs { // warm up: fills the cache when there is one
			render(b, r, ex)
		}
		b.SetBytes(mdBytes)
		b.ReportAllocs()
		for b.Loop() {
			for _, ex := range exs {
				if _, err := r.Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: ex.Links}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(exs)), "ns/item")
	}
	// Images resized on every render, as for a new item version.
	b.Run("fresh-images", func(b *testing.B) { run(b, nil) })
	// Derivatives cached, as when only text or the brand changed.
	b.Run("cached-images", func(b *testing.B) { run(b, &images.Cache{}) })
}

// TestSubscribeLinkWithoutServer: a render that knows no sign-up handler
// (the CLI without a public URL) links to the brand's sign-up page
// instead of showing a form that posts nowhere.
func TestSubscribeLinkWithoutServer(t *testing.T) {
	for _, ex := range examples.Load(t) {
		if ex.Brand.Email.SubscribeURL == "" {
			continue
		}
		links := *ex.Links
		links.SignUp = ""
		out, err := newRenderer(t).Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: &links})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(out.Files[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Find("form").Length() != 0 || doc.Find(`a[href="`+ex.Brand.Email.SubscribeURL+`"]`).Length() == 0 {
			t.Errorf("%s: want the subscribe link and no form", ex.Name())
		}
		return
	}
	t.Fatal("no example brand has email.subscribe_url")
}
