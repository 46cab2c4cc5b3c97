package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/crosscast/crosscast/content"
)

// draftForm is the writer's editor: the common front-matter fields as
// inputs, the rest of the front matter as YAML, and the Markdown body.
type draftForm struct {
	Brand     string
	Title     string
	Slug      string // empty: derived from the title
	Summary   string
	Tags      string // comma-separated
	Lang      string
	PublishAt string // datetime-local, in TZ
	TZ        string
	Hero      string // an image path inside the bundle
	HeroAlt   string
	Extra     string // any other front matter, as YAML
	Body      string
}

// formFields are the front-matter keys the form has inputs for.
var formFields = map[string]bool{"title": true, "slug": true, "summary": true, "tags": true, "lang": true, "publish_at": true, "hero": true}

// source writes the form as a Markdown file with YAML front matter, and
// tells on which line of it the body starts, so errors in the file map
// back to the textarea.
func (f draftForm) source() (src []byte, bodyLine int, err error) {
	var b bytes.Buffer
	b.WriteString("---\n")
	q := func(s string) string { j, _ := json.Marshal(s); return string(j) } // a JSON string is a YAML string
	if f.Title != "" {
		fmt.Fprintf(&b, "title: %s\n", q(f.Title))
	}
	if slug := strings.TrimSpace(f.Slug); slug != "" {
		fmt.Fprintf(&b, "slug: %s\n", q(slug))
	}
	if f.Summary != "" {
		fmt.Fprintf(&b, "summary: %s\n", q(strings.Join(strings.Fields(f.Summary), " ")))
	}
	var tags []string
	for _, t := range strings.Split(f.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		j, _ := json.Marshal(tags)
		fmt.Fprintf(&b, "tags: %s\n", j)
	}
	if f.Lang != "" {
		fmt.Fprintf(&b, "lang: %s\n", q(f.Lang))
	}
	if f.PublishAt != "" {
		t, err := scheduleTime(f.PublishAt, f.TZ)
		if err != nil {
			return nil, 0, content.Errors{{File: "index.md", Field: "publish_at", Code: content.EInvalid, Message: err.Error()}}
		}
		fmt.Fprintf(&b, "publish_at: %s\n", t.Format(time.RFC3339))
	}
	if f.Hero != "" {
		fmt.Fprintf(&b, "hero: {src: %s, alt: %s}\n", q(f.Hero), q(f.HeroAlt))
	}
	if extra := strings.TrimSpace(f.Extra); extra != "" {
		b.WriteString(extra)
		b.WriteString("\n")
	}
	b.WriteString("---\n")
	bodyLine = bytes.Count(b.Bytes(), []byte("\n")) + 1
	b.WriteString(strings.ReplaceAll(f.Body, "\r\n", "\n"))
	if !strings.HasSuffix(f.Body, "\n") {
		b.WriteString("\n")
	}
	return b.Bytes(), bodyLine, nil
}

// splitSource fills the form from a stored item's Markdown: the known
// fields into inputs, other front matter into Extra, the rest as body.
// A source it cannot split goes whole into the body.
func splitSource(src []byte) draftForm {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return draftForm{Body: text}
	}
	if body, ok := strings.CutPrefix(rest, "---\n"); ok {
		return draftForm{Body: body} // empty front matter
	}
	end := strings.Index(rest, "\n---\n")
	if end < 0 {
		return draftForm{Body: text}
	}
	fm, body := rest[:end+1], rest[end+len("\n---\n"):]
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return draftForm{Body: text}
	}
	m := doc.Content[0]
	f := draftForm{Body: body}
	var keep []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !formFields[k.Value] || !f.take(k.Value, v) {
			keep = append(keep, k, v)
		}
	}
	if len(keep) > 0 {
		m.Content = keep
		var out bytes.Buffer
		enc := yaml.NewEncoder(&out)
		enc.SetIndent(2)
		if enc.Encode(m) == nil {
			f.Extra = out.String()
		}
	}
	return f
}

// take sets one known field from its YAML value; false leaves it in
// Extra (a shape the inputs cannot hold, such as a hero with a focus).
func (f *draftForm) take(key string, v *yaml.Node) bool {
	switch key {
	case "title", "slug", "summary", "lang":
		if v.Kind != yaml.ScalarNode {
			return false
		}
		switch key {
		case "title":
			f.Title = v.Value
		case "slug":
			f.Slug = v.Value
		case "summary":
			f.Summary = v.Value
		default:
			f.Lang = v.Value
		}
	case "tags":
		var tags []string
		if v.Decode(&tags) != nil {
			return false
		}
		f.Tags = strings.Join(tags, ", ")
	case "publish_at":
		var t time.Time
		if v.Decode(&t) != nil {
			return false
		}
		f.PublishAt, f.TZ = t.UTC().Format("2006-01-02T15:04"), "UTC"
	case "hero":
		var h map[string]string
		if v.Decode(&h) != nil {
			return false
		}
		for k := range h {
			if k != "src" && k != "alt" {
				return false // a focus point or the like: keep it as written
			}
		}
		f.Hero, f.HeroAlt = h["src"], h["alt"]
	}
	return true
}

// formError is a problem shown next to an input, or at a line of the
// body.
type formError struct {
	Input    string `json:"input"` // the input's name: title, tags, body, extra, …
	BodyLine int    `json:"body_line,omitempty"`
	Line     int    `json:"line,omitempty"` // of the extra front matter
	Message  string `json:"message"`
}

// formLines tells where the form's text areas start in the composed
// file, so a diagnostic's line maps back to a line of the one it is in.
type formLines struct {
	Extra int // the extra front matter's first line; 0: none
	Body  int
}

// lines finds the text areas in the file source composes, whose body
// starts at bodyLine: the extra front matter is written trimmed, right
// before the closing ---.
func (f draftForm) lines(bodyLine int) formLines {
	at := formLines{Body: bodyLine}
	trimmed := strings.TrimSpace(f.Extra)
	if trimmed == "" {
		return at
	}
	written := strings.Count(trimmed, "\n") + 1
	lead := strings.Count(f.Extra[:strings.Index(f.Extra, trimmed)], "\n")
	at.Extra = bodyLine - 1 - written - lead
	return at
}

// placeErrors maps positioned diagnostics of the composed file to the
// form's inputs.
func placeErrors(ds []content.Diagnostic, at formLines) []formError {
	bodyLine := at.Body
	var out []formError
	for _, d := range ds {
		e := formError{Message: d.Message}
		root := d.Field
		if i := strings.IndexAny(root, ".["); i >= 0 {
			root = root[:i]
		}
		switch {
		case root == "hero" && strings.HasSuffix(d.Field, "alt"):
			e.Input = "hero_alt"
		case formFields[root]:
			e.Input = root
		case d.Line >= bodyLine:
			e.Input, e.BodyLine = "body", d.Line-bodyLine+1
		case d.Field != "" || d.Line > 0:
			e.Input = "extra"
			if at.Extra > 0 && d.Line > 0 {
				e.Line = max(1, d.Line-at.Extra+1)
			}
			if d.Field != "" {
				e.Message = d.Field + ": " + d.Message
			}
		default:
			e.Input = "form"
		}
		out = append(out, e)
	}
	return out
}
