package content

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// wantDiag asserts err is Errors whose text holds every want.
func wantDiag(t *testing.T, err error, want ...string) {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v (%T), want Errors", err, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error text\n%s\ndoes not contain\n%s", err, w)
		}
	}
}

// Values that decode but mean nothing are refused where they are written.
func TestParseRejectsNonsense(t *testing.T) {
	hero := func(focus string) string {
		return "---\ntitle: Hi\nhero:\n  src: a.png\n  alt: x\n  focus: " + focus + "\n---\n"
	}
	product := func(cur string) string {
		return "---\ntitle: Hi\nproduct:\n  price: 12.50\n  currency: " + cur + "\n---\n"
	}
	tests := []struct{ name, src, want string }{
		{"focus NaN", hero("NaN,NaN"), `post.md:6:10: hero.focus: must be "x,y" with fractions between 0 and 1`},
		{"focus nan lower", hero("nan,0.5"), `post.md:6:10: hero.focus:`},
		{"focus inf", hero("0.5,+Inf"), `post.md:6:10: hero.focus:`},
		{"focus negative", hero("-0.1,0.5"), `post.md:6:10: hero.focus:`},
		{"currency ZZZ", product("ZZZ"), `post.md:5:3: product.currency: must be an ISO 4217 code like EUR, not "ZZZ"`},
		{"currency XXX", product("XXX"), `product.currency: must be an ISO 4217 code`},
		{"tag binary", "---\ntitle: !!binary aGVsbG8=\n---\n", `post.md:2:8: YAML tags (!!binary) are not allowed`},
		{"tag custom", "---\ntitle: Hi\nsummary: !evil x\n---\n", `post.md:3:10: YAML tags (!evil) are not allowed`},
		{"tag on mapping", "---\ntitle: Hi\nhero: !!map\n  src: a.png\n---\n", `post.md:3:7: YAML tags (!!map) are not allowed`},
		{"tag str", "---\ntitle: !!str 12\n---\n", `post.md:2:8: YAML tags (!!str) are not allowed`},
	}
	files := fstest.MapFS{"a.png": {Data: pngBytes(t, 4, 4)}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(t, tt.src, files, ParseOptions{})
			wantDiag(t, err, tt.want)
		})
	}
	// Real codes still pass.
	for _, cur := range []string{"EUR", "USD", "JPY", "CHF"} {
		if _, err := parseString(t, product(cur), nil, ParseOptions{}); err != nil {
			t.Errorf("%s: %v", cur, err)
		}
	}
}

// Every syntax problem points at a line, and the right one.
func TestParseErrorPositions(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"invalid utf-8", "---\ntitle: Hi\nsummary: ab\xffcd\n---\n", "post.md:3:12: the file is not valid UTF-8 text"},
		{"invalid utf-8 in body", "---\ntitle: Hi\n---\n\nfine\nnot \xc3( fine\n", "post.md:6:5: the file is not valid UTF-8 text"},
		{"control character", "---\ntitle: Hi\nsummary: a\x01b\n---\n", "post.md:3:11: YAML syntax: control characters are not allowed"},
		{"control character first line", "---\ntitle: a\x7fb\n---\n", "post.md:2:9: YAML syntax: control characters are not allowed"},
		{"bad escape", "---\ntitle: Hi\nsummary: \"bad \\q escape\"\n---\n", "post.md:3: YAML syntax: found unknown escape character"},
		{"bad escape first line", "---\ntitle: \"bad \\q\"\n---\n", "post.md:2: YAML syntax: found unknown escape character"},
		{"mapping values", "---\ntitle: Hi\nsummary: a: b\n---\n", "post.md:3: YAML syntax: mapping values are not allowed"},
		{"mapping values first line", "---\ntitle: a: b\n---\n", "post.md:2: YAML syntax: mapping values are not allowed"},
		{"unclosed flow sequence", "---\ntitle: Hi\nsummary: x\ntags: [a, b\nauthor: Ann\n---\n", "post.md:4: YAML syntax: did not find expected ',' or ']'"},
		{"unclosed flow sequence first line", "---\ntitle: [unclosed\n---\nText.\n", "post.md:2: YAML syntax: did not find expected ',' or ']'"},
		{"unclosed nested flow", "---\ntitle: Hi\ntags: [a,\n  b, [c,\n  d]\n---\n", "post.md:3: YAML syntax: did not find expected ',' or ']'"},
		{"unclosed flow mapping", "---\ntitle: Hi\nhero: {src: a.png\n---\n", "post.md:3: YAML syntax: did not find expected ',' or '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(t, tt.src, nil, ParseOptions{})
			wantDiag(t, err, tt.want)
		})
	}
}

func TestBrandRejectsNonsense(t *testing.T) {
	tests := []struct{ name, edit, want string }{
		{"negative logo width", "  src: logo.svg|  src: logo.svg\n  width: -500", "brand.yaml:10:3: logo.width: must be between 16 and 2000 pixels, not -500"},
		{"absurd logo width", "  src: logo.svg|  src: logo.svg\n  width: 99999999", "logo.width: must be between 16 and 2000 pixels"},
		{"zero social limit", "    handle: \"@testco\"|    handle: \"@testco\"\n    limit: -1", "social.x.limit: must be between 1 and 100000 characters"},
		{"absurd social limit", "    handle: \"@testco\"|    handle: \"@testco\"\n    limit: 100000000", "social.x.limit: must be between 1 and 100000 characters"},
		{"negative toc", "lang: nl|lang: nl\nportal:\n  toc_min_headings: -3", "brand.yaml:5:3: portal.toc_min_headings: must be between 1 and 100"},
		{"nan float", "lang: nl|lang: nl\ntargets:\n  news:\n    kind: smtp\n    host_env: CROSSCAST_TEST__SMTP_HOST\n    to: subscribers\n    rate: .nan", "brand.yaml:9:11: targets.news.rate: must be a number, not `.nan`"},
		{"yaml tag", "name: Test Co|name: !evil Test Co", "brand.yaml:1:7: YAML tags (!evil) are not allowed"},
		{"yaml binary tag", "name: Test Co|name: !!binary VGVzdA==", "brand.yaml:1:7: YAML tags (!!binary) are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, _ := strings.Cut(tt.edit, "|")
			if !strings.Contains(okBrand, from) {
				t.Fatalf("edit %q does not apply", from)
			}
			_, err := loadBrand(t, strings.Replace(okBrand, from, to, 1))
			wantDiag(t, err, tt.want)
		})
	}
}

func TestBrandErrorPositions(t *testing.T) {
	tests := []struct{ name, edit, want string }{
		{"syntax", "lang: nl|lang: nl\n  bad: [", "brand.yaml:4: YAML syntax: mapping values are not allowed"},
		{"unclosed flow", "lang: nl|lang: nl\nfonts: {body: x", "brand.yaml:4: YAML syntax: did not find expected ',' or '}'"},
		{"control character", "name: Test Co|name: Test\x01Co", "brand.yaml:1:11: YAML syntax: control characters are not allowed"},
		{"invalid utf-8", "name: Test Co|name: Test\xffCo", "brand.yaml:1:11: the file is not valid UTF-8 text"},
		// yaml.v3 names the line before a tab used as indentation.
		{"tab indent", "lang: nl|lang: nl\n\tbad: x", "brand.yaml:4:1: YAML syntax: found a tab character that violates indentation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, _ := strings.Cut(tt.edit, "|")
			_, err := loadBrand(t, strings.Replace(okBrand, from, to, 1))
			wantDiag(t, err, tt.want)
			var errs Errors
			if errors.As(err, &errs) && errs[0].Line == 0 {
				t.Errorf("diagnostic has no line: %+v", errs[0])
			}
		})
	}
	t.Run("oversized", func(t *testing.T) {
		_, err := loadBrand(t, okBrand+"# "+strings.Repeat("x", 300<<10)+"\n")
		wantDiag(t, err, "brand.yaml: brand.yaml is 307")
		if err != nil && strings.Contains(err.Error(), "front matter") {
			t.Errorf("an item's limits in a brand error: %v", err)
		}
		if err != nil && !strings.Contains(err.Error(), "the limit is 262144 bytes (256 KiB)") {
			t.Errorf("the limit is not named: %v", err)
		}
	})
}

// A brand's targets may read only the brand's own environment variables:
// otherwise an admin of one brand sends the server's secrets (another
// brand's token, say) to a host of their choosing.
func TestBrandTargetEnvNames(t *testing.T) {
	kit := func(id, env string) string {
		return strings.Replace(okBrand, "name: Test Co", "id: "+id+"\nname: Test Co", 1) + `targets:
  social:
    kind: mastodon
    instance: https://evil.example
    token_env: ` + env + "\n"
	}
	ok := []struct{ id, env string }{
		{"test", "CROSSCAST_TEST__MASTODON_TOKEN"},
		{"kestrel-outlet", "CROSSCAST_KESTREL_OUTLET__TOKEN"},
		{"a", "CROSSCAST_A__B"},
	}
	for _, tt := range ok {
		if _, err := loadBrand(t, kit(tt.id, tt.env)); err != nil {
			t.Errorf("%s naming %s: %v", tt.id, tt.env, err)
		}
	}
	bad := []struct{ id, env string }{
		{"test", "OTHER_BRAND_SECRET"},
		{"test", "DATABASE_URL"},
		{"test", "CROSSCAST_OTHER__TOKEN"},
		{"test", "CROSSCAST_TEST_TOKEN"},               // no __ after the brand
		{"test", "CROSSCAST_TEST__"},                   // nothing after it
		{"test", "CROSSCAST_TEST___TOKEN"},             // the name may not start with _
		{"a", "CROSSCAST_A__B__TOKEN"},                 // brand "a-b"'s would-be prefix is not "a"'s
		{"kestrel", "CROSSCAST_KESTREL_OUTLET__TOKEN"}, // another brand's
	}
	for _, tt := range bad {
		_, err := loadBrand(t, kit(tt.id, tt.env))
		wantDiag(t, err, "brand.yaml:23:5: targets.social.token_env: names "+tt.env+", which is not one of this brand's variables")
		if err != nil && !strings.Contains(err.Error(), "CROSSCAST_"+strings.ToUpper(strings.ReplaceAll(tt.id, "-", "_"))+"__") {
			t.Errorf("%s: the error does not say which names are allowed: %v", tt.env, err)
		}
	}
}

// Bodies past MaxElements in block lines are turned away before goldmark
// parses them, at the line where the count passes the limit.
func TestBlockScanRejectsBeforeParsing(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"task list", strings.Repeat("- [ ] x\n", 100_000), "post.md:5004:1: the body has more than 10000 Markdown elements"},
		{"setext", strings.Repeat("x\n=\n", 100_000), "post.md:20004:1: the body has more than 10000 Markdown elements"},
		{"reference links", strings.Repeat("[r1] [R2] ", 10_000) + "\n\n[r1]: https://x.example/1\n[r2]: https://x.example/2\n", "post.md:4:1: the body has more than 10000 Markdown elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &diags{file: "post.md"}
			if checkMarkdown(d, []byte(tt.body), 4) {
				t.Fatal("accepted by the pre-scan")
			}
			wantDiag(t, d.err(), tt.want)
		})
	}
	// Under the limit, and in code or HTML, the pre-scan leaves it to checkTree.
	for _, body := range []string{strings.Repeat("- x\n", 4_000), "```\n" + strings.Repeat("- x\n", 20_000) + "```\n", "<div>\n" + strings.Repeat("- x\n", 20_000)} {
		if line := blockScan([]byte(body), splitLines([]byte(body))); line != 0 {
			t.Errorf("pre-scan rejected at line %d a body checkTree may accept", line)
		}
	}
}

// Every free-text field is bounded, with the field's line.
func TestLongTextFieldsRejected(t *testing.T) {
	long := strings.Repeat("word ", 12_000)
	for _, f := range []struct{ fm, want string }{
		{"summary: " + long, "post.md:3:1: summary: is 59999 bytes; the limit is 4096"},
		{"author: " + long, "post.md:3:1: author: is 59999 bytes; the limit is 2048"},
		{"cta:\n  label: " + long + "\n  url: /x", "post.md:4:3: cta.label: is 59999 bytes"},
		{"email:\n  preheader: " + long, "post.md:4:3: email.preheader: is 59999 bytes"},
		{"social:\n  x: " + long, "post.md:4:3: social.x: is 59999 bytes; the limit is 12288"},
		{"summary: " + strings.Repeat("é", 1_500), "post.md:3:1: summary: is 1500 characters; the limit is 1000"},
	} {
		_, err := parseString(t, "---\ntitle: Hi\n"+f.fm+"\n---\nText.\n", nil, ParseOptions{})
		wantDiag(t, err, f.want)
	}
}
