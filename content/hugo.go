package content

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/crosscast/crosscast/content/shortcode"
)

// hugo expands one Hugo shortcode: the built-ins Hugo ships, and the
// include-style shortcodes sites write for themselves.
func (e *expander) hugo(c *shortcode.Call, line, depth int) {
	arg := func(name string, i int) string {
		v, _ := c.Get(name, i)
		return strings.TrimSpace(v)
	}
	switch c.Name {
	case "figure":
		src := arg("src", -1)
		if src == "" {
			e.d.warnf(e.bodyLine+line-1, c.Pos.Col, "", "figure has no src and was removed")
			return
		}
		caption := strings.TrimSpace(strings.Join(strings.Fields(arg("title", -1)+" "+arg("caption", -1)), " "))
		if a := arg("attr", -1); a != "" {
			caption = strings.TrimSpace(caption + " " + a)
		}
		img := "![" + mdEscape(arg("alt", -1)) + "](" + mdURL(src)
		if caption != "" {
			img += ` "` + strings.ReplaceAll(mdEscape(caption), `"`, `\"`) + `"`
		}
		img += ")"
		if link := arg("link", -1); link != "" {
			img = "[" + img + "](" + mdURL(link) + ")"
		}
		e.block(img, line)
	case "highlight":
		e.block(codeBlock(arg("", 0), c.InnerText), line)
	case "ref", "relref":
		target := arg("path", 0)
		if target == "" {
			e.d.warnf(e.bodyLine+line-1, c.Pos.Col, "", "%s names no page; it was removed", c.Name)
			return
		}
		e.pageRef(c, line, target, target)
	case "param":
		name := arg("name", 0)
		v, ok := e.param(name)
		if !ok {
			e.d.warnf(e.bodyLine+line-1, c.Pos.Col, "", "param %q is not set in the front matter; it was removed", name)
			return
		}
		e.write(mdEscape(v), line, false)
	case "details":
		summary := arg("summary", -1)
		if summary == "" {
			summary = "Details"
		}
		e.write("\n\n**"+mdEscape(summary)+"**\n\n", line, false)
		e.inner(c, line, depth)
		e.write("\n\n", line, false)
	case "qr":
		text := arg("text", -1)
		if text == "" {
			text = strings.TrimSpace(c.InnerText)
		}
		if isWebURL(text) {
			e.block("[QR: "+mdEscape(text)+"]("+mdURL(text)+")", line)
		} else if text != "" {
			e.block("QR: "+mdEscape(text), line)
		}
	case "youtube", "vimeo", "x", "tweet", "instagram":
		e.card(c, line)
	case "include", "readfile":
		name := arg("file", 0)
		if name == "" {
			name = arg("path", 0)
		}
		data, ok := e.include(c, line, name)
		if !ok {
			return
		}
		e.included(c, stripFrontMatter(data), line, depth)
	default:
		e.unknown(c, line, depth, "shortcode")
	}
}

// included expands an included file's own shortcodes, up to a depth,
// and places it as blocks at the call's line.
func (e *expander) included(c *shortcode.Call, data string, line, depth int) {
	if depth >= maxIncludeDepth {
		e.d.errorf(e.bodyLine+line-1, c.Pos.Col, "", ETooLarge, "includes nest more than %d deep here", maxIncludeDepth)
		return
	}
	nodes, err := e.parseIncluded(data)
	if err != nil {
		e.d.errorf(e.bodyLine+line-1, c.Pos.Col, "", EInvalid, "%s: the included file: %v", c.Name, err)
		return
	}
	// Everything the file brings maps to the line of the call.
	sub := &expander{d: e.d, bodyLine: e.bodyLine, mode: e.mode, policy: e.policy, params: e.params,
		item: e.item, itemDir: e.itemDir, root: e.root, limit: e.limit - e.out.Len(), includes: e.includes}
	sub.d = &diags{file: e.d.file}
	sub.nodes(nodes, 1, depth+1)
	e.includes = sub.includes
	for _, w := range sub.d.warns {
		e.d.warnf(e.bodyLine+line-1, c.Pos.Col, "", "in %s: %s", c.Raw, w.Message)
	}
	for _, er := range sub.d.errs {
		e.d.errorf(e.bodyLine+line-1, c.Pos.Col, "", er.Code, "in %s: %s", c.Raw, er.Message)
	}
	if sub.tooLarge {
		e.tooLarge = true
		return
	}
	e.block(sub.out.String(), line)
}

func (e *expander) parseIncluded(data string) ([]shortcode.Node, error) {
	if e.mode == CompatJekyll {
		return shortcode.ParseLiquid(data)
	}
	return shortcode.ParseHugo(data)
}

var embedIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// card renders an embed as a link card with a thumbnail placeholder:
// nothing is embedded, since no email client plays a video and every
// channel should show the same thing.
func (e *expander) card(c *shortcode.Call, line int) {
	id, _ := c.Get("id", 0)
	title, _ := c.Get("title", -1)
	var label, u string
	switch c.Name {
	case "youtube":
		label, u = "YouTube", "https://www.youtube.com/watch?v="+url.QueryEscape(id)
	case "vimeo":
		label, u = "Vimeo", "https://vimeo.com/"+id
	case "instagram":
		label, u = "Instagram", "https://www.instagram.com/p/"+id+"/"
	default: // x, and tweet, its older name
		user, _ := c.Get("user", -1)
		if !embedIDRE.MatchString(user) {
			user = "i"
		}
		if id == "" {
			id, _ = c.Get("", 1)
		}
		label, u = "X", "https://x.com/"+user+"/status/"+id
	}
	if !embedIDRE.MatchString(id) {
		e.d.warnf(e.bodyLine+line-1, c.Pos.Col, "", "%s: %q is not a %s id; the embed was removed", c.Name, id, c.Name)
		return
	}
	text := label
	if t := strings.TrimSpace(title); t != "" {
		text += " · " + mdEscape(t)
	}
	e.block(fmt.Sprintf("[<span class=\"link-card-thumb\">▶</span> %s](%s)\n{.link-card .link-card-%s}", text, mdURL(u), c.Name), line)
}
