package main

import (
	"bytes"
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/safefs"
	"go.yaml.in/yaml/v3"
)

// prepared is an item's Markdown as submit sends it under compat: what
// the server cannot work out by itself, having neither the site nor the
// item's place in it, is written into the source.
type prepared struct {
	src      []byte
	inserted []content.Inserted   // where included files' text went
	added    int                  // front-matter lines added (slug:, lang:, date:)
	addedAt  int                  // the first added line's number
	warnings []content.Diagnostic // the site's warnings about links
}

// prepare writes, under compat, the slug, language and date the site
// gives s into its front matter (when it sets none), its links to other
// pages of the site as those pages' portal URLs, and the files its
// includes name in place of the includes, since the server keeps only
// an item's source and images. The fields go on lines of their
// own just above the closing ---, so only what follows moves down,
// which lines() takes back out of the server's diagnostics.
func prepare(ctx context.Context, s source, src []byte, compat string) prepared {
	p := prepared{src: src}
	if compat == "" {
		return p
	}
	opts := s.options(content.ParseOptions{Compat: compat})
	links := map[string]string{}
	if resolve := opts.ResolveLink; resolve != nil {
		opts.ResolveLink = func(dest string) (string, string) {
			u, problem := resolve(dest)
			if u != "" {
				links[dest] = u
			}
			return u, problem
		}
	}
	// Parsed here only for the site's view of it; the server's parse,
	// with the brand's settings, is the one that counts.
	opts.StoredAssets = true // images are checked by the server
	it, err := content.ParseFile(ctx, s.path, opts)
	if err == nil {
		for _, w := range it.Warnings {
			if strings.HasPrefix(w.Message, `link "`) {
				p.warnings = append(p.warnings, w)
			}
		}
	}
	if dir, err := safefs.OpenDir(filepath.Dir(s.path)); err == nil {
		p.src, p.inserted = content.InlineIncludes(p.src, dir, filepath.Base(s.path), opts)
		dir.Close()
	}
	p.src = rewriteLinks(p.src, links)
	if compat == content.CompatHugo {
		p.src = content.HugoHeaderAsYAML(p.src) // so the fields below can go in
	}
	var fields []field
	if opts.Slug != "" {
		fields = append(fields, field{"slug", opts.Slug})
	}
	if s.page != nil && s.page.Lang != "" {
		fields = append(fields, field{"lang", s.page.Lang})
	}
	if !opts.Date.IsZero() {
		fields = append(fields, field{"date", opts.Date.Format("2006-01-02")})
	}
	if s.page != nil {
		// What a section's cascade hands the page, which the server,
		// without the site, cannot know.
		for _, k := range slices.Sorted(maps.Keys(s.page.Cascade)) {
			fields = append(fields, field{k, s.page.Cascade[k]})
		}
	}
	p.src, p.added, p.addedAt = addFields(p.src, fields)
	return p
}

type field struct {
	key   string
	value any
}

// rewriteLinks replaces each link destination in links, written as an
// inline link ](dest) or ](dest "title"), or a reference definition
// ]: dest.
func rewriteLinks(src []byte, links map[string]string) []byte {
	for dest, u := range links {
		for _, f := range []string{"](%s)", "](%s ", "](<%s>)", "]: %s\n", "]: %s "} {
			from, to := strings.Replace(f, "%s", dest, 1), strings.Replace(f, "%s", u, 1)
			src = bytes.ReplaceAll(src, []byte(from), []byte(to))
		}
	}
	return src
}

// addFields adds to src's front matter each field it does not set, on
// lines of their own just above the closing ---. It returns how many
// lines it added, and the first one's number.
func addFields(src []byte, fields []field) ([]byte, int, int) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(fields) == 0 || len(lines) < 2 || strings.TrimRight(string(lines[0]), " \t\r\n") != "---" {
		return src, 0, 0
	}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimRight(string(lines[i]), " \t\r\n")
		for j := 0; j < len(fields); j++ {
			if strings.HasPrefix(l, fields[j].key+":") {
				fields = append(fields[:j], fields[j+1:]...)
				j--
			}
		}
		if l != "---" && l != "..." {
			continue
		}
		var add []byte
		for _, f := range fields {
			v, err := yaml.Marshal(map[string]any{f.key: f.value})
			if err != nil {
				return src, 0, 0
			}
			add = append(add, v...)
		}
		out := bytes.Join(lines[:i], nil)
		out = append(out, add...)
		out = append(out, bytes.Join(lines[i:], nil)...)
		return out, bytes.Count(add, []byte("\n")), i + 1
	}
	return src, 0, 0
}

// lines takes the added lines back out of diagnostics' positions: one
// on an added front-matter line is placed on the opening ---, one in an
// included file's text on the include's line.
func (p prepared) lines(ds []content.Diagnostic) {
	for i := range ds {
		d := &ds[i]
		switch {
		case p.added == 0 || d.Line < p.addedAt:
		case d.Line < p.addedAt+p.added:
			d.Line, d.Col = 1, 1
			continue
		default:
			d.Line -= p.added
		}
		shift := 0
		placed := false
		for _, in := range p.inserted {
			start := in.Line + shift
			if d.Line <= start {
				break
			}
			if d.Line <= start+in.Lines {
				d.Line, placed = in.Line, true
				break
			}
			shift += in.Lines
		}
		if !placed {
			d.Line -= shift
		}
	}
}
