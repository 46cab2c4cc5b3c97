package content

import (
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/crosscast/crosscast/content/shortcode"
)

// Inserted is where InlineIncludes replaced a call by a file's text: at
// file line Line, adding Lines lines.
type Inserted struct{ Line, Lines int }

// InlineIncludes replaces, in the item source src (file name in fsys,
// parsed with opts' compat and Root), each include-style call of its
// body, Hugo's include and readfile and Jekyll's include and
// include_relative, by the text of the file it names, for a server that
// will have neither the site nor the files beside the item. The text
// keeps its own template calls, which the server expands as it would
// have. Calls whose file cannot be read are left for the server to
// report. It returns the new source and where it grew, in file order.
func InlineIncludes(src []byte, fsys fs.FS, name string, opts ParseOptions) ([]byte, []Inserted) {
	if opts.Compat != CompatHugo && opts.Compat != CompatJekyll {
		return src, nil
	}
	d := &diags{file: name}
	_, body, bodyLine, ok := splitFrontMatter(d, src, opts.limits(), opts.Compat == CompatHugo)
	if !ok {
		return src, nil
	}
	var nodes []shortcode.Node
	var err error
	if opts.Compat == CompatJekyll {
		nodes, err = shortcode.ParseLiquid(string(body))
	} else {
		nodes, err = shortcode.ParseHugo(string(body))
	}
	if err != nil {
		return src, nil
	}
	e := &expander{d: d, bodyLine: bodyLine, mode: opts.Compat, item: fsys, itemDir: path.Dir(name), root: opts.Root}
	bodyStart := len(src) - len(body)
	type repl struct {
		at, end int
		text    string
		line    int
	}
	var rs []repl
	for _, n := range nodes {
		c := n.Call
		if c == nil || c.Paired || c.Output {
			continue
		}
		var file string
		var dirs []string
		switch {
		case opts.Compat == CompatHugo && (c.Name == "include" || c.Name == "readfile"):
			file, _ = c.Get("file", 0)
			if file == "" {
				file, _ = c.Get("path", 0)
			}
		case opts.Compat == CompatJekyll && c.Name == "include":
			file, _ = c.Get("", 0)
			dirs = []string{"_includes"}
		case opts.Compat == CompatJekyll && c.Name == "include_relative":
			file, _ = c.Get("", 0)
		default:
			continue
		}
		data, ok := e.include(c, c.Pos.Line, strings.TrimSpace(file), dirs...)
		if !ok {
			continue
		}
		data = stripFrontMatter(data)
		if opts.Compat == CompatJekyll {
			for _, a := range c.Args {
				if a.Name != "" {
					data = strings.ReplaceAll(data, "{{ include."+a.Name+" }}", a.Value)
					data = strings.ReplaceAll(data, "{{include."+a.Name+"}}", a.Value)
				}
			}
		}
		// On blocks of their own, as the expansion places an include.
		text := "\n\n" + strings.Trim(data, "\n") + "\n\n"
		rs = append(rs, repl{at: bodyStart + c.Pos.Offset, end: bodyStart + c.Pos.Offset + len(c.Raw), text: text, line: bodyLine + c.Pos.Line - 1})
	}
	if len(rs) == 0 {
		return src, nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].at < rs[j].at })
	var out strings.Builder
	var ins []Inserted
	last := 0
	for _, r := range rs {
		out.Write(src[last:r.at])
		out.WriteString(r.text)
		last = r.end
		if n := strings.Count(r.text, "\n") - strings.Count(string(src[r.at:r.end]), "\n"); n > 0 {
			ins = append(ins, Inserted{Line: r.line, Lines: n})
		}
	}
	out.Write(src[last:])
	return []byte(out.String()), ins
}
