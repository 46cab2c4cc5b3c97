package content

import (
	"strings"
	"testing"
	"time"
)

const abItem = "---\ntitle: Hi\nemail:\n  variants:\n    - name: b\n      subject: Other\n      cta:\n        label: Shop\n        url: /catalog/\n"

// TestEmailTestParse reads email.test and merges it over the brand's
// default, field by field.
func TestEmailTestParse(t *testing.T) {
	b, err := loadBrand(t, okBrand+"  test:\n    share: 10%\n    metric: unique_clicks\n")
	if err != nil {
		t.Fatal(err)
	}
	it := mustParse(t, abItem+"  test:\n    wait: 90s\n    min_recipients: 50\n---\nBody.\n", nil, ParseOptions{Brand: b})
	p, ok := it.TestPlan(b)
	if !ok {
		t.Fatal("no test plan")
	}
	want := EmailTestPlan{Share: 10, Wait: 90 * time.Second, Metric: MetricUniqueClicks, MinRecipients: 50}
	if p != want {
		t.Errorf("plan = %+v, want %+v", p, want)
	}
	if c := it.Email.Variants[0].CTA; c == nil || c.URL != "/catalog/" || c.Label != "Shop" {
		t.Errorf("variant cta = %+v", c)
	}
	// The brand's default alone starts a test of an item with variants;
	// an item without variants runs none.
	it = mustParse(t, abItem+"---\nBody.\n", nil, ParseOptions{Brand: b})
	if p, ok := it.TestPlan(b); !ok || p.Share != 10 || p.Wait != 4*time.Hour || p.MinRecipients != 500 {
		t.Errorf("brand default plan = %+v, %v", p, ok)
	}
	it = mustParse(t, "---\ntitle: Hi\n---\nBody.\n", nil, ParseOptions{Brand: b})
	if _, ok := it.TestPlan(b); ok {
		t.Error("an item without variants runs a test")
	}
}

// TestEmailTestErrors names the line and field of every bad value.
func TestEmailTestErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"share", abItem + "  test:\n    share: 0%\n---\n", "post.md:11:12: email.test.share: must be a whole percentage from 1% to 100%"},
		{"share over", abItem + "  test:\n    share: 120\n---\n", "post.md:11:12: email.test.share:"},
		{"wait", abItem + "  test:\n    wait: 4 hours\n---\n", "post.md:11:11: email.test.wait: must be a duration"},
		{"metric", abItem + "  test:\n    metric: opens\n---\n", "email.test.metric: must be clicks or unique_clicks"},
		{"min", abItem + "  test:\n    min_recipients: -1\n---\n", "email.test.min_recipients: must be between 0"},
		{"unknown", abItem + "  test:\n    shares: 20%\n---\n", "did you mean"},
		{"no variants", "---\ntitle: Hi\nemail:\n  test:\n    share: 20%\n---\n", "post.md:4:3: email.test: needs email.variants"},
		{"variant cta", "---\ntitle: Hi\nemail:\n  variants:\n    - name: b\n      cta:\n        url: ftp://x\n---\n", "variant \"b\": cta.label is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(t, tt.src, nil, ParseOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := loadBrand(t, okBrand+"  test:\n    metric: opens\n"); err == nil || !strings.Contains(err.Error(), "email.test.metric") {
		t.Errorf("brand error %v", err)
	}
}
