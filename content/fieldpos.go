package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"go.yaml.in/yaml/v3"
)

// fieldPos finds the line and column of a field, given as a dotted path
// ("product.price"), in raw YAML, for errors about values that decoded
// fine but break a rule. It returns the deepest part of the path found.
func fieldPos(src []byte, field string) (int, int) {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return 0, 0
	}
	node, line, col := doc.Content[0], 0, 0
	for _, part := range strings.Split(field, ".") {
		found := false
		for i := 0; node.Kind == yaml.MappingNode && i+1 < len(node.Content); i += 2 {
			if k := node.Content[i]; k.Value == part {
				line, col, node, found = k.Line, k.Column, node.Content[i+1], true
				break
			}
		}
		// A number names a list element ("social.variants.1.text").
		if n, err := strconv.Atoi(part); err == nil && node.Kind == yaml.SequenceNode && n >= 0 && n < len(node.Content) {
			node, found = node.Content[n], true
			line, col = node.Line, node.Column
		}
		if !found {
			break
		}
	}
	return line, col
}

// hasField tells whether a dotted field is written in raw YAML.
func hasField(src []byte, field string) bool {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return false
	}
	node := doc.Content[0]
	for _, part := range strings.Split(field, ".") {
		var next *yaml.Node
		for i := 0; node.Kind == yaml.MappingNode && i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == part {
				next = node.Content[i+1]
				break
			}
		}
		if next == nil {
			return false
		}
		node = next
	}
	return true
}

// fmPos is fieldPos for the front matter, as a file position: a missing
// field points at the opening --- line.
func fmPos(fm []byte, field string) (int, int) {
	line, col := fieldPos(fm, field)
	if line == 0 {
		return 1, 1
	}
	return line + 1, col
}

func isWebURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// versionHash identifies an item version by its source and the bytes of
// every asset it uses.
func versionHash(it *Item) string {
	h := sha256.New()
	h.Write(it.Source)
	for _, im := range it.Images {
		if im.Asset != nil {
			fmt.Fprintf(h, "\x00%s\x00%s", im.Asset.Name, im.Asset.SHA256)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// walkImages calls fn for every image in the body in document order.
func walkImages(doc ast.Node, fn func(*ast.Image)) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if im, ok := n.(*ast.Image); ok && entering {
			fn(im)
		}
		return ast.WalkContinue, nil
	})
}
