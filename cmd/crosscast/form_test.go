package main

import (
	"strings"
	"testing"
)

// crosscast form prints the portal's sign-up form for the brand's own
// site: posting to the server's /s/<brand>, with every field the sign-up
// handler reads, in the brand's language and colours.
func TestFormSnippet(t *testing.T) {
	t.Setenv(envPublicURL, "")
	code, out, stderr := run(t, "form", "--brand", "tulpwerk", "--brands", "../../examples", "--url", "https://news.tulpwerk.example/")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		`<style>`, `.cc-signup{`, `#b93d0a`, // the brand's primary colour
		`<form class="cc-signup" method="post" action="https://news.tulpwerk.example/s/tulpwerk" lang="nl"`,
		`<label class="cc-signup__label" for="cc-signup-address">E-mailadres</label>`,
		`name="address" required`, `<option value="nl" lang="nl" selected>Nederlands</option>`,
		`name="website" tabindex="-1"`, `name="form" value="crosscast form snippet v1"`,
		`<button type="submit">`, `</form>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the snippet lacks %s:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "form", "--brand", "kestrel", "--brands", "../../examples", "--url", "https://news.kestrel.example", "--lang", "de")
	if code != exitOK || !strings.Contains(out, `lang="de"`) || !strings.Contains(out, "E-Mail-Adresse") {
		t.Errorf("--lang de: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"form", "--brands", "../../examples", "--url", "https://x.example"}, exitUsage, "--brand is required"},
		{[]string{"form", "--brand", "kestrel", "--brands", "../../examples"}, exitUsage, "CROSSCAST_PUBLIC_URL"},
		{[]string{"form", "--brand", "kestrel", "--brands", "../../examples", "--url", "news.example"}, exitUsage, "absolute https://"},
		{[]string{"form", "--brand", "nope", "--brands", "../../examples", "--url", "https://x.example"}, exitError, `no brand "nope"`},
	} {
		code, out, stderr := run(t, c.args...)
		if code != c.code || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("crosscast %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, stderr, c.code, c.want)
		}
	}
}
