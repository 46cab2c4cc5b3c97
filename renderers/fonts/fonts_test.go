package fonts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
)

func TestFamilies(t *testing.T) {
	got := Families(` Georgia , "Times  New Roman", 'Noto Serif',serif,`)
	want := []string{"georgia", "times new roman", "noto serif", "serif"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("family %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// Bundled only, the result is the same on every machine: generic
// families pick the bundled serif, mono or sans.
func TestMatchBundled(t *testing.T) {
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		stack string
		bold  bool
		want  string
	}{
		{`Georgia, "Times New Roman", serif`, true, "Liberation Serif Bold"},
		{`Georgia, serif`, false, "Liberation Serif Regular"},
		{`"Helvetica Neue", Arial, sans-serif`, true, "Go Bold"},
		{`ui-monospace, Menlo, monospace`, false, "Go Mono"},
		{`"Liberation Serif"`, false, "Liberation Serif Regular"},
		{`Papyrus`, false, "Go Regular"}, // nothing matches: the bundled sans
		{``, true, "Go Bold"},
	} {
		if got := l.Match(tt.stack, tt.bold); got.Name != tt.want || got.Source != "bundled" {
			t.Errorf("Match(%q, %v) = %s (%s), want %s", tt.stack, tt.bold, got.Name, got.Source, tt.want)
		}
	}
}

// Installed fonts are found by their family name or a metric-compatible
// alias, in the weight asked for; a folder the scan cannot read is left
// out.
func TestMatchInstalled(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "truetype", "serif")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"} {
		data, err := bundled.ReadFile("bundled/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(sub, "broken.ttf"), []byte("not a font"), 0o644)
	l, err := New(dir, filepath.Join(dir, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		stack string
		bold  bool
		want  string
	}{
		{`Georgia, "Times New Roman", serif`, true, "Liberation Serif Bold"},
		{`"liberation serif", sans-serif`, false, "Liberation Serif Regular"},
		{`Times`, false, "Liberation Serif Regular"},
	} {
		got := l.Match(tt.stack, tt.bold)
		if got.Name != tt.want || got.Source != "system" || filepath.Dir(got.Path) != sub {
			t.Errorf("Match(%q, %v) = %s (%s %s), want the installed %s", tt.stack, tt.bold, got.Name, got.Source, got.Path, tt.want)
		}
	}
	// A generic family before a named one wins: the stack says sans.
	if got := l.Match(`sans-serif, "Times New Roman"`, false); got.Name != "Go Regular" {
		t.Errorf("sans-serif first: %s", got.Name)
	}
}

// On a machine with the usual Debian fonts, Arial finds Liberation Sans
// and DejaVu Serif is found by name.
func TestMatchMachine(t *testing.T) {
	l, err := New(StandardDirs()...)
	if err != nil {
		t.Fatal(err)
	}
	for stack, want := range map[string]string{
		`Arial, sans-serif`:     "Liberation Sans Bold",
		`"DejaVu Serif", serif`: "DejaVu Serif Bold",
	} {
		got := l.Match(stack, true)
		if got.Source != "system" {
			t.Logf("%s: not installed here (got the bundled %s)", stack, got.Name)
			continue
		}
		if got.Name != want {
			t.Errorf("Match(%q) = %s, want %s", stack, got.Name, want)
		}
	}
}

// Every bundled font has the ASCII hyphen-minus, so a title's "-" never
// falls back to a "missing" box. (Go's fonts lack U+2010 and U+2011: the
// card renderer sets those as "-".)
func TestBundledHyphen(t *testing.T) {
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, f := range []*Font{l.goRegular, l.goBold, l.goMono, l.goMonoBold, l.serif, l.serifBold} {
		if g, err := f.GlyphIndex(&buf, '-'); err != nil || g == 0 {
			t.Errorf("%s has no glyph for '-'", f.Name)
		}
	}
}

// FuzzMatch: any font-family value from a brand kit finds a font, and
// Families gives names without quotes or surrounding space.
func FuzzMatch(f *testing.F) {
	f.Add(`Georgia, "Times New Roman", serif`, true)
	f.Add(`'Noto Sans',,  ,"unclosed`, false)
	l, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, stack string, bold bool) {
		if l.Match(stack, bold) == nil {
			t.Fatalf("no font for %q", stack)
		}
		for _, fam := range Families(stack) {
			if fam == "" || strings.TrimSpace(fam) != fam {
				t.Errorf("family %q from %q", fam, stack)
			}
		}
	})
}
