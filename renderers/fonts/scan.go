package fonts

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"

	"github.com/crosscast/crosscast/content"
)

// Bounds of the scan: a machine with a huge font collection (or a
// symlink loop) costs a bounded amount of work once per process.
const (
	maxScanEntries = 20_000
	maxScanDepth   = 8
)

// StandardDirs are the folders Linux and BSD systems install fonts in,
// the system's and the user's.
func StandardDirs() []string {
	dirs := []string{"/usr/share/fonts", "/usr/local/share/fonts"}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		dirs = append(dirs, filepath.Join(d, "fonts"))
	} else if h, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, ".local", "share", "fonts"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, ".fonts"))
	}
	return dirs
}

// face is one installed font file as the scan found it.
type face struct {
	path         string
	name         string // family and style, for messages
	bold, italic bool
	style        string // lower-case subfamily ("regular", "bold", "condensed bold")
}

// scan indexes the fonts under l.dirs by family, reading only each
// file's table directory and names.
func (l *Library) scan() {
	l.index = map[string][]face{}
	seen := 0
	for _, dir := range l.dirs {
		root := filepath.Clean(dir)
		depth0 := strings.Count(root, string(filepath.Separator))
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // an unreadable folder is left out, not fatal
			}
			if seen++; seen > maxScanEntries {
				return fs.SkipAll
			}
			if d.IsDir() {
				if strings.Count(p, string(filepath.Separator))-depth0 >= maxScanDepth {
					return fs.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".ttf" && ext != ".otf" || !d.Type().IsRegular() {
				return nil
			}
			if fc, fam, ok := readFace(p); ok {
				l.index[fam] = append(l.index[fam], fc)
			}
			return nil
		})
	}
}

// readFace reads a font file's family and style.
func readFace(p string) (face, string, bool) {
	f, err := os.Open(p)
	if err != nil {
		return face{}, "", false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() > content.MaxFontBytes {
		return face{}, "", false
	}
	fnt, err := sfnt.ParseReaderAt(f)
	if err != nil {
		return face{}, "", false
	}
	var buf sfnt.Buffer
	name := func(ids ...sfnt.NameID) string {
		for _, id := range ids {
			if s, err := fnt.Name(&buf, id); err == nil && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	fam := name(sfnt.NameIDTypographicFamily, sfnt.NameIDFamily)
	style := name(sfnt.NameIDTypographicSubfamily, sfnt.NameIDSubfamily)
	if fam == "" {
		return face{}, "", false
	}
	ls := strings.ToLower(style)
	return face{
		path: p, name: fam + " " + style, style: ls,
		bold:   strings.Contains(ls, "bold") || strings.Contains(ls, "black") || strings.Contains(ls, "heavy"),
		italic: strings.Contains(ls, "italic") || strings.Contains(ls, "oblique"),
	}, strings.ToLower(fam), true
}

// installed returns the installed font of family fam (lower case) in
// the weight asked for, or nil. An upright face is preferred, and of
// those the plain one ("Regular", "Bold") over "Condensed Bold" or
// "ExtraLight".
func (l *Library) installed(fam string, bold bool) *Font {
	if len(l.dirs) == 0 {
		return nil
	}
	l.scanOnce.Do(l.scan)
	best, bestScore := face{}, -1
	for _, fc := range l.index[fam] {
		score := 0
		if !fc.italic {
			score += 4
		}
		if fc.bold == bold {
			score += 2
		}
		if plain := []string{"regular", "book", "roman", "normal"}; bold && fc.style == "bold" || !bold && slices.Contains(plain, fc.style) {
			score++
		}
		if score > bestScore {
			best, bestScore = fc, score
		}
	}
	if bestScore < 0 {
		return nil
	}
	f, err := l.load(best)
	if err != nil {
		return nil
	}
	return f
}

// load reads and checks an installed font once. A file that fails
// content.CheckFont's bounds is not used, like a brand's own font.
func (l *Library) load(fc face) (*Font, error) {
	if v, ok := l.loaded.Load(fc.path); ok {
		if err, bad := v.(error); bad {
			return nil, err
		}
		return v.(*Font), nil
	}
	f, err := func() (*Font, error) {
		st, err := os.Stat(fc.path)
		if err != nil {
			return nil, err
		}
		if st.Size() > content.MaxFontBytes {
			return nil, errors.New("font file too large")
		}
		data, err := os.ReadFile(fc.path)
		if err != nil {
			return nil, err
		}
		if err := content.CheckFont(data); err != nil {
			return nil, err
		}
		fnt, err := opentype.Parse(data)
		if err != nil {
			return nil, err
		}
		return &Font{Font: fnt, Name: fc.name, Source: "system", Path: fc.path}, nil
	}()
	if err != nil {
		l.loaded.Store(fc.path, err)
		return nil, err
	}
	l.loaded.Store(fc.path, f)
	return f, nil
}
