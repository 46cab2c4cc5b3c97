package content

import (
	"strings"
	"testing"
	"time"
)

func TestParseOffset(t *testing.T) {
	good := map[string]time.Duration{
		"+2d": 48 * time.Hour, "2d": 48 * time.Hour, "+36h": 36 * time.Hour, "+1w": 7 * 24 * time.Hour,
		"+1d12h": 36 * time.Hour, "+90m": 90 * time.Minute, " +52w ": 52 * 7 * 24 * time.Hour,
	}
	for in, want := range good {
		if got, err := ParseOffset(in); err != nil || got != want {
			t.Errorf("ParseOffset(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "+", "0d", "+0h", "-2d", "2", "d", "2x", "+2d-1h", "+367d", "+53w", "9999999d", "+1.5d", "2 d", strings.Repeat("1m", 40)} {
		if got, err := ParseOffset(in); err == nil {
			t.Errorf("ParseOffset(%q) = %v, want an error", in, got)
		}
	}
	for _, d := range []time.Duration{48 * time.Hour, 36 * time.Hour, 90 * time.Minute, 9 * 24 * time.Hour} {
		if got, err := ParseOffset(Offset{d}.String()); err != nil || got != d {
			t.Errorf("%v → %q → %v, %v", d, Offset{d}.String(), got, err)
		}
	}
}

func FuzzParseOffset(f *testing.F) {
	for _, s := range []string{"+2d", "1w2d3h4m", "+", "-1d", "999999w", "0m", "+1d+1d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseOffset(s)
		if err != nil {
			return
		}
		if d <= 0 || d > MaxReshareOffset {
			t.Fatalf("ParseOffset(%q) = %v, out of bounds", s, d)
		}
		if back, err := ParseOffset(Offset{d}.String()); err != nil || back != d {
			t.Fatalf("%q → %v → %q → %v, %v", s, d, Offset{d}.String(), back, err)
		}
	})
}

func TestSocialVariantErrors(t *testing.T) {
	src := `---
title: Test
social:
  variants:
    - id: b
      text: Copy B
      netwroks: [mastodon]
    - id: c
      mastodon: copy c
      networks: [mastodn]
    - id: b
    - id: Original
      text: x
    - id: original
      text: x
  reshare: [+2d, +1d, soon]
---
Body.
`
	_, err := parseString(t, src, nil, ParseOptions{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"post.md:7:7: social.variants.netwroks: unknown field, did you mean `networks`?",
		`post.md:9:7: social.variants.1.mastodon: variant "c" has mastodon text but its networks leave mastodon out`,
		`post.md:10:18: social.variants.1.networks.0: "mastodn" is not a network`, `did you mean "mastodon"?`,
		`post.md:11:7: social.variants.2.id: variant "b" appears twice`,
		`post.md:11:7: social.variants.2: variant "b" has no copy`,
		`social.variants.3.id: variant id "Original" must be lower-case`,
		`social.variants.4.id: "original" names the item's own social copy`,
		`post.md:16:18: social.reshare.1: re-shares go in order`,
		`social.reshare: must be a delay after publishing like +2d`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}

	many := "---\ntitle: x\nsocial:\n  reshare: [" + strings.TrimSuffix(strings.Repeat("+1d, ", 11), ", ") + "]\n  variants:\n" + strings.Repeat("    - {id: a, text: t}\n", 11) + "---\n"
	_, err = parseString(t, many, nil, ParseOptions{})
	for _, want := range []string{"social.reshare: has 11 re-shares; the limit is 10", "social.variants: has 11 variants; the limit is 10"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q: %v", want, err)
		}
	}
	long := "---\ntitle: x\nsocial:\n  variants:\n    - id: a\n      text: " + strings.Repeat("w", MaxSocialBytes+1) + "\n---\n"
	if _, err = parseString(t, long, nil, ParseOptions{}); err == nil || !strings.Contains(err.Error(), "social.variants.0.text: is ") {
		t.Errorf("an overlong variant: %v", err)
	}
}

func TestLedgerVariant(t *testing.T) {
	for _, s := range []SocialShare{{Copy: ""}, {Copy: "b"}, {Copy: "", Reshare: 1}, {Copy: "b", Reshare: 3}} {
		c, n := ParseLedgerVariant(s.LedgerVariant())
		if c != s.Copy || n != s.Reshare {
			t.Errorf("%+v → %q → %q, %d", s, s.LedgerVariant(), c, n)
		}
	}
	if v := (SocialShare{Reshare: 2}).LedgerVariant(); v != "original@2" {
		t.Errorf("the item's own copy re-shared: %q", v)
	}
}
