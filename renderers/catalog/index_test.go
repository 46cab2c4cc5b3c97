package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
)

// brandEntries renders every example item and groups their entries by brand.
func brandEntries(t testing.TB, r *Renderer) (map[string]*content.Brand, map[string][]Entry) {
	t.Helper()
	brands := map[string]*content.Brand{}
	entries := map[string][]Entry{}
	for _, ex := range examples.Load(t) {
		_, files := render(t, r, ex)
		var e Entry
		if err := json.Unmarshal(files[EntryFile], &e); err != nil {
			t.Fatal(err)
		}
		brands[ex.Brand.ID] = ex.Brand
		entries[ex.Brand.ID] = append(entries[ex.Brand.ID], e)
	}
	return brands, entries
}

func renderIndex(t testing.TB, r *Renderer, b *content.Brand, es []Entry) map[string][]byte {
	t.Helper()
	out, err := r.RenderIndex(context.Background(), b, es, IndexOptions{SignUp: examples.PublicURL + "/s/" + b.ID})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Name] = f.Data
	}
	return files
}

func TestIndexGolden(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	for id, b := range brands {
		t.Run(id, func(t *testing.T) {
			out, err := r.RenderIndex(context.Background(), b, entries[id], IndexOptions{SignUp: examples.PublicURL + "/s/" + id})
			if err != nil {
				t.Fatal(err)
			}
			var list strings.Builder
			for _, f := range out.Files {
				fmt.Fprintf(&list, "%s\t%s\n", f.Name, f.MediaType)
				golden.Check(t, id+"/index/"+f.Name+".golden", f.Data)
			}
			golden.Check(t, id+"/index/files.golden", []byte(list.String()))
		})
	}
}

// Every feed parses with an independent parser and carries every listed
// item with its full content.
func TestFeedsParse(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	for id, b := range brands {
		t.Run(id, func(t *testing.T) {
			files := renderIndex(t, r, b, entries[id])
			for _, name := range []string{"feed.json", "feed.xml", "atom.xml"} {
				feed, err := gofeed.NewParser().Parse(bytes.NewReader(files[name]))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(feed.Items) != len(entries[id]) {
					t.Errorf("%s: %d items, want %d", name, len(feed.Items), len(entries[id]))
				}
				byLink := map[string]*gofeed.Item{}
				for _, it := range feed.Items {
					byLink[it.Link] = it
				}
				for _, e := range entries[id] {
					it := byLink[e.URL]
					if it == nil {
						t.Errorf("%s lacks %s", name, e.URL)
						continue
					}
					if it.Title != e.Title || (e.ContentHTML != "" && !strings.Contains(it.Content, firstWords(e.ContentHTML))) {
						t.Errorf("%s: %s has title %q and %d bytes of content", name, e.URL, it.Title, len(it.Content))
					}
				}
			}
			var jf map[string]any
			json.Unmarshal(files["feed.json"], &jf)
			if jf["version"] != "https://jsonfeed.org/version/1.1" || jf["language"] != b.Lang {
				t.Errorf("JSON Feed header: %v %v", jf["version"], jf["language"])
			}
		})
	}
}

// firstWords is a stretch of an item's content a parser must keep.
func firstWords(html string) string {
	s := html
	if i := strings.Index(s, "<p>"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "<&"); i >= 0 {
		s = s[:i]
	}
	return s[:min(len(s), 30)]
}

func TestProductFeedsHoldProductsOnly(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	files := renderIndex(t, r, brands["kestrel"], entries["kestrel"])
	var pj struct{ Products []map[string]string }
	if err := json.Unmarshal(files["products.json"], &pj); err != nil {
		t.Fatal(err)
	}
	if len(pj.Products) != 1 || pj.Products[0]["price"] != "1299.00 USD" || pj.Products[0]["availability"] != "preorder" {
		t.Fatalf("products.json: %+v", pj.Products)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(files["products.xml"]))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 || feed.Items[0].Extensions["g"]["price"][0].Value != "1299.00 USD" {
		t.Fatalf("products.xml: %d items", len(feed.Items))
	}
}

// The sitemap links translations (items sharing an id) with hreflang.
func TestSitemapHreflang(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	files := renderIndex(t, r, brands["tulpwerk"], entries["tulpwerk"])
	// Read it back by namespace, as a crawler does.
	var set struct {
		URLs []struct {
			Loc  string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
			Alts []struct {
				HrefLang string `xml:"hreflang,attr"`
				Href     string `xml:"href,attr"`
			} `xml:"http://www.w3.org/1999/xhtml link"`
		} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
	}
	if err := xml.Unmarshal(files["sitemap.xml"], &set); err != nil {
		t.Fatal(err)
	}
	var pages int
	for _, u := range set.URLs {
		if strings.HasSuffix(u.Loc, "/catalog/") {
			continue
		}
		pages++
		langs := map[string]bool{}
		for _, a := range u.Alts {
			langs[a.HrefLang] = true
		}
		if !langs["nl"] || !langs["de"] || !langs["x-default"] {
			t.Errorf("%s: alternates %+v", u.Loc, u.Alts)
		}
	}
	if pages != 2 {
		t.Fatalf("%d pages in the sitemap, want 2", pages)
	}
}

func TestTagPages(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	files := renderIndex(t, r, brands["kestrel"], entries["kestrel"])
	page := string(files["catalog/tags/tents/index.html"])
	if !strings.Contains(page, `id="ridgeline-2-our-lightest-two-person-tent-yet"`) || strings.Contains(page, `id="holiday-opening-hours"`) {
		t.Fatal("the tents page lists the wrong cards")
	}
	if !strings.Contains(page, `href="https://kestrel.example/catalog/tags/tents/" aria-current="page"`) {
		t.Error("the current tag is not marked")
	}
}

// BenchmarkIndex10k rebuilds the index of a 10,000-item brand.
func BenchmarkIndex10k(b *testing.B) {
	r := newRenderer(b)
	brands, entries := brandEntries(b, r)
	br := brands["kestrel"]
	base := entries["kestrel"]
	many := make([]Entry, 10_000)
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range many {
		e := base[i%len(base)]
		e.Slug = fmt.Sprintf("%s-%d", e.Slug, i)
		e.ID = e.Slug
		e.URL = br.Site + "/" + e.Slug + "/"
		e.Published = day.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
		e.Tags = append(e.Tags, Tag{Name: fmt.Sprintf("Series %d", i%40), Slug: fmt.Sprintf("series-%d", i%40), URL: br.Site + fmt.Sprintf("/catalog/tags/series-%d/", i%40)})
		many[i] = e
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := r.RenderIndex(context.Background(), br, many)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			var n int
			for _, f := range out.Files {
				n += len(f.Data)
			}
			b.ReportMetric(float64(n)/1e6, "MB")
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/index")
}

// bigEntries makes n entries of a brand, newest first, each with a body
// of about size bytes in many paragraphs.
func bigEntries(b *content.Brand, base Entry, n, size int) []Entry {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Entry, n)
	for i := range out {
		e := base
		e.Slug = fmt.Sprintf("long-read-%d", i)
		e.ID, e.URL, e.Title = e.Slug, b.Site+"/"+e.Slug+"/", fmt.Sprintf("Long read %d", i)
		e.Summary = fmt.Sprintf("Summary of long read %d.", i)
		e.Published = day.Add(-time.Duration(i) * time.Hour).Format(time.RFC3339)
		e.Modified = ""
		var body strings.Builder
		for p := 0; body.Len() < size; p++ {
			fmt.Fprintf(&body, "<p>Read %d, paragraph %d: the wind came from the west and the tent held.</p>\n", i, p)
		}
		e.ContentHTML = body.String()
		out[i] = e
	}
	return out
}

// Feeds stay small however long the items are: the newest FeedFullItems
// carry their text, cut at a block boundary to FeedContentMax with a
// link on; older ones carry their summary and a link.
func TestFeedsBounded(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	b := brands["kestrel"]
	es := bigEntries(b, entries["kestrel"][0], 60, 200<<10)
	es[1].ContentHTML = "<p>short one</p>"
	files := renderIndex(t, r, b, es)
	// 20 cut texts, 40 summaries, markup around them; JSON and XML
	// escape markup (a "<" is 6 bytes in feed.json), hence twice the cap.
	const bound = FeedFullItems*2*FeedContentMax + 40*2<<10
	for _, name := range []string{"feed.json", "feed.xml", "atom.xml"} {
		if n := len(files[name]); n > bound {
			t.Errorf("%s: %d bytes for 60 items of 200 KB, want at most %d", name, n, bound)
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(files[name]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(feed.Items) != len(es) {
			t.Fatalf("%s: %d items, want %d", name, len(feed.Items), len(es))
		}
		for i, it := range feed.Items {
			c := it.Content
			switch {
			case i == 1:
				if c != "<p>short one</p>" {
					t.Errorf("%s: item 1 (short) has %q, want its full text", name, c)
				}
			case i < FeedFullItems:
				if !strings.HasPrefix(c, "<p>Read ") || len(c) > FeedContentMax || !strings.Contains(c, `href="`+es[i].URL+`"`) ||
					!strings.HasSuffix(strings.TrimSpace(c), "</a></p>") {
					t.Errorf("%s: item %d: %d bytes, starts %.40q, ends %q", name, i, len(c), c, c[max(0, len(c)-60):])
				}
			default:
				if !strings.Contains(c, es[i].Summary) || strings.Contains(c, "paragraph") || !strings.Contains(c, `href="`+es[i].URL+`"`) {
					t.Errorf("%s: item %d beyond the newest %d: %.200q", name, i, FeedFullItems, c)
				}
			}
		}
	}
}

func TestCutHTML(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit int
		want  string
	}{
		{"<p>one</p>\n<p>two</p>\n", 100, "<p>one</p>\n<p>two</p>\n"},
		{"<p>one</p>\n<p>two</p>\n", 15, "<p>one</p>\n"},
		{"<p>one <em>two</em> three</p><p>x</p>", 20, ""},
		{"<p>a<br>b</p><hr><ul><li>c</li></ul>", 20, "<p>a<br>b</p><hr>"},
		{"<figure><img src=x alt=y></figure><p>z</p>", 36, "<figure><img src=x alt=y></figure>"},
	} {
		if got := cutHTML(c.in, c.limit); got != c.want {
			t.Errorf("cutHTML(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
}

// A sitemap over the protocol's limits (50,000 URLs, 50 MB) becomes a
// sitemap index of files that each keep within them.
func TestSitemapSplits(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	b := brands["kestrel"]
	es := bigEntries(b, entries["kestrel"][0], 25, 10)
	read := func(data []byte) (urls, maps []string) {
		var doc struct {
			XMLName xml.Name
			URLs    []string `xml:"url>loc"`
			Maps    []string `xml:"sitemap>loc"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		return doc.URLs, doc.Maps
	}
	one, err := sitemaps(b, es, 26, 1<<20)
	if err != nil || len(one) != 1 || one[0].Name != "sitemap.xml" {
		t.Fatalf("within the limits: %d files, %v", len(one), err)
	}
	if urls, _ := read(one[0].Data); len(urls) != 26 {
		t.Fatalf("%d URLs in one sitemap, want 26", len(urls))
	}
	for _, c := range []struct {
		name              string
		maxURLs, maxBytes int
	}{{"by count", 10, 1 << 20}, {"by size", 50, 2000}} {
		t.Run(c.name, func(t *testing.T) {
			files, err := sitemaps(b, es, c.maxURLs, c.maxBytes)
			if err != nil {
				t.Fatal(err)
			}
			_, maps := read(files[0].Data)
			if files[0].Name != "sitemap.xml" || len(maps) != len(files)-1 || len(maps) < 2 {
				t.Fatalf("sitemap.xml lists %v for %d files", maps, len(files))
			}
			seen := 0
			for i, f := range files[1:] {
				if want := fmt.Sprintf("%s/sitemap-%d.xml", b.Site, i+1); maps[i] != want || f.Name != want[len(b.Site)+1:] {
					t.Errorf("part %d is %s, listed as %s", i+1, f.Name, maps[i])
				}
				urls, _ := read(f.Data)
				if len(urls) > c.maxURLs || len(f.Data) > c.maxBytes {
					t.Errorf("%s: %d URLs, %d bytes: over the limits", f.Name, len(urls), len(f.Data))
				}
				seen += len(urls)
			}
			if seen != 26 {
				t.Errorf("%d URLs in the parts, want 26", seen)
			}
		})
	}
}

// TestHomeSignUpForm: the home page's subscribe block is the sign-up form
// posting to the installation when it is known, and the brand's sign-up
// link when not.
func TestHomeSignUpForm(t *testing.T) {
	r := newRenderer(t)
	brands, entries := brandEntries(t, r)
	for id, b := range brands {
		action := examples.PublicURL + "/s/" + id
		home := string(renderIndex(t, r, b, entries[id])[HomeFile])
		for _, want := range []string{`<form class="cc-signup" method="post" action="` + action + `"`, `name="address" required`, `name="website"`, `name="form" value="crosscast site home form v1"`} {
			if !strings.Contains(home, want) {
				t.Errorf("%s home page: no %s", id, want)
			}
		}
		out, err := r.RenderIndex(context.Background(), b, entries[id])
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Files {
			if f.Name == HomeFile && (strings.Contains(string(f.Data), "<form") || b.Email.SubscribeURL != "" && !strings.Contains(string(f.Data), `href="`+b.Email.SubscribeURL+`"`)) {
				t.Errorf("%s home page without a server: want the subscribe link, no form", id)
			}
		}
	}
}
