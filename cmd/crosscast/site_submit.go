package main

import (
	"bytes"
	"context"
	"strings"

	"github.com/crosscast/crosscast/content"
	"go.yaml.in/yaml/v3"
)

// prepared is an item's Markdown as submit sends it under compat: what
// the server cannot work out by itself, having neither the site nor the
// item's place in it, is written into the source.
type prepared struct {
	src      []byte
	slugLine int                  // the line a slug: was added on, 0 if none
	warnings []content.Diagnostic // the site's warnings about links
}

// prepare writes, under compat, the slug the site gives s into its
// front matter (when it sets none) and its links to other pages of the
// site as those pages' portal URLs. The slug goes on a line of its own
// just above the closing ---, so only what follows moves down a line,
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
	p.src = rewriteLinks(p.src, links)
	if opts.Slug != "" {
		p.src, p.slugLine = addSlug(p.src, opts.Slug)
	}
	return p
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

// addSlug adds slug: to src's front matter unless it has one, and
// returns the line it went on.
func addSlug(src []byte, slug string) ([]byte, int) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines) < 2 || strings.TrimRight(string(lines[0]), " \t\r\n") != "---" {
		return src, 0
	}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimRight(string(lines[i]), " \t\r\n")
		if strings.HasPrefix(l, "slug:") {
			return src, 0
		}
		if l == "---" || l == "..." {
			v, err := yaml.Marshal(map[string]string{"slug": slug})
			if err != nil {
				return src, 0
			}
			out := bytes.Join(lines[:i], nil)
			out = append(out, v...)
			out = append(out, bytes.Join(lines[i:], nil)...)
			return out, i + 1
		}
	}
	return src, 0
}

// lines takes the added slug line back out of a diagnostic's position.
func (p prepared) lines(ds []content.Diagnostic) {
	for i := range ds {
		switch d := &ds[i]; {
		case p.slugLine == 0 || d.Line < p.slugLine:
		case d.Line == p.slugLine:
			d.Line, d.Col = 1, 1
		default:
			d.Line--
		}
	}
}
