package email

import (
	"fmt"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"
	"github.com/aymerick/douceur/css"
	"github.com/aymerick/douceur/parser"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Inliner moves a stylesheet's rules into style attributes, the way email
// clients that ignore <style> (Gmail's non-Google accounts, old Outlook)
// need them. It is compiled once from the CSS and used for every email:
// parsing the CSS and the selectors is the slow part, and it is done once.
//
// Rules that cannot be inlined stay in <style>: @media blocks (mobile
// layout, dark mode), @font-face, and selectors with dynamic pseudo-classes
// or pseudo-elements (:hover, ::before).
type Inliner struct {
	src   string
	rules []inlineRule
	kept  string // CSS for the <style> element
}

type inlineRule struct {
	sel   cascadia.Sel
	spec  cascadia.Specificity
	order int
	decls []declaration
	// key narrows which elements the selector may match: its rightmost
	// part's tag, class or id, so most rules are skipped for most nodes
	// without running the matcher.
	tag   atom.Atom
	class string
	id    string
}

type declaration struct {
	prop, value string
	important   bool
}

// NewInliner compiles css.
func NewInliner(src string) (*Inliner, error) {
	sheet, err := parser.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("email CSS: %w", err)
	}
	in := &Inliner{src: src}
	var kept strings.Builder
	order := 0
	for _, r := range sheet.Rules {
		if r.Kind == css.AtRule {
			kept.WriteString(r.String())
			kept.WriteByte('\n')
			continue
		}
		decls := make([]declaration, 0, len(r.Declarations))
		for _, d := range r.Declarations {
			decls = append(decls, declaration{prop: strings.ToLower(d.Property), value: d.Value, important: d.Important})
		}
		var keepSels []string
		for _, s := range r.Selectors {
			if !inlinable(s) {
				keepSels = append(keepSels, s)
				continue
			}
			sel, err := cascadia.Parse(s)
			if err != nil {
				return nil, fmt.Errorf("email CSS: selector %q: %w", s, err)
			}
			ir := inlineRule{sel: sel, spec: sel.Specificity(), order: order, decls: decls}
			ir.tag, ir.class, ir.id = rightmostKey(s)
			in.rules = append(in.rules, ir)
			order++
		}
		if len(keepSels) > 0 {
			k := *r
			k.Selectors = keepSels
			kept.WriteString(k.String())
			kept.WriteByte('\n')
		}
	}
	in.kept = kept.String()
	return in, nil
}

// Source returns the CSS the inliner was compiled from.
func (in *Inliner) Source() string { return in.src }

// Kept returns the CSS that stays in the email's <style> element.
func (in *Inliner) Kept() string { return in.kept }

// inlinable reports whether a selector's matches are fixed: no state a
// mail client changes (:hover) and no generated content (::before).
func inlinable(sel string) bool {
	for _, p := range []string{":hover", ":focus", ":active", ":visited", ":link", "::", ":before", ":after", ":target", ":checked"} {
		if strings.Contains(sel, p) {
			return false
		}
	}
	return true
}

// rightmostKey reads the rightmost compound selector's tag, first class
// or id, for the pre-filter. Anything it does not understand gives no
// key, and the matcher decides alone.
func rightmostKey(sel string) (atom.Atom, string, string) {
	s := strings.TrimSpace(sel)
	if i := strings.LastIndexAny(s, " >+~"); i >= 0 {
		s = s[i+1:]
	}
	if strings.ContainsAny(s, "[:()*\\") {
		return 0, "", ""
	}
	end := strings.IndexAny(s, ".#")
	if end < 0 {
		end = len(s)
	}
	tag := atom.Lookup([]byte(strings.ToLower(s[:end])))
	if end > 0 && tag == 0 {
		return 0, "", "" // an unknown element name: leave it to the matcher
	}
	rest := s[end:]
	if rest == "" {
		return tag, "", ""
	}
	name := rest[1:]
	if j := strings.IndexAny(name, ".#"); j >= 0 {
		name = name[:j]
	}
	if rest[0] == '.' {
		return tag, name, ""
	}
	return tag, "", name
}

// applied is one declaration competing for a property on one element.
type applied struct {
	declaration
	inline bool // from the element's own style attribute
	spec   cascadia.Specificity
	order  int
}

// beats reports whether a wins over b in the cascade: !important first,
// then the style attribute over the stylesheet, then specificity, then
// the later rule.
func (a applied) beats(b applied) bool {
	if a.important != b.important {
		return a.important
	}
	if a.inline != b.inline {
		return a.inline
	}
	if a.spec != b.spec {
		return b.spec.Less(a.spec)
	}
	return a.order > b.order
}

// Inline applies the rules to every element under n (normally the whole
// document), merging them with each element's own style attribute.
func (in *Inliner) Inline(n *html.Node) {
	var props []string
	won := map[string]applied{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom != atom.Style && n.DataAtom != atom.Head && n.DataAtom != atom.Script {
			props = props[:0]
			clear(won)
			consider := func(a applied) {
				cur, ok := won[a.prop]
				if !ok {
					props = append(props, a.prop)
				}
				if !ok || a.beats(cur) {
					won[a.prop] = a
				}
			}
			var classes []string
			var id string
			styleAt := -1
			for i, at := range n.Attr {
				switch at.Key {
				case "class":
					classes = strings.Fields(at.Val)
				case "id":
					id = at.Val
				case "style":
					styleAt = i
				}
			}
			for i := range in.rules {
				r := &in.rules[i]
				if r.tag != 0 && r.tag != n.DataAtom || r.class != "" && !slices.Contains(classes, r.class) || r.id != "" && r.id != id {
					continue
				}
				if !r.sel.Match(n) {
					continue
				}
				for _, d := range r.decls {
					consider(applied{declaration: d, spec: r.spec, order: r.order})
				}
			}
			if styleAt >= 0 {
				for _, d := range parseStyle(n.Attr[styleAt].Val) {
					consider(applied{declaration: d, inline: true})
				}
			}
			if len(props) > 0 {
				var b strings.Builder
				for i, p := range props {
					if i > 0 {
						b.WriteString("; ")
					}
					b.WriteString(p)
					b.WriteString(": ")
					b.WriteString(won[p].value)
				}
				if styleAt >= 0 {
					n.Attr[styleAt].Val = b.String()
				} else {
					n.Attr = append(n.Attr, html.Attribute{Key: "style", Val: b.String()})
				}
				emailAttributes(n, won)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
}

// parseStyle reads a style attribute's declarations. It is a small
// splitter, not a CSS parser: values with ";" inside quotes or url()
// are kept whole.
func parseStyle(s string) []declaration {
	var out []declaration
	depth, quote, start := 0, byte(0), 0
	flush := func(part string) {
		prop, val, ok := strings.Cut(part, ":")
		prop, val = strings.ToLower(strings.TrimSpace(prop)), strings.TrimSpace(val)
		if !ok || prop == "" || val == "" {
			return
		}
		d := declaration{prop: prop, value: val}
		if v, ok := strings.CutSuffix(val, "!important"); ok {
			d.value, d.important = strings.TrimSpace(v), true
		}
		out = append(out, d)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth = max(depth-1, 0)
		case c == ';' && depth == 0:
			flush(s[start:i])
			start = i + 1
		}
	}
	flush(s[start:])
	return out
}

// emailAttributes repeats some styles as the HTML attributes old clients
// (Outlook's Word engine above all) read instead: widths and heights of
// images and tables, background colours of tables and cells, and
// alignment of cells.
func emailAttributes(n *html.Node, won map[string]applied) {
	set := func(key, val string) {
		for _, a := range n.Attr {
			if a.Key == key {
				return // the template's own attribute wins
			}
		}
		n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
	}
	switch n.DataAtom {
	case atom.Img, atom.Table, atom.Td, atom.Th:
		if w, ok := won["width"]; ok {
			if v, ok := strings.CutSuffix(w.value, "px"); ok {
				set("width", v)
			} else if strings.HasSuffix(w.value, "%") {
				set("width", w.value)
			}
		}
	}
	switch n.DataAtom {
	case atom.Table, atom.Td, atom.Th:
		if bg, ok := won["background-color"]; ok && strings.HasPrefix(bg.value, "#") {
			set("bgcolor", bg.value)
		}
	}
	switch n.DataAtom {
	case atom.Td, atom.Th:
		if ta, ok := won["text-align"]; ok && (ta.value == "left" || ta.value == "center" || ta.value == "right") {
			set("align", ta.value)
		}
		if va, ok := won["vertical-align"]; ok && (va.value == "top" || va.value == "middle" || va.value == "bottom") {
			set("valign", va.value)
		}
	}
}
