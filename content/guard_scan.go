package content

import "bytes"

// The scans below read the raw body, line by line, before goldmark
// parses it: each finds, in linear time, an input whose parse would
// cost more than the limits allow, so it is refused with its line first.

// lineSpan is one line of the body: [start, end) without the newline.
type lineSpan struct{ start, end int }

func splitLines(b []byte) []lineSpan {
	out := make([]lineSpan, 0, bytes.Count(b, []byte{'\n'})+1)
	for start := 0; start <= len(b); {
		end := bytes.IndexByte(b[start:], '\n')
		if end < 0 {
			out = append(out, lineSpan{start, len(b)})
			break
		}
		out = append(out, lineSpan{start, start + end})
		start += end + 1
	}
	return out
}

// fence tracks fenced code blocks (``` or ~~~), which goldmark does not
// parse for links or containers, so their content is not counted.
type fence struct {
	char byte
	n    int
}

// update reports whether line is inside (or opens or closes) a fence.
func (f *fence) update(line []byte) bool {
	t := bytes.TrimLeft(line, " ")
	if len(line)-len(t) > 3 && f.n == 0 {
		return false
	}
	run := 0
	for run < len(t) && (t[run] == '`' || t[run] == '~') && t[run] == t[0] {
		run++
	}
	switch {
	case f.n == 0 && run >= 3:
		f.char, f.n = t[0], run
		return true
	case f.n > 0 && run >= f.n && t[0] == f.char && len(bytes.TrimSpace(t[run:])) == 0:
		f.n = 0
		return true
	}
	return f.n > 0
}

// linkScan follows, for every `](` outside fenced code, the scan goldmark
// makes for the link's destination and title, and adds up the bytes it
// reads. Past linkScanBudget it reports the line and column of the first
// opener whose scan ran long.
func linkScan(body []byte, lines []lineSpan) (line, col int, ok bool) {
	var f fence
	total := 0
	firstLine, firstCol := 0, 0
	paraEnd := -1 // end of the paragraph holding the current line
	for i, l := range lines {
		text := body[l.start:l.end]
		if f.update(text) {
			continue
		}
		if len(bytes.TrimSpace(text)) == 0 {
			paraEnd = -1
			continue
		}
		if paraEnd < l.start {
			paraEnd = paragraphEnd(body, lines, i)
		}
		for off := 0; ; {
			k := bytes.Index(text[off:], []byte("]("))
			if k < 0 {
				break
			}
			p := l.start + off + k
			cost := linkCost(body, p+2, l.end, paraEnd)
			if cost > 256 && firstLine == 0 {
				firstLine, firstCol = i+1, p-l.start+1
			}
			total += cost
			if total > linkScanBudget {
				if firstLine == 0 {
					firstLine, firstCol = i+1, p-l.start+1
				}
				return firstLine, firstCol, false
			}
			off += k + 2
		}
	}
	return 0, 0, true
}

// delimiterScan counts, per paragraph outside fenced code, the runs of
// `*`, `_` and `~` goldmark would push on its delimiter stack, and
// reports where a paragraph passes MaxDelimiterRuns. Runs inside code
// spans are counted too: that only errs towards refusing a paragraph no
// one would write.
func delimiterScan(body []byte, lines []lineSpan) (line, col int, ok bool) {
	var f fence
	runs := 0
	for i, l := range lines {
		text := body[l.start:l.end]
		if f.update(text) {
			continue
		}
		if len(bytes.TrimSpace(text)) == 0 {
			runs = 0
			continue
		}
		for j := 0; j < len(text); j++ {
			c := text[j]
			if c != '*' && c != '_' && c != '~' {
				continue
			}
			if j > 0 && (text[j-1] == c || text[j-1] == '\\') {
				continue // the same run, or an escaped marker
			}
			if runs++; runs > MaxDelimiterRuns {
				return i + 1, j + 1, false
			}
		}
	}
	return 0, 0, true
}

// paragraphEnd is the offset where the run of non-blank lines holding
// line i ends.
func paragraphEnd(body []byte, lines []lineSpan, i int) int {
	for ; i < len(lines); i++ {
		if len(bytes.TrimSpace(body[lines[i].start:lines[i].end])) == 0 {
			return lines[i].start
		}
	}
	return len(body)
}

// linkCost is the number of bytes goldmark reads for an inline link
// whose `(` ends just before p: the destination up to white space or an
// unbalanced `)` (or up to `>` for <…>), then a quoted or parenthesised
// title up to its closer anywhere in the paragraph.
func linkCost(b []byte, p, lineEnd, paraEnd int) int {
	i := skipBlanks(b, p, lineEnd)
	if i < lineEnd && b[i] == '<' {
		for i++; i < lineEnd; i++ {
			switch b[i] {
			case '\\':
				i++
			case '>':
				return i - p
			}
		}
		return i - p // no closing >: the link fails here
	}
	opened := 0
dest:
	for ; i < lineEnd; i++ {
		switch c := b[i]; {
		case c == '\\':
			i++
		case c == '(':
			opened++
		case c == ')':
			if opened--; opened < 0 {
				break dest
			}
		case c == ' ' || c == '\t' || c == '\r':
			break dest
		}
	}
	i = skipBlanks(b, i, lineEnd)
	if i >= lineEnd || b[i] == ')' {
		return i - p
	}
	closer := b[i]
	switch closer {
	case '(':
		closer = ')'
	case '"', '\'':
	default:
		return i - p
	}
	for i++; i < paraEnd; i++ {
		switch b[i] {
		case '\\':
			i++
		case closer:
			return i - p
		}
	}
	return i - p
}

func skipBlanks(b []byte, i, end int) int {
	for i < end && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// containerDepth finds the first line, outside fenced code, whose
// leading container markers (`>`, list bullets and numbers) and
// indentation already prove more than MaxNesting levels. It is a lower
// bound on the depth goldmark would build, and cheap: goldmark's own
// cost grows faster than linearly with depth, so the deepest bodies must
// be turned away before it parses them. checkNesting has the exact word
// after parsing.
func containerDepth(body []byte, lines []lineSpan) (line, depth int) {
	var f fence
	for i, l := range lines {
		text := body[l.start:l.end]
		if f.update(text) {
			continue
		}
		if n := lineDepth(text); n > MaxNesting {
			return i + 1, n
		}
	}
	return 0, 0
}

// lineDepth counts a blockquote marker as one level, a list marker as
// two (the list and its item), and two columns of indentation as one
// level (a nested list item is indented by at least two columns and
// adds two levels).
func lineDepth(s []byte) int {
	levels, cols := 0, 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			cols++
			i++
		case c == '\t':
			cols += 4 - cols%4
			i++
		case c == '>':
			levels++
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t'):
			levels += 2
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && j-i < 9 && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j+1 < len(s) && (s[j] == '.' || s[j] == ')') && (s[j+1] == ' ' || s[j+1] == '\t') {
				levels += 2
				i = j + 1
				continue
			}
			return levels + cols/2
		default:
			return levels + cols/2
		}
	}
	return levels + cols/2
}

// blockScan counts, before goldmark parses the body, the elements that
// lines starting blocks must make: a paragraph or heading per run of text
// lines (a setext underline closes one), two per list item (the item and
// its text). It is a lower bound on what checkTree counts, skipping what
// it cannot be sure of (fenced code, HTML blocks, lines indented as code),
// so a body it rejects checkTree would reject too, only after goldmark's
// full parse. It returns the 1-based line where the count passes
// MaxElements, or 0.
func blockScan(body []byte, lines []lineSpan) int {
	var f fence
	n, open := 0, false // open: a paragraph continues on the next line
	inHTML := ""        // the end marker of an HTML block being skipped
	labels := refLabels(body, lines)
	for i, l := range lines {
		text := body[l.start:l.end]
		t := bytes.TrimLeft(text, " ")
		blank := len(bytes.TrimSpace(text)) == 0
		switch {
		case inHTML != "":
			if (inHTML == "\n" && blank) || (inHTML != "\n" && bytes.Contains(bytes.ToLower(text), []byte(inHTML))) {
				inHTML = ""
			}
			open = false
			continue
		case f.update(text):
			open = false
			continue
		case blank:
			open = false
			continue
		case len(text)-len(t) > 3:
			continue // code, or a lazy or nested line: not counted
		case t[0] == '<':
			inHTML, open = htmlBlockEnd(t), false
			if bytes.Contains(bytes.ToLower(t[1:]), []byte(inHTML)) && inHTML != "\n" {
				inHTML = ""
			}
			continue
		case isListItem(t):
			n += 2
			open = false
		case t[0] == '#' && atxHeading(t):
			n++
			open = false
		case open && setextUnderline(t):
			open = false // the paragraph, counted, became a heading
		case !open:
			if t[0] != '[' && t[0] != '>' && t[0] != '|' {
				n++ // a new paragraph (a [ may be a reference definition)
			}
			open = true
		}
		n += refUses(t, labels)
		// Footnote references and definitions ([^x], [^x]: …) are each an
		// element; a literal "[^" that is neither is rare enough to count.
		n += bytes.Count(t, []byte("[^"))
		// So are links and bare URLs, which the linkify extension turns
		// into links; a URL inside a code span is the rare over-count.
		n += bytes.Count(t, []byte("://")) + bytes.Count(t, []byte("www."))
		if n > MaxElements {
			return i + 1
		}
	}
	return 0
}

// refLabels collects the labels of the body's reference definitions
// ("[label]: url" lines), lower-cased, or nil when there are none.
func refLabels(body []byte, lines []lineSpan) map[string]bool {
	var labels map[string]bool
	for _, l := range lines {
		t := bytes.TrimLeft(body[l.start:l.end], " ")
		if len(body[l.start:l.end])-len(t) > 3 || len(t) < 4 || t[0] != '[' {
			continue
		}
		end := bytes.Index(t, []byte("]:"))
		if end < 2 || end > 100 || bytes.ContainsAny(t[1:end], "[]`<\\") {
			continue
		}
		if labels == nil {
			labels = map[string]bool{}
		}
		labels[string(bytes.ToLower(t[1:end]))] = true
	}
	return labels
}

// refUses counts the shortcut and full references "[label]" on a line
// whose label is defined: each is a link. Lines with code spans, HTML or
// escapes, which may hide a bracket from goldmark, are not counted.
func refUses(t []byte, labels map[string]bool) int {
	if labels == nil || bytes.ContainsAny(t, "`<\\") {
		return 0
	}
	n := 0
	for i := 0; i < len(t); i++ {
		if t[i] != '[' {
			continue
		}
		end := bytes.IndexByte(t[i+1:], ']')
		if end < 1 || end > 100 {
			continue
		}
		j := i + 1 + end // the closing ]
		next := byte(0)
		if j+1 < len(t) {
			next = t[j+1]
		}
		if next != '[' && next != '(' && next != ':' && labels[string(bytes.ToLower(t[i+1:j]))] {
			n++
		}
		i = j
	}
	return n
}

func isListItem(t []byte) bool {
	if len(t) >= 3 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && (t[1] == ' ' || t[1] == '\t') {
		rest := bytes.TrimSpace(t[2:])
		// "- - -" and "* * *" are thematic breaks, still one element, but
		// not two.
		return len(rest) > 0 && len(bytes.Trim(rest, "-*_ \t")) > 0
	}
	return false
}

func atxHeading(t []byte) bool {
	j := 0
	for j < len(t) && t[j] == '#' {
		j++
	}
	return j <= 6 && (j == len(t) || t[j] == ' ' || t[j] == '\t')
}

func setextUnderline(t []byte) bool {
	s := bytes.TrimRight(t, " \t")
	return len(s) > 0 && s[0] == '=' && len(bytes.Trim(s, "=")) == 0
}

// htmlBlockEnd returns what ends the HTML block a line starting with <
// opens: a closing tag or marker (CommonMark's kinds 1 to 5), or "\n" for
// a blank line.
func htmlBlockEnd(t []byte) string {
	low := bytes.ToLower(t)
	for _, tag := range []string{"script", "pre", "style", "textarea"} {
		if bytes.HasPrefix(low[1:], []byte(tag)) {
			return "</" + tag + ">"
		}
	}
	switch {
	case bytes.HasPrefix(low, []byte("<!--")):
		return "-->"
	case bytes.HasPrefix(low, []byte("<?")):
		return "?>"
	case bytes.HasPrefix(low, []byte("<![cdata[")):
		return "]]>"
	case bytes.HasPrefix(low, []byte("<!")):
		return ">"
	}
	return "\n"
}
