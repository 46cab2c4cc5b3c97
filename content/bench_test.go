package content_test

import (
	"testing"
	"testing/fstest"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
)

// BenchmarkParse parses every example item (front matter, Markdown tree,
// image headers); MB/s is Markdown source parsed per second.
func BenchmarkParse(b *testing.B) {
	type src struct {
		name  string
		data  []byte
		files fstest.MapFS
		opts  content.ParseOptions
	}
	var srcs []src
	var total int64
	for _, ex := range examples.Load(b) {
		files := fstest.MapFS{}
		for name, a := range ex.Item.Assets {
			files[name] = &fstest.MapFile{Data: a.Data}
		}
		srcs = append(srcs, src{ex.Path, ex.Item.Source, files, content.ParseOptions{DefaultLang: ex.Brand.Lang}})
		total += int64(len(ex.Item.Source))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range srcs {
			if _, err := content.ParseBytes(s.files, "index.md", s.data, s.opts); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(srcs)), "ns/item")
}
