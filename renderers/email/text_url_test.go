package email

import (
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
)

// The plain-text part drops the links the HTML sanitizer drops:
// javascript:, data: and vbscript: targets keep their text but get no
// numbered reference a reader could copy into a browser.
func TestTextPartDropsUnsafeLinks(t *testing.T) {
	body := "See [one](javascript:alert(1)), [two](JaVaScRiPt:alert(2)), [three](data:text/html;base64,PHNjcmlwdD4=), " +
		"[four](vbscript:msgbox(4)), [five]( javascript:alert(5)) and [safe](https://fjellbu.example/ok).\n\n<javascript:alert(6)>\n"
	it, err := content.ParseBytes(nil, "index.md", []byte("---\ntitle: Links\n---\n"+body), content.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, files := render(t, it, testBrand(t))
	text, html := string(files["email.txt"]), string(files["email.html"])
	for _, bad := range []string{"alert(1)", "alert(2)", "data:text", "msgbox", "alert(5)"} {
		if strings.Contains(text, bad) {
			t.Errorf("the text part keeps %q:\n%s", bad, text)
		}
		if strings.Contains(html, bad) {
			t.Errorf("the HTML part keeps %q", bad)
		}
	}
	for _, want := range []string{"See one, two, three, four, five and safe [1].", "[1] https://fjellbu.example/ok"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text part has no %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "[2]") {
		t.Errorf("an unsafe link got a reference:\n%s", text)
	}
}
