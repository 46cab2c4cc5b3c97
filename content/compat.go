package content

import (
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Compat modes for front matter written for other tools.
const (
	CompatHugo   = "hugo"
	CompatJekyll = "jekyll"
)

// compatRenames maps another tool's field names onto crosscast's. Fields
// that need more than a rename (lists of images, categories) are handled
// in applyCompat.
var compatRenames = map[string]map[string]string{
	CompatHugo: {
		"description": "summary",
		"lastmod":     "updated",
		"publishdate": "publish_at",
		"publishDate": "publish_at",
	},
	CompatJekyll: {
		"description":      "summary",
		"excerpt":          "summary",
		"last_modified_at": "updated",
		"redirect_from":    "aliases",
	},
}

// compatWalkFields are read by the site walk (WalkSite), which decides
// from them whether and where a page is rendered, so they are not
// reported as ignored.
var compatWalkFields = map[string]map[string]bool{
	CompatHugo:   {"url": true, "headless": true, "build": true, "_build": true, "expirydate": true, "expiryDate": true},
	CompatJekyll: {"permalink": true},
}

// applyCompat rewrites root, another tool's front matter, into crosscast's
// shape: common fields are mapped, ours pass through, and everything else
// is dropped with a single warning naming what was ignored.
func applyCompat(d *diags, root *yaml.Node, mode string) {
	renames, ok := compatRenames[mode]
	if !ok {
		d.errorf(0, 0, "compat", EInvalid, "unknown compat mode %q; use hugo or jekyll", mode)
		return
	}
	ours := yamlFields(reflect.TypeFor[FrontMatter]())
	var out []*yaml.Node
	var tags, extraTags []*yaml.Node
	var ignored []string
	have := map[string]bool{}
	add := func(key *yaml.Node, name string, val *yaml.Node) {
		if have[name] {
			return // ours wins over a mapped duplicate, e.g. summary over description
		}
		have[name] = true
		k := *key
		k.Value = name
		out = append(out, &k, val)
	}
	// Our own names first, so they win over mapped ones.
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if _, ok := ours[k.Value]; ok && k.Value != "tags" {
			add(k, k.Value, v)
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		name := k.Value
		switch {
		case name == "tags":
			tags = append(tags, listItems(v)...)
		case name == "categories" || name == "category":
			extraTags = append(extraTags, listItems(v)...)
		case name == "image" || name == "images" || name == "featured_image":
			if hero := compatHero(v); hero != nil {
				add(k, "hero", hero)
			}
		case name == "authors" && v.Kind == yaml.SequenceNode:
			var names []string
			for _, a := range v.Content {
				if a.Kind == yaml.ScalarNode {
					names = append(names, a.Value)
				}
			}
			add(k, "author", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.Join(names, ", "), Line: v.Line, Column: v.Column})
		case name == "published" && mode == CompatJekyll:
			if v.Value == "false" {
				add(k, "draft", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true", Line: v.Line, Column: v.Column})
			}
		case renames[name] != "":
			add(k, renames[name], v)
		default:
			if _, ok := ours[name]; !ok && !compatWalkFields[mode][name] {
				ignored = append(ignored, name)
			}
		}
	}
	if all := append(tags, extraTags...); len(all) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: all, Line: all[0].Line, Column: all[0].Column}
		out = append(out, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "tags", Line: seq.Line, Column: seq.Column}, seq)
	}
	root.Content = out
	if len(ignored) > 0 {
		sort.Strings(ignored)
		d.warnf(root.Line, root.Column, "", "%s fields with no crosscast equivalent were ignored: %s", mode, strings.Join(ignored, ", "))
	}
}

// listItems returns the scalars of a list, or the scalar itself; Jekyll
// also allows space-separated words ("categories: news launch").
func listItems(v *yaml.Node) []*yaml.Node {
	switch v.Kind {
	case yaml.SequenceNode:
		return v.Content
	case yaml.ScalarNode:
		if isNull(v) {
			return nil
		}
		var out []*yaml.Node
		for _, w := range strings.Fields(v.Value) {
			n := *v
			n.Value = w
			out = append(out, &n)
		}
		return out
	}
	return nil
}

// compatHero turns image: x.jpg, images: [x.jpg] or Jekyll's
// image: {path: x.jpg, alt: …} into our hero mapping.
func compatHero(v *yaml.Node) *yaml.Node {
	switch v.Kind {
	case yaml.ScalarNode:
		if isNull(v) {
			return nil
		}
		return mapping(v, "src", v)
	case yaml.SequenceNode:
		if len(v.Content) > 0 {
			return compatHero(v.Content[0])
		}
	case yaml.MappingNode:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k := *v.Content[i]
			switch k.Value {
			case "path", "src", "url":
				k.Value = "src"
			case "alt":
			default:
				continue
			}
			m.Content = append(m.Content, &k, v.Content[i+1])
		}
		return m
	}
	return nil
}
