package content

import (
	"strings"

	"github.com/crosscast/crosscast/content/shortcode"
)

// liquid expands one Jekyll Liquid tag or output.
func (e *expander) liquid(c *shortcode.Call, line, depth int) {
	if c.Output {
		e.liquidOutput(c, line, depth)
		return
	}
	arg := func(i int) string {
		v, _ := c.Get("", i)
		return strings.TrimSpace(v)
	}
	switch c.Name {
	case "highlight":
		e.block(codeBlock(arg(0), c.InnerText), line)
	case "link", "post_url":
		if arg(0) == "" {
			e.d.warnf(e.bodyLine+line-1, c.Pos.Col, "", "{%% %s %%} names no page; it was removed", c.Name)
			return
		}
		lookup := arg(0)
		if c.Name == "post_url" {
			lookup = "/_posts/" + lookup + ".md"
		} else if !strings.HasPrefix(lookup, "/") {
			lookup = "/" + lookup // {% link %} names a file from the site's root
		}
		e.pageRef(c, line, arg(0), lookup)
	case "include", "include_relative":
		name := arg(0)
		dirs := []string{"_includes"}
		if c.Name == "include_relative" {
			dirs = nil
		}
		data, ok := e.include(c, line, name, dirs...)
		if !ok {
			return
		}
		// {{ include.x }} in the file reads the tag's x="…" arguments.
		for _, a := range c.Args {
			if a.Name != "" {
				for _, form := range []string{"{{ include." + a.Name + " }}", "{{include." + a.Name + "}}"} {
					data = strings.ReplaceAll(data, form, a.Value)
				}
			}
		}
		e.included(c, stripFrontMatter(data), line, depth)
	default:
		e.unknown(c, line, depth, "Liquid tag")
	}
}

// liquidOutput fills {{ page.x }} from the front matter; other
// expressions (site variables, filters) are unknown.
func (e *expander) liquidOutput(c *shortcode.Call, line, depth int) {
	expr := strings.TrimSpace(c.Name)
	if name, ok := strings.CutPrefix(expr, "page."); ok && !strings.ContainsAny(name, " |") {
		if v, ok := e.param(name); ok {
			e.write(mdEscape(v), line, false)
			return
		}
	}
	e.unknown(c, line, depth, "Liquid output")
}
