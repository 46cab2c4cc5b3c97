package ui

import (
	"context"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
)

// The email tab reads a real rendering through the email package: its
// variants, the shown variant's preheader, subject and page.
func TestEmailTabVariants(t *testing.T) {
	r, err := email.New(&images.Cache{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples.Load(t) {
		if len(ex.Item.Email.Variants) == 0 {
			continue
		}
		out, err := r.Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: content.NewLinkPlan(ex.Item, ex.Brand)})
		if err != nil {
			t.Fatal(err)
		}
		rr := &store.Rendering{}
		files := map[string][]byte{}
		for _, f := range out.Files {
			rr.Files = append(rr.Files, store.RenderedFile{Name: f.Name, MediaType: f.MediaType, Size: int64(len(f.Data))})
			files[f.Name] = f.Data
		}
		file := func(channel, name string) []byte { return files[name] }
		want := ex.Item.Email.Variants[len(ex.Item.Email.Variants)-1]
		v := emailTab(rr, want.Name, file)
		if len(v.Variants) != len(ex.Item.Email.Variants) || v.Variant != want.Name || v.HTML != "variants/"+want.Name+"/email.html" {
			t.Errorf("%s: variants %q, shown %q in %q", ex.Name(), v.Variants, v.Variant, v.HTML)
		}
		pre := want.Preheader
		if pre == "" {
			pre = ex.Item.Email.Preheader
		}
		if pre == "" {
			pre = ex.Item.Summary
		}
		if v.Preheader != pre || v.Subject == "" || v.HTMLSize != int64(len(files[v.HTML])) {
			t.Errorf("%s: preheader %q (want %q), subject %q, HTML %d bytes", ex.Name(), v.Preheader, pre, v.Subject, v.HTMLSize)
		}
		if c := emailTab(rr, "no such variant", file); c.Variant != "" || c.HTML != "email.html" || c.Preheader != ex.Item.Email.Preheader && ex.Item.Email.Preheader != "" {
			t.Errorf("%s: unknown variant shows %q in %q, preheader %q", ex.Name(), c.Variant, c.HTML, c.Preheader)
		}
	}
}
