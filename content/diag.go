package content

import (
	"fmt"
	"sort"
	"strings"
)

// Error codes let callers (the CLI, the HTTP API) map a problem to an exit
// code or a status without parsing messages.
const (
	EInvalid  = "invalid"   // the input breaks a rule: unknown field, wrong type, bad value
	ETooLarge = "too_large" // a size limit is exceeded
	ENotFound = "not_found" // a referenced file is missing
)

// Diagnostic is one error or warning about an input file, positioned so a
// writer can jump straight to it.
type Diagnostic struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// String formats the diagnostic as "file:line:col: field: message", the form
// editors and compilers use, leaving out parts that are unknown.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		if d.Col > 0 {
			fmt.Fprintf(&b, ":%d", d.Col)
		}
	}
	b.WriteString(": ")
	if d.Field != "" {
		b.WriteString(d.Field)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Errors is a list of diagnostics that together make an input unusable.
type Errors []Diagnostic

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, d := range e {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Code reports the most telling code in the list: a size limit wins over a
// missing file, which wins over a plain validation error, because the fix
// differs.
func (e Errors) Code() string {
	code := EInvalid
	for _, d := range e {
		switch d.Code {
		case ETooLarge:
			return ETooLarge
		case ENotFound:
			code = ENotFound
		}
	}
	return code
}

// diags collects diagnostics for one file.
type diags struct {
	file     string
	lineBase int // added to yaml node lines: the front matter starts below the opening ---
	// remap, once shortcodes are expanded, takes a file line of the
	// expanded body back to the line the writer wrote.
	remap func(int) int
	errs  Errors
	warns []Diagnostic
}

func (d *diags) errorf(line, col int, field, code, format string, args ...any) {
	if line > 0 {
		line += d.lineBase
	}
	if d.remap != nil {
		line = d.remap(line)
	}
	d.errs = append(d.errs, Diagnostic{File: d.file, Line: line, Col: col, Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (d *diags) warnf(line, col int, field, format string, args ...any) {
	if line > 0 {
		line += d.lineBase
	}
	if d.remap != nil {
		line = d.remap(line)
	}
	d.warns = append(d.warns, Diagnostic{File: d.file, Line: line, Col: col, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (d *diags) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	sortDiags(d.errs)
	return d.errs
}

func sortDiags(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Line != ds[j].Line {
			return ds[i].Line < ds[j].Line
		}
		return ds[i].Col < ds[j].Col
	})
}
