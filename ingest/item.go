package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ContentID is the stable content id of an entry of a source: the
// source's id and a hash of the entry's key, so the same entry makes the
// same item however often it is fetched, and entries of two sources
// never meet.
func ContentID(source, key string) string {
	sum := sha256.Sum256([]byte(key))
	return source + "-" + hex.EncodeToString(sum[:8])
}

// ItemOptions say how an entry becomes an item file.
type ItemOptions struct {
	ID   string // the content id (ContentID)
	Slug string // empty: derived from the title
	Lang string // empty: the brand's
	Hero string // the hero's file name in the bundle, or empty
	// Canonical keeps the entry link as where the item lives: the
	// brand's pages are elsewhere and the portal copy points back.
	Canonical bool
}

type frontMatter struct {
	Title   string     `yaml:"title"`
	ID      string     `yaml:"id"`
	Slug    string     `yaml:"slug,omitempty"`
	Lang    string     `yaml:"lang,omitempty"`
	Date    string     `yaml:"date"`
	Summary string     `yaml:"summary,omitempty"`
	Author  string     `yaml:"author,omitempty"`
	Tags    []string   `yaml:"tags,omitempty"`
	Hero    *heroField `yaml:"hero,omitempty"`
	CTA     *ctaField  `yaml:"cta,omitempty"`
}

type heroField struct {
	Src string `yaml:"src"`
	Alt string `yaml:"alt,omitempty"`
}

type ctaField struct {
	Label string `yaml:"label"`
	URL   string `yaml:"url"`
}

// StoredDate reads the date an item's Markdown made by Item carries,
// so an entry without a date of its own keeps the one it was first
// given. ok is false for Markdown Item did not make.
func StoredDate(md []byte) (time.Time, bool) {
	rest, ok := bytes.CutPrefix(md, []byte("---\n"))
	if !ok {
		return time.Time{}, false
	}
	head, _, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		return time.Time{}, false
	}
	var fm frontMatter
	if err := yaml.Unmarshal(head, &fm); err != nil {
		return time.Time{}, false
	}
	d, err := time.Parse(time.RFC3339, fm.Date)
	return d, err == nil
}

// Item returns the entry as an item's Markdown file: YAML front matter
// and the converted body.
func (e Entry) Item(o ItemOptions) ([]byte, error) {
	fm := frontMatter{Title: e.Title, ID: o.ID, Slug: o.Slug, Lang: o.Lang, Date: e.Date.UTC().Format(time.RFC3339),
		Summary: e.Summary, Author: e.Author, Tags: e.Tags}
	if o.Hero != "" {
		fm.Hero = &heroField{Src: o.Hero, Alt: e.ImageAlt}
	}
	if o.Canonical && e.Link != "" {
		fm.CTA = &ctaField{Label: "Read the original", URL: e.Link}
	}
	head, err := yaml.Marshal(fm)
	if err != nil {
		return nil, fmt.Errorf("entry %q: front matter: %w", e.Title, err)
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	b.Write(head)
	b.WriteString("---\n\n")
	body := e.Body
	if body == "" {
		// Plain text standing in for the body: escaped, so a title
		// like "<script" stays text.
		body = escapeText(e.Summary)
		if body == "" {
			body = escapeText(e.Title)
		}
	}
	b.WriteString(body)
	b.WriteString("\n")
	return b.Bytes(), nil
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "#", "\\#")

// escapeText makes plain text safe to use as Markdown that reads as
// itself.
func escapeText(s string) string { return guardMarkdown(textEscaper.Replace(s)) }
