package content

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/crosscast/crosscast/internal/safefs"
	"go.yaml.in/yaml/v3"
)

// SiteOptions say which pages of a Hugo or Jekyll site a walk renders,
// with the generators' own rules: drafts, future and expired pages are
// left out unless asked for, as `hugo` leaves them out without -D, -F
// and -E.
type SiteOptions struct {
	Compat  string // CompatHugo or CompatJekyll
	Drafts  bool   // render drafts (Hugo draft: true; Jekyll _drafts and published: false)
	Future  bool   // render pages whose publish date is after Now
	Expired bool   // render pages whose expiry date is before Now (Hugo)
	Now     time.Time
	// DefaultLang is the brand's language: pages in it live at /slug/,
	// others at /lang/slug/ (see PortalPath).
	DefaultLang string
	// LangDirs are a multilingual Hugo site's content folders (its
	// languages' contentDir, slash-separated below the walked folder),
	// each walked as a content root whose pages are in its language
	// (HugoLangDirs reads them from the site's config).
	LangDirs map[string]string // folder → language
}

// SitePage is one page a site walk found.
type SitePage struct {
	File string // slash-separated path below the site root
	// Slug is the slug the site gives the page when its front matter
	// sets none: the file or bundle name (ParseOptions.Slug).
	Slug string
	// Skip says why the page is not rendered; empty when it is.
	Skip string
	// SiteURL is the page's path in the generator's own site, which
	// links written relative to the page's URL resolve against.
	SiteURL string
	// Portal is the page's path on the brand's portal.
	Portal string
	// Lang is the language the file name gives the page (Hugo's
	// about.nl.md), or "".
	Lang string
	// Date is the date the site gives the page when its front matter
	// sets none (ParseOptions.Date): a Jekyll post's, from its name.
	Date time.Time
	// Err, when set, is why the page cannot be rendered although it is
	// a page of the site (it shares its URL with another one).
	Err *Diagnostic
	// Cascade is the front matter the page inherits from the cascade
	// of the Hugo sections above it (ParseOptions.Cascade).
	Cascade map[string]any

	section bool // a Hugo _index.md
}

// Site is the pages of one content tree.
type Site struct {
	Root   fs.FS
	Pages  []*SitePage // in walk order
	opts   SiteOptions
	byFile map[string]*SitePage
	byURL  map[string]*SitePage
	// langRoot and dirLang are the content folder being walked and its
	// language, under LangDirs.
	langRoot, dirLang string
}

// WalkSite lists the pages of the Hugo content folder or Jekyll site in
// fsys. Only an unreadable folder is an error; problems with a page are
// its Err, or left for Parse to report.
func WalkSite(fsys fs.FS, opts SiteOptions) (*Site, error) {
	if opts.Compat != CompatHugo && opts.Compat != CompatJekyll {
		return nil, fmt.Errorf("site walk: unknown compat mode %q; use hugo or jekyll", opts.Compat)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	s := &Site{Root: fsys, opts: opts, byFile: map[string]*SitePage{}, byURL: map[string]*SitePage{}}
	var err error
	switch {
	case opts.Compat == CompatHugo && len(opts.LangDirs) > 0:
		err = s.walkLangDirs()
	case opts.Compat == CompatHugo:
		err = s.walkHugo(".", nil)
	default:
		err = s.walkJekyll(".", false)
	}
	if err != nil {
		return nil, err
	}
	s.checkClashes()
	return s, nil
}

// Render returns the pages to render, in walk order.
func (s *Site) Render() []*SitePage {
	var out []*SitePage
	for _, p := range s.Pages {
		if p.Skip == "" && p.Err == nil {
			out = append(out, p)
		}
	}
	return out
}

// Page returns the page of file (slash-separated, below the root), or nil.
func (s *Site) Page(file string) *SitePage { return s.byFile[file] }

func isMarkdown(name string) bool {
	return strings.HasSuffix(name, ".md") || strings.HasSuffix(name, ".markdown")
}

func stem(name string) string { return strings.TrimSuffix(name, path.Ext(name)) }

// walkHugo walks a Hugo content folder: a folder with index.md is a leaf
// bundle, one page whose other files (Markdown included) are its
// resources; _index.md makes a folder a section; every other Markdown
// file is a page.
func (s *Site) walkHugo(dir string, cascades [][]cascadeEntry) error {
	entries, err := fs.ReadDir(s.Root, dir)
	if err != nil {
		return err
	}
	cascades = s.sectionCascade(dir, entries, cascades)
	// A leaf bundle is one page, in each language it has an index for.
	leaf := false
	for _, e := range entries {
		if name, _ := hugoLang(e.Name()); !e.IsDir() && isMarkdown(e.Name()) && name == "index" {
			s.hugoPage(path.Join(dir, e.Name()), path.Base(dir), path.Dir(dir), false, cascades)
			leaf = true
		}
	}
	if leaf {
		return nil
	}
	for _, e := range entries {
		name := e.Name()
		base, _ := hugoLang(name)
		switch {
		case strings.HasPrefix(name, "."):
		case e.IsDir():
			if err := s.walkHugo(path.Join(dir, name), cascades); err != nil {
				return err
			}
		case base == "_index" && isMarkdown(name):
			s.hugoPage(path.Join(dir, name), path.Base(dir), path.Dir(dir), true, cascades)
		case isMarkdown(name) && e.Type().IsRegular():
			s.hugoPage(path.Join(dir, name), base, dir, false, cascades)
		}
	}
	return nil
}

// hugoLangRE is a language in a Hugo file name: about.nl.md is the
// Dutch translation of about.md.
var hugoLangRE = regexp.MustCompile(`^(.+)\.([a-z]{2}(?:-[A-Za-z]{2,4})?)$`)

// hugoLang splits a Markdown file's name into its base and language.
func hugoLang(file string) (base, lang string) {
	base = stem(file)
	if m := hugoLangRE.FindStringSubmatch(base); m != nil {
		return m[1], m[2]
	}
	return base, ""
}

// hugoPage adds the page in file, named name, in section folder section.
func (s *Site) hugoPage(file, name, section string, isSection bool, cascades [][]cascadeEntry) {
	fm := s.peek(file)
	_, lang := hugoLang(path.Base(file))
	if lang == "" {
		lang = s.dirLang
	}
	if s.langRoot != "" {
		section = s.inLangRoot(section)
	}
	p := &SitePage{File: file, Slug: name, Lang: lang, section: isSection}
	if !isSection {
		fm, p.Cascade = withCascade(fm, cascades, file, lang, s.opts.DefaultLang)
	}
	if v := fmString(fm, "slug"); v != "" {
		p.Slug = v
	}
	dir := "/"
	if section != "." {
		dir = "/" + section + "/"
	}
	switch {
	case fmString(fm, "url") != "":
		p.SiteURL = fmString(fm, "url")
		if fmString(fm, "slug") == "" {
			if b := path.Base(strings.Trim(p.SiteURL, "/")); b != "." && b != "" {
				p.Slug = b
			}
		}
	case isSection && s.inLangRoot(path.Dir(file)) == ".":
		p.SiteURL = "/"
	case isSection:
		p.SiteURL = dir + path.Base(path.Dir(file)) + "/"
	default:
		p.SiteURL = dir + p.Slug + "/"
	}
	if fmString(fm, "url") == "" {
		// Hugo lower-cases the paths it makes (disablePathToLower is off
		// by default): Old_Post.md is served at /posts/old_post/.
		p.SiteURL = strings.ToLower(p.SiteURL)
	}
	build := fmMap(fm, "build")
	if build == nil {
		build = fmMap(fm, "_build")
	}
	switch r := fmLookup(build, "render"); {
	case fmBool(fm, "headless"):
		p.Skip = "a headless bundle: not rendered, its files are there for include-style shortcodes"
	case r == false || r == "never":
		p.Skip = "build.render: never: not rendered, its files are there for include-style shortcodes"
	case isSection:
		p.Skip = "a section page (_index.md): in Hugo its page is the list of its pages, which the theme builds; the pages themselves are rendered"
	case fmBool(fm, "draft") && !s.opts.Drafts:
		p.Skip = "a draft (--drafts renders drafts)"
	}
	if p.Skip == "" {
		s.checkDates(p, fm, []string{"publishdate", "pubdate", "published", "date"}, []string{"expirydate", "unpublishdate"})
	}
	s.add(p, fm)
}

// checkDates skips a page published after Now or expired before it.
func (s *Site) checkDates(p *SitePage, fm map[string]any, publish, expiry []string) {
	for _, k := range publish {
		if t, ok := fmTime(fm, k); ok {
			if t.After(s.opts.Now) && !s.opts.Future {
				p.Skip = fmt.Sprintf("published in the future (%s: %s; --future renders it)", k, t.Format("2006-01-02"))
			}
			break
		}
	}
	for _, k := range expiry {
		if t, ok := fmTime(fm, k); ok {
			if !t.After(s.opts.Now) && !s.opts.Expired {
				p.Skip = fmt.Sprintf("expired (%s: %s; --expired renders it)", k, t.Format("2006-01-02"))
			}
			break
		}
	}
}

// jekyllPostRE is a post's file name: its date, then its slug.
var jekyllPostRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})-(.+)$`)

// walkJekyll walks a Jekyll site: posts in _posts (at any depth) and
// drafts in _drafts; pages are Markdown files with front matter
// elsewhere. Other folders starting with _ or . (_includes, _layouts,
// _site …) hold no pages.
func (s *Site) walkJekyll(dir string, inPosts bool) error {
	entries, err := fs.ReadDir(s.Root, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		file := path.Join(dir, name)
		switch {
		case e.IsDir() && (name == "_posts" || name == "_drafts"):
			if err := s.walkJekyll(file, true); err != nil {
				return err
			}
		case e.IsDir() && !strings.HasPrefix(name, "_") && !strings.HasPrefix(name, ".") && name != "node_modules" && name != "vendor":
			if err := s.walkJekyll(file, inPosts); err != nil {
				return err
			}
		case e.IsDir() || !isMarkdown(name) || !e.Type().IsRegular() || strings.HasPrefix(name, "."):
		default:
			s.jekyllPage(file, inPosts)
		}
	}
	return nil
}

func (s *Site) jekyllPage(file string, inPosts bool) {
	fm, hasFM := s.peekHas(file)
	name := stem(path.Base(file))
	draft := strings.Contains("/"+file, "/_drafts/")
	p := &SitePage{File: file, Slug: name}
	switch m := jekyllPostRE.FindStringSubmatch(name); {
	case inPosts && m != nil:
		p.Slug = m[4]
		p.SiteURL = "/" + m[1] + "/" + m[2] + "/" + m[3] + "/" + m[4] + ".html"
		if _, ok := fmTime(fm, "date"); !ok && !draft {
			if t, err := time.Parse("2006-01-02", m[1]+"-"+m[2]+"-"+m[3]); err == nil {
				fm = withDate(fm, t)
				p.Date = t
			}
		}
	case inPosts && !draft:
		p.Skip = "in _posts but not named YYYY-MM-DD-slug.md, so Jekyll does not publish it"
	case name == "index":
		p.Slug = path.Base(path.Dir(file))
		p.SiteURL = "/" + strings.TrimPrefix(path.Dir(file)+"/", "./")
	default:
		p.SiteURL = "/" + stem(file) + ".html"
	}
	if v := fmString(fm, "permalink"); v != "" {
		p.SiteURL = v
		if b := path.Base(strings.Trim(v, "/")); b != "." && b != "" && !strings.Contains(b, ":") {
			p.Slug = stem(b)
		}
	}
	if v := fmString(fm, "slug"); v != "" {
		p.Slug = v
	}
	switch {
	case p.Skip != "":
	case !hasFM && !inPosts:
		p.Skip = "no front matter: Jekyll copies it as a file, it is no page"
	case file == "index.md" || file == "index.markdown":
		p.Skip = "the site's home page: in Jekyll its page is the list of posts, which the theme builds"
	case draft && !s.opts.Drafts:
		p.Skip = "a draft in _drafts (--drafts renders drafts)"
	case fmLookup(fm, "published") == false && !s.opts.Drafts:
		p.Skip = "published: false (--drafts renders it)"
	default:
		s.checkDates(p, fm, []string{"date"}, nil)
	}
	s.add(p, fm)
}

func withDate(fm map[string]any, t time.Time) map[string]any {
	if fm == nil {
		fm = map[string]any{}
	}
	fm["date"] = t
	return fm
}

// add records p, with its portal path from its slug and language.
func (s *Site) add(p *SitePage, fm map[string]any) {
	if p.Slug == "." {
		p.Slug = "" // the site's root: a home page has no name
	}
	slug := p.Slug
	if slug != "" && !ValidSlug(slug) {
		slug = Slugify(slug)
	}
	lang := fmString(fm, "lang")
	if lang == "" {
		lang = p.Lang
	}
	if lang == "" {
		lang = s.opts.DefaultLang
	}
	switch {
	case slug == "":
	case lang == "" || strings.EqualFold(lang, s.opts.DefaultLang):
		p.Portal = "/" + slug + "/"
	default:
		p.Portal = "/" + strings.ToLower(lang) + "/" + slug + "/"
	}
	s.Pages = append(s.Pages, p)
	s.byFile[p.File] = p
	if _, ok := s.byURL[urlKey(p.SiteURL)]; !ok {
		s.byURL[urlKey(p.SiteURL)] = p
	}
}

// checkClashes fails every rendered page whose portal path another
// rendered page has too, naming the other files: which one the reader
// would get is not for crosscast to guess.
func (s *Site) checkClashes() {
	by := map[string][]*SitePage{}
	for _, p := range s.Render() {
		by[p.Portal] = append(by[p.Portal], p)
	}
	for _, ps := range by {
		if len(ps) < 2 {
			continue
		}
		for _, p := range ps {
			var others []string
			for _, o := range ps {
				if o != p {
					others = append(others, o.File)
				}
			}
			sort.Strings(others)
			p.Err = &Diagnostic{File: p.File, Line: 1, Col: 1, Field: "slug", Code: EInvalid,
				Message: fmt.Sprintf("the URL %s is also the URL of %s; neither is rendered until one sets a slug of its own", p.Portal, strings.Join(others, ", "))}
		}
	}
}

// peek reads the front matter of file, or nil when there is none or it
// cannot be read: Parse reports why when the page is parsed.
func (s *Site) peek(file string) map[string]any {
	fm, _ := s.peekHas(file)
	return fm
}

func (s *Site) peekHas(file string) (map[string]any, bool) {
	src, err := safefs.ReadFile(s.Root, file, DefaultLimits().FileBytes())
	if err != nil {
		return nil, false
	}
	return peekFrontMatter(src)
}

// peekFrontMatter decodes the YAML header of src into a map, without
// the checks Parse makes; it reports whether src opens with a header.
// YAML anchors are refused, as Parse refuses them, so a small file
// cannot expand into a large map.
func peekFrontMatter(src []byte) (map[string]any, bool) {
	d := &diags{}
	fm, _, _, ok := splitFrontMatter(d, src, DefaultLimits(), true)
	if !ok {
		return nil, false
	}
	var doc yaml.Node
	if yaml.Unmarshal(fm, &doc) != nil || len(doc.Content) == 0 || rejectYAMLExtras(d, &doc) {
		return nil, true
	}
	var m map[string]any
	if doc.Content[0].Decode(&m) != nil {
		return nil, true
	}
	return m, true
}
