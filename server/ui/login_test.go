package ui

import (
	"net/url"
	"testing"
)

// safeNext lets only a path on this site through; everything a browser
// could read as another origin (after it drops tabs and newlines, or
// turns \ into /) goes to /.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/", "/"},
		{"/items/kestrel.en.x?tab=email", "/items/kestrel.en.x?tab=email"},
		{"/?brand=kestrel&q=a%20b", "/?brand=kestrel&q=a%20b"},
		{"/items/a%2Fb", "/items/a%2Fb"},
		{"", "/"},
		{"items", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example/", "/"},
		{"/%09/evil.example/", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/%0d%0aSet-Cookie:x=1", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\u00a0/evil.example", "/"},
		{"/\u2028/evil.example", "/"},
		{"/x\x00", "/"},
		{"/x\x7f", "/"},
		{"https:evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/items/x\\y", "/"},
		{"/%", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// The same cases as the query string decodes them once more.
	for _, raw := range []string{"/%2509/evil.example/", "/%252F/evil.example"} {
		dec, _ := url.QueryUnescape(raw)
		if got := safeNext(dec); got != "/" && got != dec {
			t.Errorf("safeNext(%q) = %q", dec, got)
		}
	}
}
