package content

import (
	"bytes"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
)

// normaliseSlug turns, under compat, a slug Hugo or Jekyll accept but
// crosscast does not (capitals, underscores, dots) into a crosscast slug
// with a warning: the site's URLs are the author's, so rejecting them
// would reject most real sites.
func normaliseSlug(it *Item, written bool, warn func(field, format string, args ...any)) {
	s := Slugify(it.Slug)
	if written {
		warn("slug", "%q is not a crosscast slug (a-z, 0-9 and single dashes); it was normalised to %q", it.Slug, s)
	} else {
		warn("", "the file name gives the slug %q, which is not a crosscast slug (a-z, 0-9 and single dashes); it was normalised to %q", it.Slug, s)
	}
	it.Slug = s
}

// resolveLinks asks resolve about every scheme-less link of the body,
// replacing the destinations it maps and warning, at the link, about
// those it reports a problem with.
func resolveLinks(d *diags, it *Item, resolve func(string) (string, string)) {
	if resolve == nil || it.Doc == nil {
		return
	}
	_ = ast.Walk(it.Doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		l, ok := n.(*ast.Link)
		if !ok || !entering || !siteLink(string(l.Destination)) {
			return ast.WalkContinue, nil
		}
		dest := string(l.Destination)
		u, problem := resolve(dest)
		if u != "" {
			l.Destination = []byte(u)
		}
		if problem != "" {
			line, col := linkPos(l, it.Body)
			d.warnf(it.BodyLine+line-1, col, "", "link %q %s", dest, problem)
		}
		return ast.WalkContinue, nil
	})
}

// siteLink reports whether dest is a link into the site: no scheme, not
// protocol-relative, not only a #fragment or ?query.
func siteLink(dest string) bool {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "?") || strings.HasPrefix(dest, "//") {
		return false
	}
	u, err := url.Parse(dest)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// linkPos is the body line and column of a link's opening bracket: just
// before its first text, else the start of its block.
func linkPos(l *ast.Link, src []byte) (int, int) {
	for c := l.FirstChild(); c != nil; c = c.FirstChild() {
		if t, ok := c.(*ast.Text); ok && t.Segment.Start > 0 && t.Segment.Start <= len(src) {
			start := t.Segment.Start - 1
			line := bytes.Count(src[:start], []byte{'\n'}) + 1
			col := start - bytes.LastIndexByte(src[:start], '\n')
			return line, col
		}
	}
	return lineOf(l, src), 1
}

// Resolver is ParseOptions.ResolveLink for page p of the site: a link
// names a page by its file, relative to p's file ("g", "../other.md",
// "/docs/setup/"), or by its URL in the generator's site, relative to
// p's URL there ("../other/"); it becomes that page's portal path. A
// relative link naming nothing, or a page that is not rendered, is a
// problem; a site path naming nothing may be a file of the brand's site
// and is left alone.
func (s *Site) Resolver(p *SitePage) func(string) (string, string) {
	return func(dest string) (string, string) {
		rest := ""
		if i := strings.IndexAny(dest, "?#"); i >= 0 {
			dest, rest = dest[:i], dest[i:]
		}
		if u, err := url.PathUnescape(dest); err == nil {
			dest = u
		}
		if dest == "" {
			return "", ""
		}
		t := s.find(p, dest)
		switch {
		case t == nil && strings.HasPrefix(dest, "/"):
			return "", ""
		case t == nil:
			return "", "points at no page of the site; it is left as written"
		case t.Skip != "":
			return "", "points at " + t.File + ", which is not rendered: " + t.Skip
		case t.Err != nil:
			return "", "points at " + t.File + ", which is not rendered: its URL clashes with another page's"
		}
		return t.Portal + rest, ""
	}
}

// find looks up the page dest names from p, by file, then by URL.
func (s *Site) find(p *SitePage, dest string) *SitePage {
	dir := path.Dir(p.File)
	bases := []string{dir}
	if st := stem(path.Base(p.File)); st == "index" || st == "_index" {
		// From a bundle, a sibling page is one folder up.
		bases = append(bases, path.Dir(dir))
	}
	if strings.HasPrefix(dest, "/") {
		bases = []string{"."}
	}
	for _, b := range bases {
		c := path.Clean(path.Join(b, strings.TrimPrefix(dest, "/")))
		if c == ".." || strings.HasPrefix(c, "../") {
			continue
		}
		c = strings.TrimSuffix(c, ".html")
		tries := []string{c, c + ".md", c + ".markdown", path.Join(c, "index.md"), path.Join(c, "_index.md")}
		if p.Lang != "" {
			// A translation links to the page in its own language first.
			tries = append([]string{c + "." + p.Lang + ".md", path.Join(c, "index."+p.Lang+".md")}, tries...)
		}
		for _, try := range tries {
			if t := s.byFile[try]; t != nil {
				return t
			}
		}
	}
	base, err := url.Parse("http://site" + p.SiteURL)
	ref, err2 := url.Parse(dest)
	if err != nil || err2 != nil {
		return nil
	}
	return s.byURL[urlKey(base.ResolveReference(ref).Path)]
}

// urlKey is a site path as compared: /Docs/Setup/, /docs/setup and
// /docs/setup.html are one page.
func urlKey(u string) string {
	u = strings.ToLower(strings.Trim(u, "/"))
	u = strings.TrimSuffix(u, ".html")
	u = strings.TrimSuffix(u, "/index")
	if u == "index" {
		u = ""
	}
	return u
}

// Front matter as peeked is read case-insensitively, as Hugo reads it.

func fmString(fm map[string]any, key string) string {
	s, _ := lookupFold(fm, key).(string)
	return strings.TrimSpace(s)
}

func fmBool(fm map[string]any, key string) bool {
	v := lookupFold(fm, key)
	return v == true || v == "true"
}

func fmMap(fm map[string]any, key string) map[string]any { return asMap(lookupFold(fm, key)) }

func fmLookup(fm map[string]any, key string) any { return lookupFold(fm, key) }

func fmTime(fm map[string]any, key string) (time.Time, bool) {
	switch v := lookupFold(fm, key).(type) {
	case time.Time:
		return v, true
	case string:
		var t Time
		if t.decodeScalar(v, "") == nil {
			return t.Time, true
		}
	}
	return time.Time{}, false
}
