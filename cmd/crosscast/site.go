package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/safefs"
)

// source is one item to parse: its file on disk and, when it came from a
// site walk, its page and site.
type source struct {
	path string
	page *content.SitePage // nil outside a site walk
	site *content.Site
}

// siteFlags are the site walk's flags, shared by render and submit,
// named after what they let in (hugo's -D, -F and -E; jekyll's --drafts,
// --future and --unpublished).
type siteFlags struct {
	drafts, future, expired *bool
}

func addSiteFlags(fset *flag.FlagSet) siteFlags {
	return siteFlags{
		drafts:  fset.Bool("drafts", false, "under --compat, also render drafts (Hugo draft: true, Jekyll _drafts and published: false)"),
		future:  fset.Bool("future", false, "under --compat, also render pages published in the future"),
		expired: fset.Bool("expired", false, "under --compat, also render Hugo pages past their expiryDate"),
	}
}

// sources resolves the item arguments. Under compat a folder (for Hugo,
// one without index.md) is a site (a Hugo content folder, a Jekyll site) and is
// walked as its generator walks it: the pages it would not publish are
// noted on notes and left out, pages that cannot be rendered are
// returned as failures, and the rest come back with their site. The
// returned closer releases the sites' folders once parsing is done.
func sources(args []string, compat, lang string, f siteFlags, notes io.Writer) ([]source, content.Errors, func(), error) {
	var out []source
	var failed content.Errors
	var opened []*safefs.Dir
	closeAll := func() {
		for _, d := range opened {
			d.Close()
		}
	}
	walk := func(dir string) (*content.Site, error) {
		root, err := safefs.OpenDir(dir)
		if err != nil {
			return nil, content.Errors{{File: dir, Code: content.EInvalid, Message: err.Error()}}
		}
		opened = append(opened, root)
		var langDirs map[string]string
		if compat == content.CompatHugo {
			if langDirs, err = hugoLangDirs(dir); err != nil {
				return nil, err
			}
		}
		site, err := content.WalkSite(root, content.SiteOptions{Compat: compat, Drafts: *f.drafts, Future: *f.future,
			Expired: *f.expired, Now: time.Now(), DefaultLang: lang, LangDirs: langDirs})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		return site, nil
	}
	walked := map[string]*content.Site{} // by root, for files named one by one
	for _, a := range args {
		st, err := os.Stat(a)
		// A Hugo folder with index.md is one page, a leaf bundle; a Jekyll
		// site's index.md is its home page.
		bundle := compat == content.CompatHugo && exists(filepath.Join(a, "index.md"))
		if compat == "" || err != nil || !st.IsDir() || bundle {
			paths, err := expandItems([]string{a})
			if err != nil {
				closeAll()
				return nil, nil, nil, err
			}
			for _, p := range paths {
				s, err := inSite(p, compat, walked, walk)
				if err != nil {
					closeAll()
					return nil, nil, nil, err
				}
				out = append(out, s)
			}
			continue
		}
		site, err := walk(a)
		if err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		n := len(out)
		for _, p := range site.Pages {
			file := filepath.Join(a, filepath.FromSlash(p.File))
			switch {
			case p.Err != nil:
				d := *p.Err
				d.File = file
				failed = append(failed, d)
			case p.Skip != "":
				if notes != nil {
					fmt.Fprintf(notes, "%s: skipped: %s\n", file, p.Skip)
				}
			default:
				out = append(out, source{path: file, page: p, site: site})
			}
		}
		if len(out) == n && len(failed) == 0 {
			closeAll()
			return nil, nil, nil, content.Errors{{File: a, Code: content.ENotFound, Message: "the " + compat + " site holds no page to render"}}
		}
	}
	return out, failed, closeAll, nil
}

// inSite is the source for a file named on its own: under compat, when
// it lies in a site (a Hugo project's content folder, a Jekyll site),
// the page of that site, so its includes and links reach the site as in
// a walk. Named on its own, it is rendered whatever the walk would
// have skipped it for.
func inSite(p, compat string, walked map[string]*content.Site, walk func(string) (*content.Site, error)) (source, error) {
	root := siteRoot(p, compat)
	if root == "" {
		return source{path: p}, nil
	}
	site, ok := walked[root]
	if !ok {
		var err error
		if site, err = walk(root); err != nil {
			return source{}, err
		}
		walked[root] = site
	}
	abs, _ := filepath.Abs(p)
	rel, err := filepath.Rel(root, abs)
	page := site.Page(filepath.ToSlash(rel))
	if err != nil || page == nil {
		return source{path: p}, nil
	}
	return source{path: p, page: page, site: site}, nil
}

// siteRoot finds the site p lies in: for Hugo, the content folder of a
// project (beside hugo.toml or config.toml, or their YAML and JSON
// forms); for Jekyll, the folder holding _config.yml. "" when none.
func siteRoot(p, compat string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	for dir := filepath.Dir(abs); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		switch compat {
		case content.CompatHugo:
			if filepath.Base(dir) != "content" {
				continue
			}
			for _, n := range []string{"hugo", "config"} {
				for _, ext := range []string{".toml", ".yaml", ".yml", ".json"} {
					if exists(filepath.Join(filepath.Dir(dir), n+ext)) {
						return dir
					}
				}
			}
		case content.CompatJekyll:
			if exists(filepath.Join(dir, "_config.yml")) || exists(filepath.Join(dir, "_config.yaml")) {
				return dir
			}
		}
	}
	return ""
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// options are the parse options for s: under compat, the slug its site
// (or, for a file given on its own, its name) gives it, the site root
// for includes, and the site's link resolver.
func (s source) options(opts content.ParseOptions) content.ParseOptions {
	opts.Name = s.path
	if s.page != nil {
		opts.Slug, opts.Date = s.page.Slug, s.page.Date
		if s.page.Lang != "" {
			opts.DefaultLang = s.page.Lang // the front matter's lang: still wins
		}
		opts.Root = s.site.Root
		opts.ResolveLink = s.site.Resolver(s.page)
		opts.Cascade = s.page.Cascade
	} else if opts.Compat != "" {
		opts.Slug, opts.Date = nameSlug(s.path, opts.Compat)
	}
	return opts
}

// nameSlug is the slug Hugo and Jekyll give a page by its name: a
// bundle's folder name, a file's name without its extension (and, for a
// Jekyll post, without its date, which is the post's date).
func nameSlug(p, compat string) (string, time.Time) {
	base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	if base == "index" || base == "_index" {
		base = filepath.Base(filepath.Dir(p))
	}
	var date time.Time
	if compat == content.CompatJekyll && len(base) > 11 && base[4] == '-' && base[7] == '-' && base[10] == '-' {
		if t, err := time.Parse("2006-01-02", base[:10]); err == nil {
			base, date = base[11:], t
		}
	}
	if base == "." || base == string(filepath.Separator) {
		return "", date
	}
	return base, date
}

// parseSources parses every source and keeps going: it returns the
// items that parsed and every error of those that did not. Two items
// with one URL (language and slug) both fail, each error naming the
// other file: which one readers would get is not for crosscast to
// guess.
func parseSources(ctx context.Context, srcs []source, opts content.ParseOptions) ([]*content.Item, content.Errors, error) {
	var items []*content.Item
	var errs content.Errors
	var claims slugClaims
	for _, s := range srcs {
		it, err := content.ParseFile(ctx, s.path, s.options(opts))
		var ce content.Errors
		switch {
		case ctx.Err() != nil:
			return nil, nil, interrupted(ctx)
		case errors.As(err, &ce):
			errs = append(errs, ce...)
			continue
		case err != nil:
			errs = append(errs, content.Diagnostic{File: s.path, Message: err.Error()})
			continue
		}
		items = append(items, it)
		errs = append(errs, claims.claim(len(items)-1, it)...)
	}
	kept := items[:0]
	for i, it := range items {
		if !claims.lost(i) {
			kept = append(kept, it)
		}
	}
	return kept, errs, nil
}

// slugClaims finds items that share a URL (language and slug). It keeps
// only a few strings per item, not the items, so a streaming render can
// use it on any number of them.
type slugClaims struct {
	first   map[string]slugClaim // lang/slug: the first item to claim it
	clashed map[int]bool         // items that lost their URL
}

// slugClaim is where an item's slug comes from, in 32 bytes: a
// render of 10,000 items keeps one per item.
type slugClaim struct {
	path      string
	line, col int32
	i         int32
	slugField bool // written as slug:, else derived from title:
}

func (c slugClaim) at() content.Diagnostic {
	d := content.Diagnostic{File: c.path, Line: int(c.line), Col: int(c.col), Field: "title"}
	if c.slugField {
		d.Field = "slug"
	}
	return d
}

// claim records that item i (it) takes its URL, and returns the errors
// of a clash: one for it, and one for the earlier item the first time
// that item is clashed with.
func (c *slugClaims) claim(i int, it *content.Item) content.Errors {
	if c.first == nil {
		c.first, c.clashed = map[string]slugClaim{}, map[int]bool{}
	}
	key := it.Lang + "/" + it.Slug
	prev, dup := c.first[key]
	if !dup {
		at := it.Warning(it.SlugField(), "")
		c.first[key] = slugClaim{path: at.File, line: int32(at.Line), col: int32(at.Col), i: int32(i), slugField: at.Field == "slug"}
		return nil
	}
	d := it.Warning(it.SlugField(), "slug %q is already used by %s; neither is rendered", it.Slug, prev.path)
	d.Field, d.Code = "slug", content.EInvalid
	out := content.Errors{d}
	c.clashed[i] = true
	if !c.clashed[int(prev.i)] {
		pd := prev.at()
		pd.Message = fmt.Sprintf("slug %q is used by %s too; neither is rendered", it.Slug, it.Path)
		pd.Field, pd.Code = "slug", content.EInvalid
		out = append(out, pd)
		c.clashed[int(prev.i)] = true
	}
	return out
}

// lost reports whether item i shares its URL with another.
func (c *slugClaims) lost(i int) bool { return c.clashed[i] }

// parseAll parses every item, all or nothing: any error of any item is
// returned and no items.
func parseAll(ctx context.Context, paths []string, opts content.ParseOptions) ([]*content.Item, error) {
	srcs := make([]source, len(paths))
	for i, p := range paths {
		srcs[i] = source{path: p}
	}
	items, errs, err := parseSources(ctx, srcs, opts)
	switch {
	case err != nil:
		return nil, err
	case len(errs) > 0:
		return nil, errs
	}
	return items, nil
}
