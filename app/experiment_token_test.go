package app

import (
	"strings"
	"testing"
)

// FuzzClickToken reads click tokens from /r/<code>?t=…, which anyone can
// send: a token the test did not make is refused, never a panic, and a
// token it made always passes and is the same recipient again.
func FuzzClickToken(f *testing.F) {
	good := clickToken("secret", "ann@example.net")
	f.Add(good)
	f.Add("")
	f.Add(strings.Repeat("A", tokenLen))
	f.Add(good[:tokenLen-1] + "!")
	f.Fuzz(func(t *testing.T, tok string) {
		h, ok := tokenHash("secret", tok)
		if ok && (len(h) != 32 || len(tok) != tokenLen) {
			t.Fatalf("accepted %q as %q", tok, h)
		}
		if tok == good && !ok {
			t.Fatal("refused a token it made")
		}
	})
}

func TestClickToken(t *testing.T) {
	a, b := clickToken("s1", "ann@example.net"), clickToken("s1", "bob@example.net")
	ha, okA := tokenHash("s1", a)
	hb, okB := tokenHash("s1", b)
	ha2, _ := tokenHash("s1", clickToken("s1", "ann@example.net"))
	if !okA || !okB || ha == hb || ha != ha2 || len(a) != tokenLen {
		t.Errorf("tokens %q %q hash to %q %q", a, b, ha, hb)
	}
	// Another test's secret, or one blanked when its test ended, refuses it.
	if _, ok := tokenHash("s2", a); ok {
		t.Error("another test's secret accepts the token")
	}
	if _, ok := tokenHash("", a); ok {
		t.Error("an ended test (no secret) accepts the token")
	}
}
