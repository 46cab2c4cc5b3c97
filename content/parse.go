package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Limits bound what one item may contain. Each has its own error.
type Limits struct {
	FrontMatter int   // bytes of YAML
	Body        int   // bytes of Markdown
	Images      int   // hero plus body images
	Pixels      int   // per image, width × height
	ImageBytes  int64 // per image file
}

// FileBytes is the largest item file that can fit the front matter and
// body limits: both, plus room for the --- lines around the header.
func (l Limits) FileBytes() int64 { return int64(l.FrontMatter + l.Body + 4096) }

// DefaultLimits returns the limits crosscast applies unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{
		FrontMatter: 64 << 10,
		Body:        1 << 20,
		Images:      50,
		Pixels:      24_000_000, // 6000×4000; 40 MP took 2.4–3.6 s of CPU to render here
		ImageBytes:  32 << 20,
	}
}

// Each tag of an item gets a catalog page, rebuilt with the brand's
// index: MaxTags bounds how many one item brings, MaxTagLen (characters)
// the length of a tag and so of its page's folder name.
const (
	MaxTags   = 30
	MaxTagLen = 100
)

// MaxTitle is the title length (in characters) above which a warning says
// it will be cut in inboxes and search results.
const MaxTitle = 70

// A title longer than these is an error: every channel lays the title
// out, counts it by each network's rules and draws it on cards, and a
// title of thousands of combining marks (one grapheme, kilobytes long)
// is no headline but a way to make that work expensive.
const (
	MaxTitleGraphemes = 300
	MaxTitleBytes     = 2048
)

// Parse reads the item file name from fsys (a bundle folder, or the folder
// holding a lone Markdown file) and returns the validated item. Images the
// item refers to are read from fsys too, relative to name. Every problem
// found is returned at once as Errors; warnings go into Item.Warnings.
func Parse(fsys fs.FS, name string, opts ParseOptions) (*Item, error) {
	return ParseContext(context.Background(), fsys, name, opts)
}

// ParseContext is Parse that gives up, returning ctx.Err(), once ctx is
// done.
func ParseContext(ctx context.Context, fsys fs.FS, name string, opts ParseOptions) (*Item, error) {
	display := opts.Name
	if display == "" {
		display = name
	}
	src, err := readLimited(fsys, name, opts.limits().FileBytes())
	if err != nil {
		return nil, Errors{{File: display, Code: codeFor(err), Message: err.Error()}}
	}
	return ParseBytesContext(ctx, fsys, name, src, opts)
}

// ParseBytes is Parse for a source already in memory; fsys supplies the
// item's images and may be nil for an item without local images.
func ParseBytes(fsys fs.FS, name string, src []byte, opts ParseOptions) (*Item, error) {
	return ParseBytesContext(context.Background(), fsys, name, src, opts)
}

// ParseBytesContext is ParseBytes that gives up, returning ctx.Err(),
// once ctx is done. The body is checked for what would make parsing
// super-linear before goldmark sees it, so the one step that cannot be
// interrupted (goldmark's parse) is bounded too.
func ParseBytesContext(ctx context.Context, fsys fs.FS, name string, src []byte, opts ParseOptions) (*Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = name
	}
	lim := opts.limits()
	d := &diags{file: opts.Name}
	if !utf8.Valid(src) {
		line, col := offsetPos(src, firstInvalidUTF8(src))
		d.errorf(line, col, "", EInvalid, "the file is not valid UTF-8 text")
		return nil, d.err()
	}
	fm, body, bodyLine, ok := splitFrontMatter(d, src, lim, opts.Compat == CompatHugo)
	if !ok {
		return nil, d.err()
	}
	if len(body) > lim.Body {
		d.errorf(bodyLine, 1, "", ETooLarge, "the body is %d bytes; the limit is %d (1 MiB)", len(body), lim.Body)
		return nil, d.err()
	}

	it := &Item{Path: opts.Name, Source: src, Body: body, BodyLine: bodyLine, frontMatter: fm}
	d.lineBase = 1 // yaml line 1 is file line 2, below the opening ---
	if !decodeFrontMatter(d, fm, &it.FrontMatter, opts.Compat, opts.Cascade) {
		return nil, d.err()
	}
	d.lineBase = 0
	if body, ok = expandCompat(d, it, fm, opts, fsys, name); !ok {
		return nil, d.err()
	}
	if !checkMarkdown(d, body, bodyLine) {
		return nil, d.err()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lang := it.Lang
	if lang == "" {
		lang = opts.DefaultLang
	}
	it.Doc = parseMarkdown(body, markdownOptions{compat: opts.Compat, lang: lang})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !checkTree(d, it.Doc, body, bodyLine) {
		return nil, d.err()
	}
	fixPasted(it.Doc, body)
	resolveLinks(d, it, opts.ResolveLink)
	validate(d, it, fm, opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	collectImages(d, it, fsys, name, opts, fm)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	it.SourceHash = versionHash(it)
	sortDiags(d.warns)
	it.Warnings = d.warns
	return it, nil
}

func (o ParseOptions) limits() Limits {
	if o.Limits == (Limits{}) {
		return DefaultLimits()
	}
	return o.Limits
}

type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

func codeFor(err error) string {
	switch {
	case isLimit(err):
		return ETooLarge
	case errors.Is(err, fs.ErrNotExist):
		return ENotFound
	}
	return EInvalid
}

// splitFrontMatter separates the YAML header from the body. The header
// must open on the first line with --- and close with --- or ... ; with
// toml (under compat hugo), Hugo's +++ TOML header is read too, as the
// YAML it amounts to.
func splitFrontMatter(d *diags, src []byte, lim Limits, toml bool) (fm, body []byte, bodyLine int, ok bool) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	if toml && bytes.HasPrefix(first, []byte("{")) {
		return splitJSON(d, src, lim) // Hugo's JSON front matter
	}
	switch strings.TrimRight(string(first), " \t\r") {
	case "---":
	case "+++":
		if !toml {
			d.errorf(1, 1, "", EInvalid, "TOML front matter (+++) is read only under --compat hugo; write the header in YAML between --- lines")
			return nil, nil, 0, false
		}
		return splitTOML(d, rest, lim)
	default:
		d.errorf(1, 1, "", EInvalid, "missing front matter: the file must start with a --- line, then at least `title:`, then ---")
		return nil, nil, 0, false
	}
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		next := len(rest) + 1
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
			next = off + end + 1
		}
		if t := strings.TrimRight(string(l), " \t\r"); t == "---" || t == "..." {
			if off > lim.FrontMatter {
				break
			}
			fm = rest[:off]
			if next <= len(rest) {
				body = rest[next:]
			}
			return fm, body, line + 1, true
		}
		if off > lim.FrontMatter {
			break
		}
		off = next
		line++
	}
	if off > lim.FrontMatter {
		d.errorf(1, 1, "", ETooLarge, "the front matter is over %d bytes (64 KiB); move long text into the body", lim.FrontMatter)
	} else {
		d.errorf(1, 1, "", EInvalid, "the front matter is not closed: add a --- line after it")
	}
	return nil, nil, 0, false
}

// decodeFrontMatter decodes fm into out. It reports false when the YAML
// cannot be read at all; field errors are collected and decoding goes on,
// so one run reports every problem.
func decodeFrontMatter(d *diags, fm []byte, out *FrontMatter, compat string, cascade map[string]any) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(fm, &doc); err != nil {
		line, col, msg := yamlSyntaxPos(fm, err)
		d.errorf(line, col, "", EInvalid, "YAML syntax: %s", msg)
		return false
	}
	if len(doc.Content) == 0 && len(cascade) > 0 {
		doc.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
	}
	if len(doc.Content) == 0 {
		return true
	}
	if rejectYAMLExtras(d, &doc) {
		return false
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		d.errorf(root.Line, root.Column, "", EInvalid, "the front matter must be a mapping of fields, like `title: Hello`")
		return false
	}
	if compat == CompatHugo && len(cascade) > 0 {
		addCascade(root, cascade)
	}
	if compat != "" {
		applyCompat(d, root, compat)
	}
	// `hero: path.jpg` is shorthand for `hero: {src: path.jpg}`.
	for i := 0; i+1 < len(root.Content); i += 2 {
		if v := root.Content[i+1]; root.Content[i].Value == "hero" && v.Kind == yaml.ScalarNode && !isNull(v) {
			root.Content[i+1] = mapping(v, "src", v)
		}
	}
	decodeStrict(d, root, reflect.ValueOf(out).Elem(), "")
	return true
}

// mapping builds a one-field mapping node positioned at at.
func mapping(at *yaml.Node, key string, val *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: at.Line, Column: at.Column, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: at.Line, Column: at.Column}, val,
	}}
}

var (
	idRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	variantRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	currRE    = regexp.MustCompile(`^[A-Z]{3}$`)
)

// validate checks the rules the decoder cannot and fills in derived values.
func validate(d *diags, it *Item, fm []byte, opts ParseOptions) {
	fmErr := func(field, code, format string, args ...any) {
		line, col := fmPos(fm, field)
		d.errorf(line, col, field, code, format, args...)
	}
	fmWarn := func(field, format string, args ...any) {
		line, col := fmPos(fm, field)
		d.warnf(line, col, field, format, args...)
	}

	it.Title = strings.TrimSpace(it.Title)
	switch n := utf8.RuneCountInString(it.Title); {
	case n == 0:
		fmErr("title", EInvalid, "is required")
	case len(it.Title) > MaxTitleBytes:
		fmErr("title", ETooLarge, "is %d bytes; the limit is %d", len(it.Title), MaxTitleBytes)
	case n > MaxTitle && uniseg.GraphemeClusterCount(it.Title) > MaxTitleGraphemes:
		fmErr("title", ETooLarge, "is %d characters; the limit is %d", uniseg.GraphemeClusterCount(it.Title), MaxTitleGraphemes)
	case n > MaxTitle:
		fmWarn("title", "is %d characters; over %d it is cut off in inboxes and search results", n, MaxTitle)
	}

	if it.Date.IsZero() && !opts.Date.IsZero() {
		it.Date.Time = opts.Date
	}
	written := it.Slug != ""
	if it.Slug == "" {
		it.Slug = opts.Slug
	}
	if it.Slug != "" && opts.Compat != "" && !ValidSlug(it.Slug) {
		normaliseSlug(it, written, fmWarn)
	}
	if it.Slug == "" {
		it.Slug = Slugify(it.Title)
		if it.Slug == "" {
			// A title with no Latin letters: fall back to a stable hash.
			sum := sha256.Sum256([]byte(it.Title))
			it.Slug = "item-" + hex.EncodeToString(sum[:4])
		}
	} else if !ValidSlug(it.Slug) {
		fmErr("slug", EInvalid, "must use only a-z, 0-9 and single dashes; try %q", Slugify(it.Slug))
	}
	if it.ID == "" {
		it.ID = it.Slug
	} else if !idRE.MatchString(it.ID) {
		fmErr("id", EInvalid, "must be 1–100 letters, digits, dots, dashes or underscores")
	}

	if it.Lang == "" {
		it.Lang = opts.DefaultLang
	}
	if it.Lang == "" {
		it.Lang = "en"
	}
	if tag, err := language.Parse(it.Lang); err != nil {
		fmErr("lang", EInvalid, "%q is not a language tag like en, nl or pt-BR", it.Lang)
	} else {
		it.Lang = tag.String()
	}

	tags := it.Tags[:0]
	seen := map[string]bool{}
	for _, t := range it.Tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		tags = append(tags, t)
	}
	it.Tags = tags
	if len(tags) > MaxTags {
		fmErr("tags", ETooLarge, "%d tags; the limit is %d (each tag gets a catalog page)", len(tags), MaxTags)
	}
	for _, t := range tags {
		if n := utf8.RuneCountInString(t); n > MaxTagLen {
			fmErr("tags", ETooLarge, "a tag of %d characters; the limit is %d", n, MaxTagLen)
			break
		}
	}

	if c := it.CTA; c != nil {
		if strings.TrimSpace(c.Label) == "" {
			fmErr("cta", EInvalid, "cta.label is required")
		}
		if !isWebURL(c.URL) && !strings.HasPrefix(c.URL, "/") {
			fmErr("cta", EInvalid, "cta.url must be an http(s) URL or a path starting with /")
		}
	}
	checkItemSocial(it, fmErr, fmWarn)
	if p := it.Product; p != nil {
		// A price written but not a number was reported where it is.
		if !p.Price.Set && !hasField(fm, "product.price") {
			fmErr("product", EInvalid, "product.price is required")
		}
		if !ValidCurrency(p.Currency) {
			fmErr("product.currency", EInvalid, "must be an ISO 4217 code like EUR, not %q", p.Currency)
		}
		if p.Availability == "" {
			p.Availability = "in_stock"
		} else if _, ok := availabilities[p.Availability]; !ok {
			fmErr("product", EInvalid, "product.availability must be one of in_stock, out_of_stock, preorder, backorder, limited, discontinued")
		}
	}
	if h := it.Hero; h != nil && strings.TrimSpace(h.Src) == "" {
		fmErr("hero", EInvalid, "hero.src is required")
	}
	names := map[string]bool{}
	for _, v := range it.Email.Variants {
		switch {
		case !variantRE.MatchString(v.Name):
			fmErr("email", EInvalid, "variant name %q must be lower-case letters, digits, - or _ (it becomes utm_content)", v.Name)
		case names[v.Name]:
			fmErr("email", EInvalid, "variant %q appears twice", v.Name)
		case v.Subject == "" && v.Preheader == "" && v.CTA == nil:
			fmErr("email", EInvalid, "variant %q changes nothing: give it a subject, a preheader or a cta", v.Name)
		}
		names[v.Name] = true
	}

	checkEmailTopics(it, opts.Brand, fmErr)
	checkEmailTest(it, fmErr)
	if !validEmailMode(it.Email.Mode) {
		fmErr("email.mode", EInvalid, "email.mode must be full or teaser, not %q", it.Email.Mode)
	}

	for _, f := range textFields(it) {
		checkTextLen(fmErr, f)
	}

	it.Summary = strings.TrimSpace(it.Summary)
	if it.Summary == "" {
		it.Summary = deriveSummary(it)
		it.SummaryDerived = true
	}
	it.Words = countWords(it.Doc, it.Body)
	it.ReadingMinutes = readingMinutes(it.Words)
}
