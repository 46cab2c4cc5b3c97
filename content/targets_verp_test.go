package content

import (
	"strings"
	"testing"
)

func TestBrandTargetReturnPath(t *testing.T) {
	good := okBrand + `  from_address: news@test.example
targets:
  news:
    kind: smtp
    host_env: CROSSCAST_TEST__SMTP_HOST
    to: subscribers
    return_path: bounce@bounces.test.example
    verp_key_env: CROSSCAST_TEST__VERP_KEY
`
	b, err := loadBrand(t, good)
	if err != nil {
		t.Fatal(err)
	}
	if ts := b.Targets(); ts[1].ReturnPath != "bounce@bounces.test.example" || ts[1].VERPKeyEnv != "CROSSCAST_TEST__VERP_KEY" {
		t.Fatalf("target %+v", ts[1])
	}
	for _, tt := range []struct{ edit, want string }{
		{"return_path: bounce@bounces.test.example|return_path: bounce+x@bounces.test.example", "targets.news.return_path: must be one plain address without a +"},
		{"return_path: bounce@bounces.test.example|return_path: Bounces <bounce@bounces.test.example>", "targets.news.return_path: must be one plain address"},
		{"    verp_key_env: CROSSCAST_TEST__VERP_KEY\n|", "targets.news.verp_key_env: is required"},
		{"verp_key_env: CROSSCAST_TEST__VERP_KEY|verp_key_env: CROSSCAST_OTHER__VERP_KEY", "targets.news.verp_key_env: names CROSSCAST_OTHER__VERP_KEY, which is not one of this brand's variables"},
		{"    return_path: bounce@bounces.test.example\n|", "targets.news.verp_key_env: is only used with return_path"},
	} {
		from, to, _ := strings.Cut(tt.edit, "|")
		if !strings.Contains(good, from) {
			t.Fatalf("edit %q does not apply", from)
		}
		_, err := loadBrand(t, strings.Replace(good, from, to, 1))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\ngot  %v\nwant %q", tt.edit, err, tt.want)
		}
	}
}

// A brand that sends email through an SMTP target names its sender: the
// error points at brand.yaml, the email block's line, and the field.
func TestSMTPTargetNeedsFromAddress(t *testing.T) {
	src := okBrand + `targets:
  news:
    kind: smtp
    host_env: CROSSCAST_TEST__SMTP_HOST
    to: subscribers
`
	_, err := loadBrand(t, src)
	if want := "brand.yaml:16:1: email.from_address: is required to send email (target news)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
	if _, err := loadBrand(t, strings.Replace(src, "email:\n", "email:\n  from_address: news@test.example\n", 1)); err != nil {
		t.Fatal(err)
	}
}
