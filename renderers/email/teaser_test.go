package email

import (
	"bytes"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
)

// TestTeaserGolden: with email.mode teaser the email carries the lead and
// first paragraphs, then a "Continue reading" button to the portal page
// (with the email's UTM), in the HTML and the text part alike; the
// footer and unsubscribe link stay. testdata/<brand>/<slug>.teaser.*.
func TestTeaserGolden(t *testing.T) {
	for _, ex := range examples.Load(t) {
		if !strings.Contains(ex.Name(), "kungsleden") && !strings.Contains(ex.Name(), "trail-api") {
			continue
		}
		t.Run(ex.Name(), func(t *testing.T) {
			_, full := render(t, ex.Item, ex.Brand)
			it := *ex.Item
			it.Email.Mode = content.EmailTeaser
			_, files := render(t, &it, ex.Brand)
			page, text := files[HTMLFile], files[TextFile]
			golden.Check(t, ex.Name()+".teaser.email.html.golden", page)
			golden.Check(t, ex.Name()+".teaser.email.txt.golden", text)
			label := ex.Brand.T(it.Lang, "teaser_continue")
			web := ex.Links.UTM(content.ChanEmail, "").Apply(ex.Links.Canonical)
			if !bytes.Contains(page, []byte(`class="btn" href="`+strings.ReplaceAll(web, "&", "&amp;")+`"`)) || !bytes.Contains(page, []byte(label)) {
				t.Errorf("no %q button to %s", label, web)
			}
			if !strings.Contains(strings.Join(strings.Fields(string(text)), " "), label+": "+web) {
				t.Errorf("the text part has no %q line", label)
			}
			if len(page) >= len(full[HTMLFile]) || len(text) >= len(full[TextFile]) {
				t.Errorf("the teaser (%d, %d bytes) is not shorter than the full email (%d, %d)", len(page), len(text), len(full[HTMLFile]), len(full[TextFile]))
			}
			if !bytes.Contains(page, []byte(ex.Brand.T(it.Lang, "unsubscribe"))) {
				t.Error("the teaser lost its unsubscribe link")
			}
		})
	}
}
