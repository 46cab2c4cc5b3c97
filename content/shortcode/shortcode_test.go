package shortcode

import (
	"strings"
	"testing"
	"time"
)

func TestParseHugo(t *testing.T) {
	nodes, err := ParseHugo("a {{< figure src=\"x.jpg\" alt='y' >}} b\n{{% note %}}in {{< b />}}{{% /note %}} {{</* x */>}}")
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	var texts strings.Builder
	for _, n := range nodes {
		if n.Call != nil {
			calls = append(calls, n.Call.Name)
		} else {
			texts.WriteString(n.Text)
		}
	}
	if strings.Join(calls, ",") != "figure,note" {
		t.Fatalf("calls %v", calls)
	}
	if got := texts.String(); got != "a  b\n {{< x >}}" {
		t.Errorf("text %q", got)
	}
	fig := nodes[1].Call
	if v, _ := fig.Get("src", 0); v != "x.jpg" {
		t.Errorf("src %q", v)
	}
	if v, _ := fig.Get("alt", 0); v != "y" {
		t.Errorf("alt %q", v)
	}
	note := nodes[3].Call
	if !note.Paired || !note.Markdown || note.InnerText != "in {{< b />}}" || note.Pos.Line != 2 || note.Pos.Col != 1 {
		t.Errorf("note %+v", note)
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{"{{< x ", "{{< /x >}}", `{{< x a="b >}}`, "{{</* x >}}"} {
		if _, err := ParseHugo(src); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
	for _, src := range []string{"{% raw %}x", "{% endif %}", "{{ x"} {
		if _, err := ParseLiquid(src); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
}

func TestParseLiquid(t *testing.T) {
	nodes, err := ParseLiquid("{% highlight go %}x{% endhighlight %}{% raw %}{{ y }}{% endraw %}{% comment %}z{% endcomment %}{{ page.title }}")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 3 || nodes[0].Call.InnerText != "x" || nodes[1].Text != "{{ y }}" || !nodes[2].Call.Output {
		t.Fatalf("%+v", nodes)
	}
}

// TestLinear checks inputs built to make a naive scanner quadratic
// finish quickly.
func TestLinear(t *testing.T) {
	inputs := []string{
		strings.Repeat("{% raw %}", 100_000) + "%}",
		strings.Repeat("{{< a >}}", 100_000),
		strings.Repeat("{{< a >}}{{< /a >}}", 50_000),
		strings.Repeat("{{", 300_000),
		strings.Repeat("{% if %}", 20) + strings.Repeat("{% endif %}", 20),
	}
	for _, in := range inputs {
		start := time.Now()
		_, _ = ParseHugo(in)
		_, _ = ParseLiquid(in)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%.20q…: %v", in, d)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{{< figure src="a" >}}`, "{{% x %}}y{{% /x %}}", "{{</* x */>}}", "{% raw %}{{ a }}{% endraw %}",
		"{% highlight go %}x{% endhighlight %}", "{{< a >}}{{< b >}}{{< /a >}}", "{{ page.title }}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) ([]Node, error){ParseHugo, ParseLiquid} {
			nodes, err := parse(s)
			if err != nil {
				continue
			}
			// Every byte of text in the output came from the input.
			var walk func([]Node, int) int
			walk = func(ns []Node, depth int) int {
				if depth > MaxDepth+1 {
					t.Fatalf("nesting %d past MaxDepth", depth)
				}
				n := 0
				for _, x := range ns {
					n += len(x.Text)
					if x.Call != nil {
						n += walk(x.Call.Inner, depth+1)
					}
				}
				return n
			}
			if walk(nodes, 0) > len(s) {
				t.Fatalf("more text out than in")
			}
		}
	})
}
