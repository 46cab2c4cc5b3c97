package content

import (
	"math"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// scalarDecoder is implemented by field types that parse their own scalar
// syntax (dates, prices, focal points). tag is the YAML tag the parser
// resolved, e.g. "!!str" or "!!int".
type scalarDecoder interface {
	decodeScalar(value, tag string) error
}

var scalarDecoderType = reflect.TypeFor[scalarDecoder]()

// rejectYAMLExtras reports every anchor, alias and explicit tag in the
// tree. Aliases are how "billion laughs" documents blow up; tags (!!binary,
// !!str, !custom) change how a value is read behind the writer's back.
// Front matter and brand kits never need either, so they are refused
// before anything is decoded.
func rejectYAMLExtras(d *diags, n *yaml.Node) bool {
	const shown = 3 // a bomb has thousands; the first few say it all
	found := 0
	var more *yaml.Node // the first one not reported
	report := func(n *yaml.Node, format string, args ...any) {
		if found++; found <= shown {
			d.errorf(n.Line, n.Column, "", EInvalid, format, args...)
		} else if more == nil {
			more = n
		}
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Style&yaml.TaggedStyle != 0 {
			report(n, "YAML tags (%s) are not allowed; write the value plainly, quoted if it must stay text", n.Tag)
		}
		switch {
		case n.Kind == yaml.AliasNode:
			report(n, "YAML aliases (*%s) are not allowed", n.Value)
			return // never follow an alias
		case n.Anchor != "":
			report(n, "YAML anchors (&%s) are not allowed", n.Anchor)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	if found > shown {
		d.errorf(more.Line, more.Column, "", EInvalid, "%d more YAML anchors, aliases or tags from here on; write each value out in full", found-shown)
	}
	return found > 0
}

// decodeStrict decodes n into the value v points at, field by field, so each
// problem is reported with its own position and all problems are reported at
// once. Unknown keys are errors with a suggestion of the nearest known key.
func decodeStrict(d *diags, n *yaml.Node, v reflect.Value, field string) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if isNull(n) {
		return // leave the zero value: an empty field is the same as a missing one
	}
	if v.CanAddr() && v.Addr().Type().Implements(scalarDecoderType) {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n.Line, n.Column, field, EInvalid, "must be a single value, not %s", kindName(n))
			return
		}
		if err := v.Addr().Interface().(scalarDecoder).decodeScalar(n.Value, n.ShortTag()); err != nil {
			d.errorf(n.Line, n.Column, field, EInvalid, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		decodeStrict(d, n, v.Elem(), field)
	case reflect.Struct:
		decodeStruct(d, n, v, field)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(n.Line, n.Column, field, EInvalid, "must be a mapping of names to values, not %s", kindName(n))
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			elem := reflect.New(v.Type().Elem()).Elem()
			decodeStrict(d, val, elem, join(field, k.Value))
			v.SetMapIndex(reflect.ValueOf(k.Value), elem)
		}
	case reflect.Slice:
		items := n.Content
		if n.Kind != yaml.SequenceNode {
			// "tags: news" is a common shorthand for a one-element list.
			if n.Kind != yaml.ScalarNode || v.Type().Elem().Kind() != reflect.String {
				d.errorf(n.Line, n.Column, field, EInvalid, "must be a list, not %s", kindName(n))
				return
			}
			items = []*yaml.Node{n}
		}
		s := reflect.MakeSlice(v.Type(), 0, len(items))
		for _, it := range items {
			elem := reflect.New(v.Type().Elem()).Elem()
			decodeStrict(d, it, elem, field)
			s = reflect.Append(s, elem)
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n.Line, n.Column, field, EInvalid, "must be text, not %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.errorf(n.Line, n.Column, field, EInvalid, "must be true or false, not %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			d.errorf(n.Line, n.Column, field, EInvalid, "must be a whole number, not %s", describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.errorf(n.Line, n.Column, field, EInvalid, "must be a number, not %s", describe(n))
			return
		}
		v.SetFloat(f)
	default:
		d.errorf(n.Line, n.Column, field, EInvalid, "unsupported field type %s", v.Type())
	}
}

func decodeStruct(d *diags, n *yaml.Node, v reflect.Value, field string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, n.Column, field, EInvalid, "must be a mapping of fields, not %s", kindName(n))
		return
	}
	fields := yamlFields(v.Type())
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, k.Column, field, EInvalid, "field names must be plain text")
			continue
		}
		name := join(field, k.Value)
		if seen[k.Value] {
			d.errorf(k.Line, k.Column, name, EInvalid, "field appears twice")
			continue
		}
		seen[k.Value] = true
		idx, ok := fields[k.Value]
		if !ok {
			msg := "unknown field"
			if s := suggest(k.Value, keys(fields)); s != "" {
				msg += ", did you mean `" + s + "`?"
			}
			d.errorf(k.Line, k.Column, name, EInvalid, "%s", msg)
			continue
		}
		decodeStrict(d, val, v.Field(idx), name)
	}
}

// yamlFields maps the yaml names of t's fields to their indexes.
func yamlFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	return m
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out) // suggestions must not depend on map order
	return out
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a single value"
}

func describe(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return kindName(n)
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return "`" + v + "`"
}

// suggest returns the candidate closest to name by edit distance, if it is
// close enough to be a plausible typo.
func suggest(name string, candidates []string) string {
	best, bestDist := "", len(name)/2+2
	for _, c := range candidates {
		dist := levenshtein(strings.ToLower(name), c)
		if dist < bestDist {
			best, bestDist = c, dist
		}
	}
	if best == "" && len(name) > 2 {
		for _, c := range candidates {
			if strings.HasPrefix(c, strings.ToLower(name)) || strings.HasPrefix(strings.ToLower(name), c) {
				return c
			}
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
