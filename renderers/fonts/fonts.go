// Package fonts finds the font a brand's CSS font stack names, for
// channels that draw text into images (share cards, raster logos). It
// looks first among the fonts installed on the machine, found by
// scanning the standard font folders (no fontconfig), and else among
// the fonts it bundles, matched by generic family: a serif brand gets a
// serif (Liberation Serif, SIL OFL 1.1), any other gets the Go fonts.
package fonts

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

//go:embed bundled/*.ttf
var bundled embed.FS

// Font is a parsed font and where it came from.
type Font struct {
	*opentype.Font
	// Name is the family and style ("Liberation Serif Bold"), Source
	// "system" (a file on the machine, Path) or "bundled".
	Name, Source, Path string
}

// Library finds fonts. Create it with New; it is safe for concurrent
// use. The machine's font folders are scanned once, when a stack first
// names a family that is not bundled.
type Library struct {
	dirs []string

	goRegular, goBold, goMono, goMonoBold, serif, serifBold *Font

	scanOnce sync.Once
	index    map[string][]face // lower-case family → its faces
	loaded   sync.Map          // path → *Font or error
}

// New parses the bundled fonts; dirs are the folders searched for
// installed fonts (StandardDirs, or none for bundled fonts only, which
// makes the result the same on every machine).
func New(dirs ...string) (*Library, error) {
	l := &Library{dirs: dirs}
	for _, f := range []struct {
		dst  **Font
		name string
		data []byte
	}{
		{&l.goRegular, "Go Regular", goregular.TTF},
		{&l.goBold, "Go Bold", gobold.TTF},
		{&l.goMono, "Go Mono", gomono.TTF},
		{&l.goMonoBold, "Go Mono Bold", gomonobold.TTF},
		{&l.serif, "Liberation Serif Regular", mustRead("bundled/LiberationSerif-Regular.ttf")},
		{&l.serifBold, "Liberation Serif Bold", mustRead("bundled/LiberationSerif-Bold.ttf")},
	} {
		fnt, err := opentype.Parse(f.data)
		if err != nil {
			return nil, fmt.Errorf("fonts: %s: %w", f.name, err)
		}
		*f.dst = &Font{Font: fnt, Name: f.name, Source: "bundled"}
	}
	return l, nil
}

func mustRead(name string) []byte {
	b, err := bundled.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	return b
}

// Sans returns the bundled sans-serif (Go Regular or Go Bold), the
// fallback for characters a brand's font lacks.
func (l *Library) Sans(bold bool) *Font {
	if bold {
		return l.goBold
	}
	return l.goRegular
}

// Match returns the font for a CSS font-family stack, such as
// `Georgia, "Times New Roman", serif`: the first family in it that is
// installed (directly, or as a metric-compatible stand-in: Liberation
// Serif for Times New Roman, Liberation Sans for Arial), else the
// bundled font of the first generic family it names, else the bundled
// sans. bold picks the bold face where the family has one.
func (l *Library) Match(stack string, bold bool) *Font {
	for _, fam := range Families(stack) {
		if f := l.generic(fam, bold); f != nil {
			return f
		}
		for _, name := range append([]string{fam}, aliases[fam]...) {
			if f := l.installed(name, bold); f != nil {
				return f
			}
			if f := l.bundledFamily(name, bold); f != nil {
				return f
			}
		}
	}
	return l.Sans(bold)
}

// generic is the bundled font for a CSS generic family, nil for any
// other name.
func (l *Library) generic(fam string, bold bool) *Font {
	switch fam {
	case "serif", "ui-serif":
		if bold {
			return l.serifBold
		}
		return l.serif
	case "monospace", "ui-monospace":
		if bold {
			return l.goMonoBold
		}
		return l.goMono
	case "sans-serif", "system-ui", "ui-sans-serif", "-apple-system", "blinkmacsystemfont", "ui-rounded":
		return l.Sans(bold)
	}
	return nil
}

// bundledFamily finds a bundled font by its own family name, for a
// machine that does not have it installed.
func (l *Library) bundledFamily(fam string, bold bool) *Font {
	switch fam {
	case "liberation serif":
		return l.generic("serif", bold)
	case "go", "go regular":
		return l.Sans(bold)
	case "go mono":
		return l.generic("monospace", bold)
	}
	return nil
}

// aliases are the metric-compatible open families that stand in for
// common proprietary ones, as fontconfig's metric aliases do.
var aliases = map[string][]string{
	"arial":           {"liberation sans", "arimo"},
	"helvetica":       {"liberation sans", "arimo", "nimbus sans"},
	"times new roman": {"liberation serif", "tinos"},
	"times":           {"liberation serif", "tinos", "nimbus roman"},
	"courier new":     {"liberation mono", "cousine"},
	"courier":         {"liberation mono", "cousine", "nimbus mono ps"},
	"georgia":         {"gelasio"},
	"calibri":         {"carlito"},
	"cambria":         {"caladea"},
}

// Families splits a CSS font-family value into lower-case family
// names, quotes removed.
func Families(stack string) []string {
	var out []string
	for _, part := range strings.Split(stack, ",") {
		name := strings.TrimSpace(part)
		name = strings.Trim(name, `"'`)
		name = strings.ToLower(strings.Join(strings.Fields(name), " "))
		if name != "" {
			out = append(out, name)
		}
	}
	return out
}
