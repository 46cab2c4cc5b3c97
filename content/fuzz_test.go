package content

import (
	"errors"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary files to the front-matter splitter, the strict
// YAML decoder and the validator: they must never panic, and every failure
// must be a positioned diagnostic list.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"---\ntitle: Hi\n---\nbody",
		"---\ntitle: &a x\nsummary: *a\n---\n",
		"---\ntitel: x\ntags: {a: b}\ndraft: maybe\n---\n",
		"---\r\ntitle: Hi\r\n...\r\n",
		"+++\ntitle = 1\n+++\n",
		"---\ntitle: x\nhero: a.png\nproduct:\n  price: 1.5\n  currency: EUR\nemail:\n  variants:\n    - name: a\n      subject: s\n---\n![x](a.png)\n",
		"---\n- a\n- b\n---\n",
		"---\ntitle: x\nemail:\n  variants:\n    - name: b\n      cta: {label: L, url: /c/}\n  test: {share: 20%, wait: 90s, metric: unique_clicks, min_recipients: 0}\n---\n",
		"---\ntitle: x\ndate: 2026-01-01 10:00:00 +0100\nhero:\n  focus: 0.1,0.9\n  src: a.png\n---\n",
		"no front matter",
		"---\ntitle: [\n---\n",
		"---\ntitle: x\n---\n{{< figure src=\"a.png\" >}}\n{{% x %}}*y*{{% /x %}}\n{{</* z */>}}\n> [!NOTE]\n> n\n\nA\n{.c #i}\n\nT\n: d\n",
		"---\ntitle: x\nsocial:\n  variants:\n    - id: b\n      text: t\n      networks: [mastodon]\n  reshare: [+2d, +1w]\n---\n",
		"---\ntitle: x\n---\n{% include a.png %}{% raw %}{{ a }}{% endraw %}{% highlight go %}x{% endhighlight %}{{ page.title }}",
	}
	for _, s := range seeds {
		f.Add([]byte(s), "")
		f.Add([]byte(s), CompatHugo)
		f.Add([]byte(s), CompatJekyll)
	}
	files := fstest.MapFS{"a.png": {Data: pngBytes(f, 3, 3)}}
	f.Fuzz(func(t *testing.T, src []byte, compat string) {
		if compat != CompatHugo && compat != CompatJekyll {
			compat = ""
		}
		it, err := ParseBytes(files, "f.md", src, ParseOptions{Compat: compat})
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
			}
			for _, d := range errs {
				if d.File != "f.md" || d.Line < 0 || d.Message == "" || !utf8.ValidString(d.String()) && utf8.Valid(src) {
					t.Fatalf("bad diagnostic %#v", d)
				}
			}
			return
		}
		if it.Title == "" || !ValidSlug(it.Slug) || it.Lang == "" || it.ID == "" || it.Doc == nil {
			t.Fatalf("accepted item lacks derived values: title=%q slug=%q lang=%q id=%q", it.Title, it.Slug, it.Lang, it.ID)
		}
	})
}
