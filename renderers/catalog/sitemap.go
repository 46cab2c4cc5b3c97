package catalog

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
)

// The sitemap (sitemaps.org 0.9) lists every portal page that may be
// indexed, with hreflang alternates for its translations: the items
// sharing its id in other languages.
type (
	smURLSet struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		XHTML   string   `xml:"xmlns:xhtml,attr"`
		URLs    []smURL  `xml:"url"`
	}
	smURL struct {
		Loc     string   `xml:"loc"`
		LastMod string   `xml:"lastmod,omitempty"`
		Alts    []smLink `xml:"xhtml:link"`
	}
	smLink struct {
		Rel      string `xml:"rel,attr"`
		HrefLang string `xml:"hreflang,attr"`
		Href     string `xml:"href,attr"`
	}
)

// The sitemaps.org protocol's limits for one sitemap file.
const (
	SitemapMaxURLs  = 50_000
	SitemapMaxBytes = 50 << 20
)

// sitemaps returns sitemap.xml, or, when the URLs do not fit in one file
// of maxURLs and maxBytes, sitemap.xml as a sitemap index of the files
// sitemap-1.xml, sitemap-2.xml… that hold them.
func sitemaps(b *content.Brand, es []Entry, maxURLs, maxBytes int) ([]renderers.File, error) {
	urls := sitemapURLs(b, es)
	file := func(name string, data []byte) renderers.File {
		return renderers.File{Name: name, MediaType: "application/xml", Data: data}
	}
	if len(urls) <= maxURLs {
		data, err := marshalXML(smURLSet{XHTML: "http://www.w3.org/1999/xhtml", URLs: urls})
		if err != nil {
			return nil, err
		}
		if len(data) <= maxBytes {
			return []renderers.File{file("sitemap.xml", data)}, nil
		}
	}
	for per := maxURLs; per > 0; per /= 2 {
		var files []renderers.File
		index := smIndex{}
		fits := true
		for part := range slices.Chunk(urls, per) {
			data, err := marshalXML(smURLSet{XHTML: "http://www.w3.org/1999/xhtml", URLs: part})
			if err != nil {
				return nil, err
			}
			if len(data) > maxBytes {
				fits = false
				break
			}
			name := fmt.Sprintf("sitemap-%d.xml", len(files)+1)
			files = append(files, file(name, data))
			var mod string
			for _, u := range part {
				mod = max(mod, u.LastMod)
			}
			index.Sitemaps = append(index.Sitemaps, smLoc{Loc: b.Site + "/" + name, LastMod: mod})
		}
		if !fits {
			continue
		}
		data, err := marshalXML(index)
		if err != nil {
			return nil, err
		}
		return append([]renderers.File{file("sitemap.xml", data)}, files...), nil
	}
	return nil, fmt.Errorf("sitemap: a single URL entry is over %d bytes", maxBytes)
}

// A sitemap index (sitemaps.org 0.9) lists the sitemap files.
type (
	smIndex struct {
		XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
		Sitemaps []smLoc  `xml:"sitemap"`
	}
	smLoc struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod,omitempty"`
	}
)

func sitemapURLs(b *content.Brand, es []Entry) []smURL {
	var pages []Entry
	byID := map[string][]Entry{}
	for _, e := range es {
		if e.Draft || e.NoIndex {
			continue
		}
		pages = append(pages, e)
		byID[e.ID] = append(byID[e.ID], e)
	}
	slices.SortFunc(pages, func(a, b Entry) int { return cmp.Compare(a.URL, b.URL) })
	urls := []smURL{{Loc: b.Site + "/catalog/", LastMod: latest(es)}}
	for _, e := range pages {
		u := smURL{Loc: e.URL, LastMod: cmp.Or(e.Modified, e.Published)}
		if tr := byID[e.ID]; len(tr) > 1 {
			tr = slices.Clone(tr)
			slices.SortFunc(tr, func(a, b Entry) int { return cmp.Compare(a.Lang, b.Lang) })
			for _, t := range tr {
				u.Alts = append(u.Alts, smLink{Rel: "alternate", HrefLang: t.Lang, Href: t.URL})
				if strings.EqualFold(t.Lang, b.Lang) {
					u.Alts = append(u.Alts, smLink{Rel: "alternate", HrefLang: "x-default", Href: t.URL})
				}
			}
		}
		urls = append(urls, u)
	}
	return urls
}

func marshalXML(v any) ([]byte, error) {
	data, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(append([]byte(xml.Header), data...), '\n'), nil
}
