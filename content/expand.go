package content

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/crosscast/crosscast/content/shortcode"
	"github.com/crosscast/crosscast/internal/safefs"
	"go.yaml.in/yaml/v3"
)

// What to do with a shortcode or Liquid tag crosscast does not know,
// set by the brand's compat_shortcodes. Raw template calls are never
// published unless the brand asks for it with keep.
const (
	ShortcodesStrip = "strip" // drop the tags, keep the inner content, warn (the default)
	ShortcodesError = "error" // reject the item
	ShortcodesKeep  = "keep"  // publish the call as written
)

// Bounds on what expansion may pull in: an include is a file of the site
// (a snippet, a headless bundle's page), not a way to inline a book.
const (
	MaxIncludeBytes = 256 << 10
	MaxIncludes     = 100
	maxIncludeDepth = 4
)

// expander turns the template calls of one body into Markdown, keeping
// for every output line the body line it came from, so diagnostics
// found later still point at what the writer wrote.
type expander struct {
	d        *diags
	bodyLine int
	mode     string
	policy   string
	params   map[string]any
	item     fs.FS // the item's own folder
	itemDir  string
	root     fs.FS // the site root, for includes; may be nil
	resolve  func(string) (string, string)
	limit    int

	out      strings.Builder
	lines    []int // lines[i]: the body line output line i+1 came from
	cur      int   // the body line of the output's last line
	includes int
	tooLarge bool
}

// expandCompat expands, under compat hugo or jekyll, the body's template
// calls into it.Body, and from then on places diagnostics on the lines
// the writer wrote. It returns the body to parse.
func expandCompat(d *diags, it *Item, fm []byte, opts ParseOptions, fsys fs.FS, name string) ([]byte, bool) {
	if opts.Compat != CompatHugo && opts.Compat != CompatJekyll {
		return it.Body, true
	}
	expanded, lines, ok := expandBody(d, it.Body, it.BodyLine, fm, opts, fsys, name)
	if !ok {
		return nil, false
	}
	it.Body = expanded
	d.remap = func(line int) int {
		if k := line - it.BodyLine; k >= 0 && k < len(lines) {
			return it.BodyLine + lines[k] - 1
		}
		return line
	}
	return expanded, true
}

// expandBody expands the shortcodes (compat hugo) or Liquid tags (compat
// jekyll) in body. It reports false when an error was recorded.
func expandBody(d *diags, body []byte, bodyLine int, fm []byte, opts ParseOptions, itemFS fs.FS, itemName string) ([]byte, []int, bool) {
	e := &expander{
		d: d, bodyLine: bodyLine, mode: opts.Compat, policy: opts.Shortcodes,
		item: itemFS, itemDir: path.Dir(itemName), root: opts.Root, resolve: opts.ResolveLink, limit: opts.limits().Body,
	}
	if e.policy == "" {
		e.policy = ShortcodesStrip
	}
	_ = yaml.Unmarshal(fm, &e.params) // already decoded once, so it reads
	nodes, ok := e.parse(string(body), 1)
	if !ok {
		return nil, nil, false
	}
	e.nodes(nodes, 1, 0)
	if e.tooLarge {
		d.errorf(bodyLine, 1, "", ETooLarge, "with its shortcodes and includes expanded the body is over %d bytes; the limit is %d (1 MiB)", e.limit, e.limit)
		return nil, nil, false
	}
	if len(d.errs) > 0 {
		return nil, nil, false
	}
	out := e.out.String()
	e.lines = append(e.lines, max(e.cur, 1))
	return []byte(out), e.lines, true
}

// parse reads src with the parser for the compat mode; line is the body
// line src starts on, for errors.
func (e *expander) parse(src string, line int) ([]shortcode.Node, bool) {
	var nodes []shortcode.Node
	var err error
	if e.mode == CompatJekyll {
		nodes, err = shortcode.ParseLiquid(src)
	} else {
		nodes, err = shortcode.ParseHugo(src)
	}
	if err != nil {
		if se, ok := err.(*shortcode.Error); ok {
			e.d.errorf(e.bodyLine+line+se.Pos.Line-2, se.Pos.Col, "", EInvalid, "%s", se.Msg)
		} else {
			e.d.errorf(e.bodyLine+line-1, 1, "", EInvalid, "%v", err)
		}
		return nil, false
	}
	return nodes, true
}

// write adds s, which came from body line line, to the output; with
// advance, each newline in s moves to the next body line (text copied as
// written), else all of s maps to line (text the expansion made).
func (e *expander) write(s string, line int, advance bool) {
	if e.tooLarge {
		return
	}
	if e.out.Len()+len(s) > e.limit {
		e.tooLarge = true
		return
	}
	for n := strings.Count(s, "\n"); n > 0; n-- {
		e.lines = append(e.lines, line)
		if advance {
			line++
		}
	}
	e.cur = line
	e.out.WriteString(s)
}

// block writes generated Markdown as blocks of its own, on blank lines.
func (e *expander) block(md string, line int) {
	e.write("\n\n"+strings.Trim(md, "\n")+"\n\n", line, false)
}

// nodes expands a list of nodes whose text starts on body line line and
// returns the line after them. depth counts includes.
func (e *expander) nodes(ns []shortcode.Node, line, depth int) int {
	for _, n := range ns {
		if e.tooLarge {
			return line
		}
		if n.Call == nil {
			e.write(n.Text, line, true)
			line += strings.Count(n.Text, "\n")
			continue
		}
		c := n.Call
		at := line // the call's own line
		if e.mode == CompatJekyll {
			e.liquid(c, at, depth)
		} else {
			e.hugo(c, at, depth)
		}
		line += strings.Count(c.Raw, "\n") + strings.Count(c.InnerText, "\n")
	}
	return line
}

// inner expands a paired call's content.
func (e *expander) inner(c *shortcode.Call, line, depth int) {
	e.nodes(c.Inner, line+strings.Count(c.Raw, "\n"), depth)
}

// unknown applies the brand's policy to a call crosscast cannot render.
func (e *expander) unknown(c *shortcode.Call, line, depth int, what string) {
	fileLine := e.bodyLine + line - 1
	switch e.policy {
	case ShortcodesError:
		e.d.errorf(fileLine, c.Pos.Col, "", EInvalid, "%s %s has no crosscast rendering (compat_shortcodes: error); remove it or set compat_shortcodes: strip in brand.yaml", what, c.Raw)
	case ShortcodesKeep:
		e.write(c.Raw, line, true)
		if c.Paired {
			e.write(c.InnerText, line+strings.Count(c.Raw, "\n"), true)
			e.write(closingTag(e.mode, c), line, false)
		}
	default:
		if c.Paired {
			e.d.warnf(fileLine, c.Pos.Col, "", "%s %s has no crosscast rendering: its tags were removed and its inner content kept", what, c.Raw)
			e.inner(c, line, depth)
		} else {
			e.d.warnf(fileLine, c.Pos.Col, "", "%s %s has no crosscast rendering and was removed", what, c.Raw)
		}
	}
}

func closingTag(mode string, c *shortcode.Call) string {
	switch {
	case mode == CompatJekyll:
		return "{% end" + c.Name + " %}"
	case c.Markdown:
		return "{{% /" + c.Name + " %}}"
	}
	return "{{< /" + c.Name + " >}}"
}

// include reads a file of the site for an include-style call: from the
// item's folder first, then from the site root. It reports false (with
// a warning placed at the call) when the file cannot be used.
func (e *expander) include(c *shortcode.Call, line int, name string, dirs ...string) (string, bool) {
	fileLine := e.bodyLine + line - 1
	if e.includes++; e.includes > MaxIncludes {
		e.d.errorf(fileLine, c.Pos.Col, "", ETooLarge, "more than %d includes in one item", MaxIncludes)
		return "", false
	}
	clean := strings.TrimPrefix(path.Clean("/"+name), "/")
	type place struct {
		fsys fs.FS
		name string
	}
	var places []place
	if e.item != nil {
		places = append(places, place{e.item, path.Join(e.itemDir, clean)})
	}
	if e.root != nil {
		for _, d := range dirs {
			places = append(places, place{e.root, path.Join(d, clean)})
		}
		places = append(places, place{e.root, clean})
	}
	for _, p := range places {
		if !fs.ValidPath(p.name) {
			continue
		}
		data, err := safefs.ReadFile(p.fsys, p.name, MaxIncludeBytes)
		switch {
		case err == nil:
			return strings.TrimPrefix(string(data), "\ufeff"), true
		case errors.As(err, new(*safefs.TooLargeError)):
			e.d.errorf(fileLine, c.Pos.Col, "", ETooLarge, "%s: %q is over %d bytes, the limit for an included file", c.Name, name, MaxIncludeBytes)
			return "", false
		}
	}
	e.d.warnf(fileLine, c.Pos.Col, "", "%s: %q was not found in the item's folder or the site; nothing was included", c.Name, name)
	return "", false
}

// stripFrontMatter drops an included page's own YAML or TOML header.
func stripFrontMatter(s string) string {
	fence := func(t string) bool { return t == "---" || t == "..." }
	switch {
	case strings.HasPrefix(s, "+++\n") || strings.HasPrefix(s, "+++\r\n"):
		fence = func(t string) bool { return t == "+++" }
	case !strings.HasPrefix(s, "---\n") && !strings.HasPrefix(s, "---\r\n"):
		return s
	}
	rest := s[strings.IndexByte(s, '\n')+1:]
	for off := 0; off < len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		l := rest[off:]
		if end >= 0 {
			l = rest[off : off+end]
		}
		if t := strings.TrimRight(l, " \t\r"); fence(t) {
			if end < 0 {
				return ""
			}
			return rest[off+end+1:]
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	return s
}

// param looks a dotted name up in the front matter, then under its
// params: mapping, the way Hugo's param shortcode reads page params.
func (e *expander) param(name string) (string, bool) {
	for _, m := range []map[string]any{e.params, asMap(e.params["params"])} {
		var v any = m
		for part := range strings.SplitSeq(name, ".") {
			v = lookupFold(asMap(v), part)
		}
		switch v := v.(type) {
		case nil:
		case map[string]any, []any:
			return "", false
		default:
			return fmt.Sprint(v), true
		}
	}
	return "", false
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// lookupFold finds key case-insensitively, as Hugo lower-cases params.
func lookupFold(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// pageRef writes the URL of the page a ref, relref, link or post_url
// names: with the site known (ParseOptions.ResolveLink), the page's
// own portal path, else its likely one (pagePath). In the site, a name
// that finds no page is a warning, as Hugo fails a build on it.
func (e *expander) pageRef(c *shortcode.Call, line int, ref, lookup string) {
	if e.resolve != nil {
		u, problem := e.resolve(lookup)
		if u != "" {
			e.write(u, line, false)
			return
		}
		if problem != "" || strings.HasPrefix(lookup, "/") {
			e.d.warnf(e.bodyLine+line-1, c.Pos.Col, "", "%s %q names no rendered page of the site; it links to %s", c.Name, ref, pagePath(ref))
		}
	}
	e.write(pagePath(ref), line, false)
}

// pagePath is the portal path of the page a ref, relref or link names:
// "blog/post.md", "blog/post/index.md", "/blog/post" and
// "_posts/2024-01-02-post.md" all name /post/. A #fragment is kept.
func pagePath(ref string) string {
	ref, frag, _ := strings.Cut(strings.TrimSpace(ref), "#")
	if frag != "" {
		frag = "#" + frag
	}
	p := strings.Trim(path.Clean("/"+ref), "/")
	base := path.Base(p)
	if stem := strings.TrimSuffix(base, path.Ext(base)); stem == "index" || stem == "_index" {
		p = path.Dir(p)
		base = path.Base(p)
	}
	if p == "" || p == "." {
		if frag != "" {
			return frag
		}
		return "/"
	}
	base = strings.TrimSuffix(base, path.Ext(base))
	base = postDateRE.ReplaceAllString(base, "")
	return "/" + Slugify(base) + "/" + frag
}

var postDateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}-`)

// mdEscape makes s literal text in Markdown: every ASCII punctuation
// mark that could start markup is backslash-escaped, and line breaks
// become spaces.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_{}[]()<>#+!|~\"&$%", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdURL writes u as a Markdown link destination in <…>, which may hold
// spaces and parentheses but not <, > or line breaks.
func mdURL(u string) string {
	r := strings.NewReplacer("<", "%3C", ">", "%3E", "\n", "", "\r", "", "\\", "%5C")
	return "<" + r.Replace(strings.TrimSpace(u)) + ">"
}

// codeFence returns a code fence longer than any run of backticks in code.
func codeFence(code string) string {
	longest, run := 0, 0
	for i := range len(code) {
		if code[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// codeBlock is code as a fenced block in lang (a word, else none).
func codeBlock(lang, code string) string {
	if !langRE.MatchString(lang) {
		lang = ""
	}
	code = strings.Trim(code, "\r\n")
	f := codeFence(code)
	return f + lang + "\n" + code + "\n" + f
}

var langRE = regexp.MustCompile(`^[A-Za-z0-9_+#.-]{1,40}$`)
