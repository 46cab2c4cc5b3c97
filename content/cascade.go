package content

import (
	"cmp"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// cascadeEntry is one cascade block of a Hugo section's _index.md: the
// front matter values it hands down and the pages it hands them to.
type cascadeEntry struct {
	values map[string]any
	path   *regexp.Regexp // nil: every page below the section
	kind   string         // "", "page" or "section" (only pages are rendered)
	lang   string         // _target's language, or ""
	// section is the language of the _index file it comes from: Hugo
	// keeps a section tree per language, and a cascade never leaves its
	// own, whatever its _target says (checked with Hugo 0.111.3).
	section string
}

// parseCascade reads the cascade of a section's front matter: a mapping,
// or a list of them, each with an optional _target (Hugo 0.111's name;
// later versions call it target) of path glob, kind and lang.
func parseCascade(fm map[string]any) []cascadeEntry {
	var blocks []map[string]any
	switch v := fmLookup(fm, "cascade").(type) {
	case map[string]any:
		blocks = []map[string]any{v}
	case []any:
		for _, b := range v {
			if m := asMap(b); m != nil {
				blocks = append(blocks, m)
			}
		}
	}
	var out []cascadeEntry
	for _, b := range blocks {
		e := cascadeEntry{values: map[string]any{}}
		for k, v := range b {
			if k == "_target" || k == "target" {
				t := asMap(v)
				e.kind = strings.ToLower(fmString(t, "kind"))
				e.lang = fmString(t, "lang")
				if g := fmString(t, "path"); g != "" {
					e.path = globRE(g)
				}
				continue
			}
			e.values[k] = v
		}
		out = append(out, e)
	}
	return out
}

// globRE compiles a Hugo target path glob: ** is any run of folders, *
// any run within one, ? one character.
func globRE(g string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		switch c := g[i]; {
		case c == '*' && i+1 < len(g) && g[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile(`^\b$`) // matches nothing
	}
	return re
}

// applies says whether e reaches the page of file (its path in the site
// without extension, as Hugo matches it: /posts/first-light) in lang.
func (e cascadeEntry) applies(file, lang, defaultLang string) bool {
	if e.kind != "" && e.kind != "page" {
		return false
	}
	l := lang
	if l == "" {
		l = defaultLang
	}
	if l != e.section || e.lang != "" && e.lang != l {
		return false
	}
	if e.path != nil {
		p := "/" + stem(file)
		p = strings.TrimSuffix(p, "/index")
		if base, _ := hugoLang(path.Base(p)); base != path.Base(p) {
			p = path.Join(path.Dir(p), base)
		}
		if !e.path.MatchString(p) {
			return false
		}
	}
	return true
}

// withCascade returns fm with the values of the cascades (outermost
// section first) that reach the page and that fm does not set itself:
// the page's own value wins, then the nearest section's.
func withCascade(fm map[string]any, cascades [][]cascadeEntry, file, lang, defaultLang string) (merged, inherited map[string]any) {
	inherited = map[string]any{}
	for i := len(cascades) - 1; i >= 0; i-- {
		for _, e := range cascades[i] {
			if !e.applies(file, lang, defaultLang) {
				continue
			}
			for k, v := range e.values {
				if _, set := inherited[k]; !set && lookupFold(fm, k) == nil {
					inherited[k] = v
				}
			}
		}
	}
	if len(inherited) == 0 {
		return fm, nil
	}
	merged = make(map[string]any, len(fm)+len(inherited))
	for k, v := range fm {
		merged[k] = v
	}
	for k, v := range inherited {
		merged[k] = v
	}
	return merged, inherited
}

// addCascade puts into root, a page's front matter, the fields a section
// cascade gives it that it does not set itself. They have no place in
// the page's file, so problems with them point at its first line.
func addCascade(root *yaml.Node, cascade map[string]any) {
	have := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		have[strings.ToLower(root.Content[i].Value)] = true
	}
	for _, k := range sortedKeys(cascade) {
		if have[strings.ToLower(k)] {
			continue
		}
		var v yaml.Node
		if v.Encode(cascade[k]) != nil {
			continue
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, &v)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sectionCascade adds to cascades those of the _index files of the
// section folder dir holds: _index.md's for the site's default language,
// _index.<lang>.md's for that language, as Hugo keeps a section per
// language.
func (s *Site) sectionCascade(dir string, entries []fs.DirEntry, cascades [][]cascadeEntry) [][]cascadeEntry {
	var mine []cascadeEntry
	for _, e := range entries {
		base, lang := hugoLang(e.Name())
		if e.IsDir() || base != "_index" || !isMarkdown(e.Name()) {
			continue
		}
		if lang == "" {
			lang = cmp.Or(s.dirLang, s.opts.DefaultLang)
		}
		for _, c := range parseCascade(s.peek(path.Join(dir, e.Name()))) {
			c.section = lang
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		return cascades
	}
	return append(slices.Clip(cascades), mine)
}
