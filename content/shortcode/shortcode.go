// Package shortcode reads the template calls other site generators let
// authors write in Markdown: Hugo shortcodes ({{< name >}}, {{% name %}})
// and Jekyll's Liquid tags ({% name %}, {{ expr }}). It only parses; what
// a call becomes is up to the caller. Parsing is linear in the input and
// bounded in nesting, so any input can be handed to it.
package shortcode

import (
	"fmt"
	"strings"
)

// MaxDepth bounds how deeply paired calls may nest. Real content nests
// two or three; the bound keeps the tree (and the caller's recursion over
// it) small whatever the input.
const MaxDepth = 20

// Pos is a position in the parsed text: 1-based line and column (in
// bytes), and the byte offset.
type Pos struct{ Line, Col, Offset int }

// Node is a run of text or a call.
type Node struct {
	Text string // literal text, when Call is nil
	Call *Call
}

// Call is one shortcode or Liquid tag. A call with a matching closing
// tag later in the text (at the same level) is paired: Inner holds what
// lies between, parsed, and InnerText the same unparsed.
type Call struct {
	Name       string
	Args       []Arg
	Pos        Pos
	Markdown   bool   // Hugo's {{% %}} notation: the inner text is Markdown
	Output     bool   // Liquid {{ expr }}: Name holds the expression
	Raw        string // the call as written, e.g. `{{< x a="b" >}}`
	Paired     bool
	Inner      []Node
	InnerText  string
	SelfClosed bool // written {{< name />}}
}

// Arg is one argument; Name is empty for a positional one.
type Arg struct{ Name, Value string }

// Get returns the named argument, or the positional one at index i when
// there are no named ones (Hugo allows one style or the other).
func (c *Call) Get(name string, i int) (string, bool) {
	for _, a := range c.Args {
		if a.Name == name {
			return a.Value, true
		}
	}
	n := 0
	for _, a := range c.Args {
		if a.Name == "" {
			if n == i {
				return a.Value, true
			}
			n++
		}
	}
	return "", false
}

// Error is a parse error at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg) }

// token is a flat piece of the input before pairing.
type token struct {
	text  string // literal text, when call is nil
	call  *Call
	close string // name of a closing tag, when set
	pos   Pos
	end   int // offset just past the token
}

// tree pairs opening with closing tags. A closing tag closes the nearest
// open call of its name; calls left open in between stand alone, their
// would-be inner nodes becoming siblings. A closing tag with no opener is
// an error, since it is surely a typo and would otherwise be published.
func tree(src string, toks []token) ([]Node, error) {
	type frame struct {
		call  *Call
		start int // index into nodes where the call's inner nodes start
		inner int // offset where the inner text starts
	}
	var stack []frame
	var nodes []Node
	for _, t := range toks {
		switch {
		case t.call == nil && t.close == "":
			nodes = append(nodes, Node{Text: t.text})
		case t.call != nil:
			nodes = append(nodes, Node{Call: t.call})
			if !t.call.SelfClosed && !t.call.Output {
				if len(stack) >= MaxDepth {
					return nil, &Error{t.pos, fmt.Sprintf("calls nest more than %d deep", MaxDepth)}
				}
				stack = append(stack, frame{t.call, len(nodes), t.end})
			}
		default:
			i := len(stack) - 1
			for i >= 0 && stack[i].call.Name != t.close {
				i--
			}
			if i < 0 {
				return nil, &Error{t.pos, fmt.Sprintf("closing tag for %q has no opening tag", t.close)}
			}
			f := stack[i]
			f.call.Paired = true
			f.call.Inner = append([]Node(nil), nodes[f.start:]...)
			f.call.InnerText = src[f.inner:t.pos.Offset]
			nodes = nodes[:f.start]
			stack = stack[:i]
		}
	}
	return nodes, nil
}

// positions turns offsets into line and column, in one pass.
type positions struct {
	src       string
	off, line int
	lineStart int
}

func (p *positions) at(off int) Pos {
	for p.off < off {
		if p.src[p.off] == '\n' {
			p.line++
			p.lineStart = p.off + 1
		}
		p.off++
	}
	return Pos{Line: p.line, Col: off - p.lineStart + 1, Offset: off}
}

// splitArgs reads space-separated arguments: "quoted", `raw`, bare
// words, each optionally name=value.
func splitArgs(s string) ([]Arg, error) {
	var args []Arg
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return args, nil
		}
		var a Arg
		if i := strings.IndexAny(s, "= \t\r\n\"`"); i > 0 && s[i] == '=' {
			a.Name, s = s[:i], s[i+1:]
		}
		v, rest, err := value(s)
		if err != nil {
			return nil, err
		}
		a.Value, s = v, rest
		args = append(args, a)
	}
}

func value(s string) (v, rest string, err error) {
	if s == "" {
		return "", "", nil
	}
	switch q := s[0]; q {
	case '"', '\'':
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\' && i+1 < len(s) && q == '"':
				i++
				b.WriteByte(s[i])
			case c == q:
				return b.String(), s[i+1:], nil
			default:
				b.WriteByte(c)
			}
		}
		return "", "", fmt.Errorf("a quoted argument is not closed")
	case '`':
		end := strings.IndexByte(s[1:], '`')
		if end < 0 {
			return "", "", fmt.Errorf("a `raw` argument is not closed")
		}
		return s[1 : end+1], s[end+2:], nil
	}
	end := strings.IndexAny(s, " \t\r\n")
	if end < 0 {
		return s, "", nil
	}
	return s[:end], s[end:], nil
}
