package content

import (
	"strings"
	"testing"
)

// Every brand value that becomes an email header is refused at load, with
// its line and column, when the header builder would refuse it: a value
// that adds a header (CRLF, U+2028, U+0085), a second address or
// List-Unsubscribe target, or a URL a client cannot use.
func TestBrandEmailHeaders(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"list_id CRLF", `list_id: "news.test.example\r\nBcc: victim@example.com"`,
			`brand.yaml:18:3: email.list_id: must be a list id like news.example.com or ` + "`Our News <news.example.com>`" + ` (RFC 2919); has a carriage return (CR)`},
		{"list_id U+2028", `list_id: "news.test.example\u2028Bcc: victim@example.com"`, `brand.yaml:18:3: email.list_id: `},
		{"list_id U+0085", `list_id: "news.test.example\u0085Bcc: victim@example.com"`, `has a line separator (U+0085)`},
		{"list_id not an id", `list_id: "news test"`, `brand.yaml:18:3: email.list_id: must be a list id`},
		{"list_id bracket", `list_id: "News <news.test.example>, <evil.example>"`, `email.list_id: must be a list id`},
		{"unsubscribe_mailto CRLF", `unsubscribe_mailto: "mailto:u@test.example\r\nBcc: victim@example.com"`,
			`brand.yaml:18:3: email.unsubscribe_mailto: must be a mailto: URL to one address`},
		{"unsubscribe_mailto extra target", `unsubscribe_mailto: "mailto:u@test.example>, <https://evil.example/"`, `must not hold '>'`},
		{"unsubscribe_mailto two addresses", `unsubscribe_mailto: "mailto:u@test.example%2Cv@test.example"`, `mailto address must be one address, not 2`},
		{"unsubscribe_url extra target", `unsubscribe_url: "https://test.example/u/>,<mailto:x@evil.example"`, `brand.yaml:18:3: email.unsubscribe_url: goes into List-Unsubscribe`},
		{"unsubscribe_url http", `unsubscribe_url: "http://test.example/u/"`, `must be an absolute https:// URL`},
		{"unsubscribe_url space", `unsubscribe_url: "https://test.example/u /"`, `email.unsubscribe_url: `},
		{"from_address two addresses", `from_address: "a@test.example,b@test.example"`,
			`brand.yaml:18:3: email.from_address: must be a plain address like news@example.com; "a@test.example,b@test.example" must be one address, not 2`},
		{"from_address with name", `from_address: "Eve <a@test.example>"`, `must be a bare address`},
		{"from_address U+2028", `from_address: "a@test.example\u2028Bcc: x@y.example"`, `email.from_address: must be a plain address`},
		{"reply_to two addresses", `reply_to: "a@test.example, b@test.example"`, `brand.yaml:18:3: email.reply_to: must be a plain address`},
		{"from_name U+2028", `from_name: "Test\u2028Bcc: victim@example.com"`, `brand.yaml:18:3: email.from_name: becomes a display name in the email's headers and has a line separator (U+2028)`},
		{"from_name CR", `from_name: "Test\rBcc: victim@example.com"`, `email.from_name: becomes a display name`},
		{"from_name tab", `from_name: "Test\tCo"`, `has a control character (U+0009)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := okBrand + "  " + tt.yaml + "\n"
			_, err := loadBrand(t, src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %q", err, tt.want)
			}
		})
	}
	t.Run("brand name", func(t *testing.T) {
		_, err := loadBrand(t, strings.Replace(okBrand, "name: Test Co", `name: "Test\u0085Co"`, 1))
		if want := "brand.yaml:1:1: name: becomes a display name"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant %q", err, want)
		}
	})
	t.Run("site without a domain", func(t *testing.T) {
		_, err := loadBrand(t, strings.Replace(okBrand, "site: https://test.example/", "site: https://localhost/", 1))
		if want := `email.from_address: is required: the site's host "localhost" makes no sender address`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant %q", err, want)
		}
	})
	t.Run("good", func(t *testing.T) {
		src := okBrand + `  from_name: "Test Co — Nieuws"
  from_address: news@test.example
  reply_to: editor@test.example
  list_id: "Test News <news.test.example>"
  unsubscribe_url: https://test.example/u/
  unsubscribe_mailto: mailto:unsubscribe@test.example?subject=unsubscribe
`
		if _, err := loadBrand(t, src); err != nil {
			t.Fatal(err)
		}
	})
}
