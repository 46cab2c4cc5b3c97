package content

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlSyntaxPos finds where in src the YAML syntax error err is, as a line
// and column of src (column 0 when unknown), with the message stripped of
// yaml.v3's own "line N:" prefix.
//
// yaml.v3 counts lines from 0 internally and formats them unevenly:
// scanner errors add 1 (right), parser errors ("did not find expected …")
// do not (one line early, at the start of the unclosed [ or {), and an
// error on the first line gets no line at all. Reader errors (control
// characters, bad UTF-8) never have a position, so those are found here.
func yamlSyntaxPos(src []byte, err error) (line, col int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	switch {
	case isYAMLReaderProblem(msg):
		if off := firstBadYAMLChar(src); off >= 0 {
			line, col = offsetPos(src, off)
			return line, col, msg
		}
	case strings.HasPrefix(msg, "did not find expected ',' or"):
		return flowOpenLine(src, line), 0, msg
	case msg == "found a tab character that violates indentation":
		return tabIndentLine(src, line), 1, msg
	case isYAMLParserProblem(msg):
		line++ // 0-based, and absent on the first line
	case line == 0:
		line = 1 // a scanner error on the first line
	}
	return line, 0, msg
}

// flowOpenLine corrects the line of an unclosed [ or {. yaml.v3 prints
// the 0-based line of where the collection opened, except when that is
// the first line (0), where it prints the line it gave up on instead.
// So: if the 1-based line it names opens a collection, that is it; else
// the collection opened on line 1.
func flowOpenLine(src []byte, printed int) int {
	lines := bytes.Split(src, []byte("\n"))
	if l := printed + 1; printed > 0 && l <= len(lines) && bytes.ContainsAny(lines[l-1], "[{") {
		return l
	}
	return 1
}

// tabIndentLine finds the line of a tab that yaml.v3 refused as
// indentation: it names the line before the tab's (the one whose block the
// tab would have continued), so this looks for the first line, from the
// named one on, whose indentation holds a tab.
func tabIndentLine(src []byte, printed int) int {
	lines := bytes.Split(src, []byte("\n"))
	for l := max(printed, 1); l <= len(lines); l++ {
		ind := lines[l-1][:len(lines[l-1])-len(bytes.TrimLeft(lines[l-1], " \t"))]
		if bytes.IndexByte(ind, '\t') >= 0 {
			return l
		}
	}
	return max(printed, 1)
}

func isYAMLReaderProblem(msg string) bool {
	return msg == "control characters are not allowed" || strings.Contains(msg, "UTF-8") || msg == "invalid Unicode character"
}

// isYAMLParserProblem tells yaml.v3's parser messages (see its parserc.go)
// from its scanner's.
func isYAMLParserProblem(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// firstBadYAMLChar returns the offset of the first byte YAML refuses to
// read (invalid UTF-8, or a character outside YAML's printable set), or -1.
func firstBadYAMLChar(src []byte) int {
	for off := 0; off < len(src); {
		r, size := utf8.DecodeRune(src[off:])
		if (r == utf8.RuneError && size <= 1) || !yamlPrintable(r) {
			return off
		}
		off += size
	}
	return -1
}

// yamlPrintable is YAML 1.2's c-printable set, which yaml.v3 enforces.
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r < 0x20 || r == 0x7f:
		return false
	case r >= 0x80 && r <= 0x9f:
		return false
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return false
	}
	return true
}

// firstInvalidUTF8 returns the offset of the first byte that is not part
// of valid UTF-8, or -1.
func firstInvalidUTF8(src []byte) int {
	for off := 0; off < len(src); {
		r, size := utf8.DecodeRune(src[off:])
		if r == utf8.RuneError && size <= 1 {
			return off
		}
		off += size
	}
	return -1
}

// offsetPos converts a byte offset into a 1-based line and column, the
// column counted in characters as editors and yaml.v3 count them.
func offsetPos(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	before := src[:off]
	line = 1 + strings.Count(string(before), "\n")
	if i := strings.LastIndexByte(string(before), '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCount(before)
}
