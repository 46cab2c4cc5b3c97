package email

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func inlineString(t *testing.T, css, doc string) (string, *Inliner) {
	t.Helper()
	in, err := NewInliner(css)
	if err != nil {
		t.Fatal(err)
	}
	n, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	in.Inline(n)
	var b strings.Builder
	if err := html.Render(&b, n); err != nil {
		t.Fatal(err)
	}
	return b.String(), in
}

func TestInlineCascade(t *testing.T) {
	css := `
p { color: red; margin: 0 }
.lead { color: blue }
#intro { color: green }
p.lead { font-size: 18px }
p { color: black !important; line-height: 1.5 }
a:hover { color: orange }
td { background-color: #eeeeee; text-align: center; width: 300px }
@media (max-width: 600px) { .lead { font-size: 16px !important } }
`
	for _, tt := range []struct{ name, doc, want string }{
		{"type selector", `<p>x</p>`, `<p style="color: black; margin: 0; line-height: 1.5">`},
		{"class beats type, important beats class", `<p class="lead">x</p>`, `<p class="lead" style="color: black; margin: 0; font-size: 18px; line-height: 1.5">`},
		{"style attribute beats rules but not !important", `<p style="margin: 4px; color: pink">x</p>`, `<p style="color: black; margin: 4px; line-height: 1.5">`},
		{"important in the attribute wins", `<p style="color: pink !important">x</p>`, `<p style="color: pink; margin: 0; line-height: 1.5">`},
		{"attributes for old clients", `<table><tr><td>x</td></tr></table>`, `<td style="background-color: #eeeeee; text-align: center; width: 300px" width="300" bgcolor="#eeeeee" align="center">`},
		{"template attributes stay", `<table><tr><td width="200">x</td></tr></table>`, `<td width="200" style="background-color: #eeeeee; text-align: center; width: 300px" bgcolor="#eeeeee" align="center">`},
		{"hover is not inlined", `<a href="/">x</a>`, `<a href="/">x</a>`},
	} {
		got, _ := inlineString(t, css, tt.doc)
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	_, in := inlineString(t, css, "<p></p>")
	kept := in.Kept()
	for _, want := range []string{"a:hover", "@media (max-width: 600px)", "font-size: 16px !important"} {
		if !strings.Contains(kept, want) {
			t.Errorf("kept CSS lacks %q:\n%s", want, kept)
		}
	}
	if strings.Contains(kept, "margin: 0") {
		t.Errorf("inlined rules were kept too:\n%s", kept)
	}
}

func TestParseStyle(t *testing.T) {
	got := parseStyle(`color: red; background: url("a;b.png") no-repeat; font-family: "A;B", serif !important;;`)
	if len(got) != 3 || got[1].value != `url("a;b.png") no-repeat` || !got[2].important || got[2].value != `"A;B", serif` {
		t.Errorf("parseStyle: %+v", got)
	}
}
