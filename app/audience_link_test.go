package app

import (
	"strconv"
	"strings"
	"testing"
)

func FuzzParseConfirmLink(f *testing.F) {
	for _, s := range []string{"tok.1750000000000000.1750600000.mac", "a.b.c.d", "...", "tok.-1.2.m", "tok.1.2.m.extra", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, ok := parseConfirmLink(s)
		if !ok {
			return
		}
		// What parses is what the service signs: the same four fields.
		if l.sent <= 0 || l.exp <= 0 || l.token == "" || l.mac == "" || strings.Contains(l.token, ".") {
			t.Fatalf("%q → %+v", s, l)
		}
		if l.payload != l.token+"."+strconv.FormatInt(l.sent, 10)+"."+strconv.FormatInt(l.exp, 10) && !strings.HasPrefix(s, l.payload) {
			t.Fatalf("%q → payload %q", s, l.payload)
		}
	})
}
