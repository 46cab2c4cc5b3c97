package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// splitJSON reads Hugo's JSON front matter, a JSON object that opens the
// file, and returns it as the YAML the rest of the parser reads, each
// top-level key on its own line (file line = YAML line + 1, as below a
// --- line), with the body after the object's line.
func splitJSON(d *diags, src []byte, lim Limits) (fm, body []byte, bodyLine int, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(src[:min(len(src), lim.FrontMatter+1)]))
	dec.UseNumber()
	var b bytes.Buffer
	at := 1
	fail := func(err error) ([]byte, []byte, int, bool) {
		off := int(dec.InputOffset())
		if len(src) > lim.FrontMatter && off >= lim.FrontMatter {
			d.errorf(1, 1, "", ETooLarge, "the front matter is over %d bytes (64 KiB); move long text into the body", lim.FrontMatter)
			return nil, nil, 0, false
		}
		line, col := offsetPos(src, off)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			d.errorf(1, 1, "", EInvalid, "the JSON front matter is not closed: end the object with a } line")
			return nil, nil, 0, false
		}
		d.errorf(line, col, "", EInvalid, "JSON front matter: %v", err)
		return nil, nil, 0, false
	}
	if _, err := dec.Token(); err != nil { // the opening {
		return fail(err)
	}
	for dec.More() {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		line, _ := offsetPos(src, start+len(src[start:])-len(bytes.TrimLeft(src[start:], " \t\r\n,")))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fail(err)
		}
		for at < line-1 {
			b.WriteByte('\n')
			at++
		}
		kj, _ := json.Marshal(key)
		// Compact keeps a multi-line value on the key's line.
		var cv bytes.Buffer
		if err := json.Compact(&cv, v); err != nil {
			return fail(err)
		}
		fmt.Fprintf(&b, "%s: %s\n", kj, cv.Bytes())
		at++
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return fail(err)
	}
	end := int(dec.InputOffset())
	line, _ := offsetPos(src, end)
	rest := src[end:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		if strings.TrimSpace(string(rest[:i])) == "" {
			rest, line = rest[i+1:], line+1
		}
	} else if strings.TrimSpace(string(rest)) == "" {
		rest = nil
	}
	return b.Bytes(), rest, line, true
}

// HugoHeaderAsYAML rewrites src's TOML (+++) or JSON front matter as the
// YAML header it amounts to, on the same lines, so that a tool adding
// fields to a --- header (crosscast submit) can add them to Hugo's other
// forms too. src comes back unchanged when its header is YAML already,
// cannot be read, or does not fit its lines.
func HugoHeaderAsYAML(src []byte) []byte {
	if !bytes.HasPrefix(src, []byte("+++")) && !bytes.HasPrefix(src, []byte("{")) {
		return src
	}
	fm, body, bodyLine, ok := splitFrontMatter(&diags{}, src, DefaultLimits(), true)
	if !ok {
		return src
	}
	n := bytes.Count(fm, []byte("\n"))
	if len(fm) > 0 && fm[len(fm)-1] != '\n' {
		n++
	}
	if n > bodyLine-3 {
		return src
	}
	out := append([]byte("---\n"), fm...)
	out = append(out, bytes.Repeat([]byte("\n"), bodyLine-3-n)...)
	out = append(out, "---\n"...)
	return append(out, body...)
}
