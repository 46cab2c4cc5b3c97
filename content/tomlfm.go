package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlToYAML turns Hugo's TOML front matter (the text between the +++
// lines) into the YAML the rest of the parser reads, so TOML goes through
// the same field mapping, checks and positions as YAML: each top-level
// key is written on the line it has in the TOML, its value as JSON (which
// is YAML) on that line, and so a field's position is its TOML line.
// Syntax errors are reported at their TOML line and column.
func tomlToYAML(d *diags, src []byte) ([]byte, bool) {
	var m map[string]any
	if err := toml.Unmarshal(src, &m); err != nil {
		line, col, msg := 1, 1, err.Error()
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col = de.Position()
			msg = de.Error()
		}
		// +1: TOML line 1 is file line 2, below the opening +++.
		d.errorf(line+1, col, "", EInvalid, "TOML syntax: %s", msg)
		return nil, false
	}
	lines := tomlKeyLines(src)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		li, lj := lines[keys[i]], lines[keys[j]]
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	var b bytes.Buffer
	at := 1 // the line b is on
	for _, k := range keys {
		for at < lines[k] {
			b.WriteByte('\n')
			at++
		}
		kj := []byte(k)
		if !plainYAMLKey(k) {
			var err error
			if kj, err = json.Marshal(k); err != nil {
				return nil, false
			}
		}
		vj, err := json.Marshal(m[k]) // dates as RFC 3339, local ones as their text
		if err != nil {
			d.errorf(lines[k]+1, 1, k, EInvalid, "TOML value cannot be read: %v", err)
			return nil, false
		}
		// Pad so the value starts at its TOML column, where errors about
		// it then point.
		pad := max(valueCol(src, lines[k])-len(kj)-2, 1)
		fmt.Fprintf(&b, "%s:%s%s\n", kj, strings.Repeat(" ", pad), vj)
		at++
	}
	return b.Bytes(), true
}

// tomlKeyLines gives the line (1-based, in src) where each top-level key
// first appears: as a key, a dotted key's first part, or a table header.
// A key the parser does not point back into src for (a quoted one with
// escapes) gets the line after the one before.
func tomlKeyLines(src []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(src)
	inTable := false
	last := 1
	for p.NextExpression() {
		e := p.Expression()
		var it unstable.Iterator
		switch e.Kind {
		case unstable.KeyValue:
			if inTable {
				continue
			}
			it = e.Key()
		case unstable.Table, unstable.ArrayTable:
			inTable = true
			it = e.Key()
		default:
			continue
		}
		if !it.Next() {
			continue
		}
		k := it.Node().Data
		line := last + 1
		if off, ok := offsetIn(src, k); ok {
			line = 1 + bytes.Count(src[:off], []byte("\n"))
		}
		last = line
		if _, seen := lines[string(k)]; !seen {
			lines[string(k)] = line
		}
	}
	return lines
}

// offsetIn reports where sub starts in src when it is a slice of it.
func offsetIn(src, sub []byte) (int, bool) {
	if len(sub) == 0 || len(src) == 0 {
		return 0, false
	}
	off := cap(src) - cap(sub)
	if off < 0 || off+len(sub) > len(src) || &src[off] != &sub[0] {
		return 0, false
	}
	return off, true
}

// isTOMLFence says whether a line is Hugo's TOML front matter fence.
func isTOMLFence(l string) bool { return strings.TrimRight(l, " \t\r") == "+++" }

// splitTOML finds the closing +++ of a TOML header in rest (the file
// below the opening line) and returns the header as YAML.
func splitTOML(d *diags, rest []byte, lim Limits) (fm, body []byte, bodyLine int, ok bool) {
	line := 2
	for off := 0; off <= len(rest) && off <= lim.FrontMatter; line++ {
		end := bytes.IndexByte(rest[off:], '\n')
		next := len(rest) + 1
		l := rest[off:]
		if end >= 0 {
			l, next = rest[off:off+end], off+end+1
		}
		if isTOMLFence(string(l)) {
			if next <= len(rest) {
				body = rest[next:]
			}
			fm, ok = tomlToYAML(d, rest[:off])
			return fm, body, line + 1, ok
		}
		off = next
	}
	if len(rest) > lim.FrontMatter {
		d.errorf(1, 1, "", ETooLarge, "the front matter is over %d bytes (64 KiB); move long text into the body", lim.FrontMatter)
	} else {
		d.errorf(1, 1, "", EInvalid, "the front matter is not closed: add a +++ line after it")
	}
	return nil, nil, 0, false
}

// valueCol is the column of the value of a `key = value` on line (1-based)
// of src, or 0 when the line holds none (a table header).
func valueCol(src []byte, line int) int {
	for range line - 1 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			return 0
		}
		src = src[i+1:]
	}
	if i := bytes.IndexByte(src, '\n'); i >= 0 {
		src = src[:i]
	}
	eq := bytes.IndexByte(src, '=')
	if eq < 0 || bytes.HasPrefix(bytes.TrimSpace(src), []byte("[")) {
		return 0
	}
	rest := src[eq+1:]
	return eq + 2 + len(rest) - len(bytes.TrimLeft(rest, " \t"))
}

// plainYAMLKey says whether k can be written unquoted as a YAML key and
// still read back as the same text.
func plainYAMLKey(k string) bool {
	if k == "" || !(k[0] == '_' || k[0] >= 'a' && k[0] <= 'z' || k[0] >= 'A' && k[0] <= 'Z') {
		return false
	}
	for _, c := range []byte(k) {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	switch strings.ToLower(k) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		return false
	}
	return true
}
