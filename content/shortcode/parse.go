package shortcode

import (
	"fmt"
	"regexp"
	"strings"
)

// nameRE is what a shortcode or tag name may be: Hugo allows folders
// ("docs/note"), Liquid dots are not names but we never need them.
var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_./-]{0,99}$`)

// ParseHugo reads Hugo shortcodes in src. Escaped examples, written
// {{</* name */>}}, come back as literal text without the comment marks,
// the way Hugo prints them.
func ParseHugo(src string) ([]Node, error) {
	var toks []token
	pos := &positions{src: src, line: 1}
	text := 0 // start of the pending literal text
	flush := func(end int) {
		if end > text {
			toks = append(toks, token{text: src[text:end]})
		}
	}
	for i := 0; i < len(src); {
		k := strings.Index(src[i:], "{{")
		if k < 0 {
			break
		}
		start := i + k
		if start+2 >= len(src) || (src[start+2] != '<' && src[start+2] != '%') {
			i = start + 2
			continue
		}
		open := src[start : start+3]
		closer := ">}}"
		if open == "{{%" {
			closer = "%}}"
		}
		p := pos.at(start)
		body := start + 3
		if strings.HasPrefix(src[body:], "/*") {
			// An escaped example: print it as the call it shows.
			from := body + 2
			end := strings.Index(src[from:], "*/"+closer)
			if end < 0 {
				return nil, &Error{p, "an escaped shortcode {{" + open[2:] + "/* is not closed with */" + closer}
			}
			flush(start)
			toks = append(toks, token{text: open + src[from:from+end] + closer})
			i = from + end + 2 + len(closer)
			text = i
			continue
		}
		end := strings.Index(src[body:], closer)
		if end < 0 {
			return nil, &Error{p, fmt.Sprintf("shortcode %s is not closed with %s", open, closer)}
		}
		inside := strings.TrimSpace(src[body : body+end])
		next := body + end + len(closer)
		flush(start)
		text = next
		i = next
		if name, ok := strings.CutPrefix(inside, "/"); ok {
			name = strings.TrimSpace(name)
			if !nameRE.MatchString(name) {
				return nil, &Error{p, fmt.Sprintf("%q is not a shortcode name", name)}
			}
			toks = append(toks, token{close: name, pos: p, end: next})
			continue
		}
		c := &Call{Pos: p, Markdown: open == "{{%", Raw: src[start:next]}
		if rest, ok := strings.CutSuffix(inside, "/"); ok {
			c.SelfClosed, inside = true, strings.TrimSpace(rest)
		}
		name, args, _ := strings.Cut(inside, " ")
		if n := strings.IndexAny(name, "\t\r\n"); n >= 0 {
			name, args = name[:n], name[n:]+" "+args
		}
		if !nameRE.MatchString(name) {
			return nil, &Error{p, fmt.Sprintf("%q is not a shortcode name", name)}
		}
		c.Name = name
		var err error
		if c.Args, err = splitArgs(args); err != nil {
			return nil, &Error{p, fmt.Sprintf("shortcode %q: %v", name, err)}
		}
		toks = append(toks, token{call: c, pos: p, end: next})
	}
	flush(len(src))
	return tree(src, toks)
}

// ParseLiquid reads Jekyll's Liquid tags ({% name args %}, closed by
// {% endname %}) and outputs ({{ expr }}) in src. The text of {% raw %}
// blocks comes back literal; {% comment %} blocks are dropped.
func ParseLiquid(src string) ([]Node, error) {
	var toks []token
	pos := &positions{src: src, line: 1}
	text := 0
	flush := func(end int) {
		if end > text {
			toks = append(toks, token{text: src[text:end]})
		}
	}
	for i := 0; i < len(src); {
		k := strings.IndexByte(src[i:], '{')
		if k < 0 {
			break
		}
		start := i + k
		if start+1 >= len(src) || (src[start+1] != '%' && src[start+1] != '{') {
			i = start + 1
			continue
		}
		output := src[start+1] == '{'
		closer := "%}"
		if output {
			closer = "}}"
		}
		p := pos.at(start)
		end := strings.Index(src[start+2:], closer)
		if end < 0 {
			return nil, &Error{p, fmt.Sprintf("Liquid %s is not closed with %s", src[start:start+2], closer)}
		}
		inside := strings.TrimSpace(strings.Trim(src[start+2:start+2+end], "-"))
		next := start + 2 + end + len(closer)
		flush(start)
		text, i = next, next
		if output {
			toks = append(toks, token{call: &Call{Name: inside, Output: true, Pos: p, Raw: src[start:next]}, pos: p, end: next})
			continue
		}
		name, args, _ := strings.Cut(inside, " ")
		if n := strings.IndexAny(name, "\t\r\n"); n >= 0 {
			name, args = name[:n], name[n:]+" "+args
		}
		if !nameRE.MatchString(name) {
			return nil, &Error{p, fmt.Sprintf("%q is not a Liquid tag name", name)}
		}
		if name == "raw" || name == "comment" {
			stop, after, ok := endTag(src, next, "end"+name)
			if !ok {
				return nil, &Error{p, fmt.Sprintf("{%% %s %%} is not closed with {%% end%s %%}", name, name)}
			}
			if name == "raw" {
				toks = append(toks, token{text: src[next:stop]})
			}
			text, i = after, after
			continue
		}
		if closed, ok := strings.CutPrefix(name, "end"); ok && closed != "" {
			toks = append(toks, token{close: closed, pos: p, end: next})
			continue
		}
		c := &Call{Name: name, Pos: p, Raw: src[start:next]}
		var err error
		if c.Args, err = splitArgs(args); err != nil {
			return nil, &Error{p, fmt.Sprintf("tag %q: %v", name, err)}
		}
		if !blockTags[name] {
			c.SelfClosed = true
		}
		toks = append(toks, token{call: c, pos: p, end: next})
	}
	flush(len(src))
	return tree(src, toks)
}

// blockTags are the Liquid tags that take an end tag. Any other tag
// stands alone, so a stray {% endfoo %} is reported, not silently paired.
var blockTags = map[string]bool{
	"highlight": true, "capture": true, "if": true, "unless": true, "for": true,
	"case": true, "tablerow": true,
}

// endTag finds the first {% name %} (with optional whitespace-control
// dashes) at or after from: its start, the offset past it, and whether
// it was found.
func endTag(src string, from int, name string) (start, after int, ok bool) {
	closeAt := -1 // the next %} found, reused so many {% before one %} stay linear
	for i := from; ; {
		k := strings.Index(src[i:], "{%")
		if k < 0 {
			return 0, 0, false
		}
		start = i + k
		if closeAt < start+2 {
			end := strings.Index(src[start+2:], "%}")
			if end < 0 {
				return 0, 0, false
			}
			closeAt = start + 2 + end
		}
		if closeAt-start < 64 && strings.TrimSpace(strings.Trim(src[start+2:closeAt], "-")) == name {
			return start, closeAt + 2, true
		}
		i = start + 2
	}
}
