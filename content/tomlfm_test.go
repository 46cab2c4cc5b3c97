package content

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// TestCompatTOML reads TestCompat's Hugo post written in TOML, as Hugo
// sites often are: the same fields come out, through the same mapping.
func TestCompatTOML(t *testing.T) {
	src := `+++
title = "Winter checklist"
description = "What to pack when the days are short."
date = 2025-12-01T08:00:00+01:00
lastmod = 2025-12-03
draft = true
tags = ["gear"]
categories = ["Guides", "gear"]
images = ["cover.png"]
aliases = ["/old/winter/"]
weight = 10
toc = true

[params]
mood = "cold"
+++
Body with <b>"quotes"</b>.
`
	files := fstest.MapFS{"cover.png": {Data: pngBytes(t, 10, 10)}}
	it := mustParse(t, src, files, ParseOptions{Compat: CompatHugo})
	if it.Title != "Winter checklist" || it.Summary != "What to pack when the days are short." || it.SummaryDerived {
		t.Errorf("title %q summary %q", it.Title, it.Summary)
	}
	if got := strings.Join(it.Tags, ","); got != "gear,Guides" {
		t.Errorf("tags = %q", got)
	}
	if it.Hero == nil || it.Hero.Src != "cover.png" || it.Images[0].Asset == nil {
		t.Errorf("hero = %+v", it.Hero)
	}
	if !it.Draft || it.Updated.Format("2006-01-02") != "2025-12-03" || it.Date.Hour() != 7 || len(it.Aliases) != 1 {
		t.Errorf("draft=%v updated=%v date=%v aliases=%v", it.Draft, it.Updated, it.Date, it.Aliases)
	}
	if it.BodyLine != 17 {
		t.Errorf("body line %d, want 17", it.BodyLine)
	}
	var ignored []string
	for _, w := range it.Warnings {
		if strings.Contains(w.Message, "were ignored") {
			ignored = append(ignored, w.String())
		}
	}
	if len(ignored) != 1 || !strings.Contains(ignored[0], "params, toc, weight") {
		t.Errorf("ignored warnings = %q", ignored)
	}
}

// TestTOMLErrors checks that TOML problems are reported at their place
// in the file.
func TestTOMLErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"syntax", "+++\ntitle = \"Hi\"\ndraft = tru\n+++\n", "post.md:3:9: TOML syntax:"},
		{"wrong type", "+++\ntitle = \"Hi\"\n\ndraft = \"maybe\"\n+++\n", "post.md:4:9: draft: must be true or false, not `maybe`"},
		{"unknown field after a table", "+++\ntitle = \"Hi\"\n[params]\nx = 1\n[hero]\nsrc = \"a.png\"\nalt_text = \"x\"\n+++\n", "post.md:5:8: hero.alt_text: unknown field"},
		{"duplicate key", "+++\ntitle = \"a\"\ntitle = \"b\"\n+++\n", "post.md:3:1: TOML syntax:"},
		{"missing title", "+++\nauthor = \"Ann\"\n+++\n", "post.md:1:1: title: is required"},
		{"unclosed", "+++\ntitle = \"Hi\"\n", "post.md:1:1: the front matter is not closed: add a +++ line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(t, tt.src, nil, ParseOptions{Compat: CompatHugo})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%v\ndoes not contain\n%s", err, tt.want)
			}
		})
	}
}

// FuzzTOMLFrontMatter feeds TOML headers (and, after a "\x00json" mark,
// whole files with JSON headers) to Parse under compat hugo: an
// error is a positioned diagnostic, never a panic, and an accepted item
// has its derived values.
func FuzzTOMLFrontMatter(f *testing.F) {
	for _, s := range []string{
		"title = \"Hi\"\n",
		"title = 'x'\ndate = 2025-01-02\ntags = [\"a\", \"b\"]\n[params]\na.b.c = 1\n",
		"title = \"x\"\n[[hero]]\nsrc = 1\n",
		"\"title\" = \"q\"\n'tags' = []\nt.\"u\\u0041\" = 2\n",
		"title = \"\"\"\nmulti\nline\"\"\"\ndraft = false\nx = nan\n",
		"title = \"x\"\nd = 07:32:00\nl = 1979-05-27T07:32:00\n",
		"title = {a = 1}\n",
	} {
		f.Add([]byte(s))
	}
	for _, s := range []string{"{\"title\": \"x\"}\nbody", "{\n\"title\": \"x\",\n\"tags\": [\n1]}\n", "{\"title\": 1", "{}"} {
		f.Add([]byte("\x00json" + s))
	}
	f.Fuzz(func(t *testing.T, fm []byte) {
		src := append(append([]byte("+++\n"), fm...), "\n+++\nbody\n"...)
		if j, ok := bytes.CutPrefix(fm, []byte("\x00json")); ok {
			src = j // JSON front matter: the input is the whole file
		}
		it, err := ParseBytes(fstest.MapFS{}, "f.md", src, ParseOptions{Compat: CompatHugo})
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
			}
			for _, d := range errs {
				if d.File != "f.md" || d.Line < 0 || d.Message == "" || !utf8.ValidString(d.String()) && utf8.Valid(src) {
					t.Fatalf("bad diagnostic %#v", d)
				}
			}
			return
		}
		if it.Title == "" || !ValidSlug(it.Slug) || it.Doc == nil {
			t.Fatalf("accepted item lacks derived values: title=%q slug=%q", it.Title, it.Slug)
		}
	})
}

// TestCompatJSON reads Hugo's JSON front matter, fields at their lines.
func TestCompatJSON(t *testing.T) {
	src := "{\n  \"title\": \"Winter checklist\",\n  \"description\": \"What to pack.\",\n  \"tags\": [\n    \"gear\"\n  ],\n  \"draft\": true\n}\n\nBody.\n"
	it := mustParse(t, src, nil, ParseOptions{Compat: CompatHugo})
	if it.Title != "Winter checklist" || it.Summary != "What to pack." || !it.Draft || strings.Join(it.Tags, ",") != "gear" {
		t.Errorf("title %q summary %q draft %v tags %v", it.Title, it.Summary, it.Draft, it.Tags)
	}
	if it.BodyLine != 9 {
		t.Errorf("body line %d, want 9", it.BodyLine)
	}
	for _, tt := range []struct{ src, want string }{
		{"{\n  \"title\": \"Hi\",\n  \"draft\": \"maybe\"\n}\n", "post.md:3:"},
		{"{\n  \"title\": \"Hi\",\n  \"draft\": tru\n}\n", "post.md:3:"},
		{"{\"title\": \"Hi\"\n", "post.md:1:1: the JSON front matter is not closed"},
	} {
		_, err := parseString(t, tt.src, nil, ParseOptions{Compat: CompatHugo})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %s", tt.src, err, tt.want)
		}
	}
}

// TestHugoHeaderAsYAML: a TOML or JSON header becomes YAML on the same
// lines, so the body keeps its line numbers; YAML and broken headers are
// left alone.
func TestHugoHeaderAsYAML(t *testing.T) {
	for _, src := range []string{
		"+++\ntitle = \"T\"\n\n[params]\na = 1\n+++\nBody.\n",
		"{\n  \"title\": \"T\",\n  \"tags\": [\n    \"a\"\n  ]\n}\nBody.\n",
	} {
		got := HugoHeaderAsYAML([]byte(src))
		if !strings.HasPrefix(string(got), "---\n") || strings.Count(string(got), "\n") != strings.Count(src, "\n") || !strings.HasSuffix(string(got), "---\nBody.\n") {
			t.Errorf("%q became %q", src, got)
		}
		if _, err := ParseBytes(fstest.MapFS{}, "p.md", got, ParseOptions{Compat: CompatHugo}); err != nil {
			t.Errorf("%q: %v", got, err)
		}
	}
	for _, src := range []string{"---\ntitle: T\n---\n", "+++\ntitle = \n+++\n", "{\"title\": \"T\"}\n"} {
		if got := HugoHeaderAsYAML([]byte(src)); string(got) != src {
			t.Errorf("%q changed to %q", src, got)
		}
	}
}
