package bounce

import (
	"errors"
	"strings"
	"testing"
)

func TestVERPRoundTrip(t *testing.T) {
	ref := Ref{Brand: "kestrel-outlet", Delivery: "89abcdef01234567", Recipient: "First.Last+tag@Example.ORG"}
	rp, err := ReturnPath("bounce@bounces.kestrel.example", testKey, ref)
	if err != nil {
		t.Fatal(err)
	}
	local, domain, _ := strings.Cut(rp, "@")
	if domain != "bounces.kestrel.example" || !strings.HasPrefix(local, "bounce+") {
		t.Fatalf("return path %q", rp)
	}
	t.Logf("%s (%d octets of local part)", rp, len(local))
	keys := func(brand string) [][]byte {
		if brand != "kestrel-outlet" {
			t.Errorf("keys asked for %q", brand)
		}
		return [][]byte{[]byte("the-new-key-of-sixteen"), testKey} // rotated: the old key still verifies
	}
	// The way back: as the report's To, with brackets and a display
	// name, and upper-cased by a server on the way.
	for _, addr := range []string{rp, "<" + rp + ">", "Bounces <" + strings.ToUpper(rp) + ">"} {
		tok := TokenFromAddress(addr)
		got, err := Open(tok, keys)
		if err != nil {
			t.Fatalf("%q: %v", addr, err)
		}
		want := ref
		want.Recipient = strings.ToLower(ref.Recipient)
		if got != want {
			t.Fatalf("%q: got %+v, want %+v", addr, got, want)
		}
	}
}

func TestVERPRefuses(t *testing.T) {
	ref := Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	tok, err := Sign(testKey, ref)
	if err != nil {
		t.Fatal(err)
	}
	flip := []byte(tok)
	flip[10] = map[bool]byte{true: 'b', false: 'a'}[flip[10] == 'a']
	for name, bad := range map[string]string{
		"tampered":  string(flip),
		"truncated": tok[:len(tok)-2],
		"empty":     "",
		"not b32":   tok[:20] + "1" + tok[21:],
	} {
		if _, err := Open(bad, testKeys); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: %v, want ErrBadToken", name, err)
		}
	}
	if _, err := Open(tok, func(string) [][]byte { return [][]byte{[]byte("some-other-key-16b")} }); !errors.Is(err, ErrBadToken) {
		t.Errorf("other key: %v", err)
	}
	// Another brand's key cannot vouch for this brand's token: the keys
	// are looked up by the brand inside the token.
	if _, err := Open(tok, func(b string) [][]byte { return nil }); !errors.Is(err, ErrBadToken) {
		t.Errorf("no key: %v", err)
	}
	for _, r := range []Ref{
		{Brand: "", Delivery: "0123456789abcdef", Recipient: "a@b.example"},
		{Brand: "k", Delivery: "0123", Recipient: "a@b.example"},
		{Brand: "k", Delivery: "0123456789abcdef", Recipient: ""},
	} {
		if _, err := Sign(testKey, r); err == nil {
			t.Errorf("Sign(%+v) accepted", r)
		}
	}
	if _, err := Sign([]byte("short"), ref); err == nil {
		t.Error("short key accepted")
	}
	if _, err := ReturnPath("bounce+x@b.example", testKey, ref); err == nil {
		t.Error("base with + accepted")
	}
	for _, a := range []string{"plain@example.org", "a+short@example.org", "a+UPPER1@example.org", "not an address"} {
		if tok := TokenFromAddress(a); tok != "" {
			t.Errorf("TokenFromAddress(%q) = %q", a, tok)
		}
	}
}

func FuzzOpen(f *testing.F) {
	tok, _ := Sign(testKey, Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"})
	f.Add(tok)
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Open(s, testKeys)
		if err == nil && (r.Brand != "kestrel" || r.Recipient == "") {
			t.Fatalf("opened %q to %+v", s, r)
		}
	})
}
