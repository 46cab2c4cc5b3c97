package server

import (
	"bytes"
	"testing"
)

func TestLocalLinks(t *testing.T) {
	const site, local = "https://kestrel.example", "/sites/kestrel/"
	in := `<a href="https://kestrel.example/">home</a> <a href="https://kestrel.example">bare</a>
<a href="https://kestrel.example/catalog/#pack">c</a> <img src="https://kestrel.example/pack/img.jpg" srcset="https://kestrel.example/a.jpg 1x, https://kestrel.example/b.jpg 2x">
<link rel="canonical" href="https://kestrel.example/pack/"><meta property="og:url" content="https://kestrel.example/pack/">
<a href="https://kestrel.example.evil/">other</a> <a href="https://x.com/kestrel">x</a> <p>https://kestrel.example/ in text</p>`
	want := `<a href="/sites/kestrel/">home</a> <a href="/sites/kestrel/">bare</a>
<a href="/sites/kestrel/catalog/#pack">c</a> <img src="/sites/kestrel/pack/img.jpg" srcset="/sites/kestrel/a.jpg 1x, /sites/kestrel/b.jpg 2x">
<link rel="canonical" href="/sites/kestrel/pack/"><meta property="og:url" content="https://kestrel.example/pack/">
<a href="https://kestrel.example.evil/">other</a> <a href="https://x.com/kestrel">x</a> <p>https://kestrel.example/ in text</p>`
	if got := string(localLinks([]byte(in), site, local)); got != want {
		t.Errorf("localLinks:\n%s\nwant\n%s", got, want)
	}
}

// FuzzLocalLinks: a published page never makes the rewrite fail, and a
// page that does not mention the site comes back unchanged.
func FuzzLocalLinks(f *testing.F) {
	f.Add([]byte(`<a href="https://kestrel.example/x/">x</a>`))
	f.Add([]byte(`<img srcset="https://kestrel.example/a.jpg 1x">`))
	f.Add([]byte(`<a href="">`))
	f.Fuzz(func(t *testing.T, page []byte) {
		out := localLinks(page, "https://kestrel.example", "/sites/kestrel/")
		if !bytes.Contains(page, []byte("https://kestrel.example")) && !bytes.Equal(out, page) {
			t.Errorf("changed a page without the site: %q → %q", page, out)
		}
	})
}
