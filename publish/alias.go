package publish

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/content"
)

// aliasMark opens every redirect page the site writes, so a later write
// or an unpublish replaces or removes only its own pages, never another
// item's.
const aliasMark = "<!doctype html><!-- crosscast alias -->"

// aliasPages are the redirect pages of an item's aliases (old addresses,
// such as the one before a slug change, or a Hugo or Jekyll site's
// aliases and redirect_from): a static page at each that sends the
// reader on to the item's page. A static site has no server to answer
// 301, so this is the page Hugo and Jekyll write too.
func aliasPages(it *content.Item, b *content.Brand, canonical string) []File {
	page := content.PortalPath(it, b)
	var out []File
	for _, a := range it.Aliases {
		dir, ok := aliasDir(a)
		if !ok || dir == page {
			continue
		}
		// Relative, so the redirect works wherever the site is served
		// (its domain, or /sites/<brand>/ locally).
		rel := strings.Repeat("../", strings.Count(dir, "/")-1) + strings.TrimPrefix(page, "/")
		var b strings.Builder
		b.WriteString(aliasMark)
		fmt.Fprintf(&b, `<html><head><meta charset="utf-8"><title>Moved</title><meta name="robots" content="noindex">`+
			`<link rel="canonical" href="%s"><meta http-equiv="refresh" content="0; url=%s"></head>`+
			`<body><p>This page has moved to <a href="%s">%s</a>.</p></body></html>`+"\n",
			html.EscapeString(canonical), html.EscapeString(rel), html.EscapeString(rel), html.EscapeString(canonical))
		out = append(out, File{Name: dir + "index.html", Data: []byte(b.String())})
	}
	return out
}

// aliasDir cleans an alias to a folder path with slashes at both ends;
// false for one that names the site root or a file.
func aliasDir(a string) (string, bool) {
	a = strings.TrimSpace(a)
	if !strings.HasPrefix(a, "/") || strings.ContainsAny(a, "?#\\\x00") {
		return "", false
	}
	clean := path.Clean(a)
	if clean == "/" || path.Ext(clean) != "" {
		return "", false
	}
	return clean + "/", true
}

// writeAliases writes redirect pages, leaving alone any path that holds
// a page of the site's own (another item's, the catalog's). A folder
// the item's own page was at before (former) is replaced whole, with
// the images beside that page.
func (s *Site) writeAliases(brand string, pages []File, former []string) error {
	var mine []File
	for _, f := range pages {
		if dir := path.Dir(f.Name) + "/"; slices.Contains(former, dir) {
			if err := s.Remove(brand, dir); err != nil {
				return err
			}
		}
		ok, err := s.ownAlias(brand, f.Name)
		if err != nil {
			return err
		}
		if ok {
			mine = append(mine, f)
		}
	}
	return s.Write(brand, mine)
}

// removeAliases deletes the redirect pages the site wrote.
func (s *Site) removeAliases(brand string, pages []File) error {
	for _, f := range pages {
		ok, err := s.ownAlias(brand, f.Name)
		if err != nil {
			return err
		}
		name, _ := s.path(brand, f.Name)
		if !ok {
			continue
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		os.Remove(filepath.Dir(name)) // only if now empty
	}
	return nil
}

// ownAlias tells whether name is free or holds a redirect page.
func (s *Site) ownAlias(brand, name string) (bool, error) {
	p, err := s.path(brand, name)
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return bytes.HasPrefix(data, []byte(aliasMark)), nil
}
