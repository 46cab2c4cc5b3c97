package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/renderers/social"
)

// renderCacheBytes bounds the encoded pictures a render run keeps. A
// worker's cache (64 MB) pays when an item renders again; one run
// renders each item once, so what repeats is the brand's pictures and
// photos several items share, and most of its cache would be share
// cards never asked for again (two per item, ~70 KB).
const renderCacheBytes = 16 << 20

// render implements `crosscast render`: parse and render every item on
// every core (--jobs), staging each item's files on disk as it is done,
// so memory stays flat however many items are given; then, once all are
// rendered, move each that succeeded into place, in one atomic swap per
// item. Every failure is listed with its position, and any failure exits
// 1. A bad page among many costs that page, not the run; a run stopped
// by a signal writes nothing.
func (m *Main) render(ctx context.Context, cfg Config, args []string) error {
	fset := flag.NewFlagSet("render", flag.ContinueOnError)
	brandDir := fset.String("brand", "", "brand kit `folder` (holding brand.yaml)")
	outDir := fset.String("o", "out", "output `folder`")
	chans := fset.String("channels", strings.Join(mapKeys(channels()), ","), "comma-separated `channels` to render")
	compat := fset.String("compat", "", "read front matter written for `hugo|jekyll`; a folder is then walked as that site")
	sf := addSiteFlags(fset)
	quiet := fset.Bool("q", false, "do not print warnings")
	jobs := fset.Int("jobs", runtime.GOMAXPROCS(0), "items rendered at once")
	if err := m.parseFlags(fset, args, 0, -1); err != nil {
		return err
	}
	// A soft memory limit as a worker's, over this run's own cache: the
	// heap stays near what is live however many items are given.
	cfg.Workers, cfg.ImageCacheMB = *jobs, renderCacheBytes>>20
	m.limitMemory(cfg)
	if *brandDir == "" {
		return usageError{"render: --brand is required"}
	}
	if fset.NArg() == 0 {
		return usageError{"render: give at least one item"}
	}
	all := channels()
	// The cache is bounded so a long run's memory stays flat; pictures
	// reused across items are usually reused soon.
	shared, err := sharedParts(&images.Cache{MaxBytes: renderCacheBytes})
	if err != nil {
		return err
	}
	var rs []renderers.Renderer
	for _, ch := range strings.Split(*chans, ",") {
		mk, ok := all[strings.TrimSpace(ch)]
		if !ok {
			return usageError{fmt.Sprintf("render: unknown channel %q (available: %s)", ch, strings.Join(mapKeys(all), ", "))}
		}
		r, err := mk(shared)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}

	brand, err := content.LoadBrandDir(*brandDir)
	if err != nil {
		return err
	}
	if *compat == "" {
		*compat = brand.Compat
	}
	var bar *progressBar
	warn := func(ds []content.Diagnostic) {
		if *quiet {
			return
		}
		for _, d := range ds {
			line := strings.Replace(d.String(), ": ", ": warning: ", 1)
			if bar != nil {
				bar.warn(line)
			} else {
				fmt.Fprintln(m.Stderr, line)
			}
		}
	}
	warn(brand.Warnings)

	var notes io.Writer = m.Stderr
	if *quiet {
		notes = nil
	}
	srcs, failed, done, err := sources(fset.Args(), *compat, brand.Lang, sf, notes)
	if err != nil {
		return err
	}
	defer done()
	opts := content.ParseOptions{Compat: *compat, DefaultLang: brand.Lang, Shortcodes: brand.CompatShortcodes, Brand: brand}
	// An item's folder is its portal path: a translation, in another
	// language than the brand's, goes under lang/, beside the original.
	itemDir := func(it *content.Item) string {
		return filepath.Join(brand.ID, filepath.FromSlash(strings.Trim(content.PortalPath(it, brand), "/")))
	}
	stage, err := newStaging(*outDir)
	if err != nil {
		return err
	}
	defer stage.discard()

	bar = m.progress(len(srcs))
	defer bar.finish()
	var claims slugClaims
	var rendered []staged // in the order the items were given
	err = inOrder(ctx, *jobs, len(srcs), func(ctx context.Context, i int) renderedItem {
		return renderOne(ctx, srcs[i], opts, brand, rs, stage, i, itemDir)
	}, func(i int, res renderedItem) {
		// Called in input order, so warnings and errors read in the
		// order of the items as given, whatever order they finished in.
		if res.item != nil {
			warn(res.item.Warnings)
			if clash := claims.claim(i, res.item); clash != nil {
				failed = append(failed, clash...)
			}
		}
		warn(res.warnings)
		failed = append(failed, res.errs...)
		// Only what the commit needs is kept: memory stays flat.
		rendered = append(rendered, staged{dir: res.dir, ok: res.ok, portal: res.portal})
		bar.step(len(rendered), res.slug)
	})
	bar.finish()
	if err != nil {
		return interrupted(ctx)
	}

	// Everything is rendered: move each item that succeeded (and shares
	// its URL with no other) into place, one atomic swap per item.
	var written []staged
	for i, res := range rendered {
		if !res.ok || claims.lost(i) {
			continue
		}
		if err := stage.commit(i, filepath.Join(*outDir, res.dir)); err != nil {
			return err
		}
		written = append(written, res)
	}
	if len(written) > 0 || len(failed) == 0 {
		fmt.Fprintf(m.Stdout, "rendered %d item(s) for %s into %s\n", len(written), brand.Name, filepath.Join(*outDir, brand.ID))
	}
	for _, res := range written {
		if res.portal {
			fmt.Fprintf(m.Stdout, "  %s\n", filepath.Join(*outDir, res.dir, portal.Channel, portal.PageFile))
		}
	}
	if len(failed) > 0 {
		if len(written) > 0 {
			fmt.Fprintf(m.Stdout, "%d item(s) failed; their problems follow\n", failedFiles(failed))
		}
		return failed
	}
	return nil
}

// staged is what a render run keeps of an item once its files are
// staged on disk and its problems printed, until the commit: 24 bytes
// and its folder's name.
type staged struct {
	dir        string // under the output folder
	ok, portal bool   // every channel rendered and staged; one was the portal
}

// renderedItem is an item's outcome, from its render to the printing of
// its problems, in input order.
type renderedItem struct {
	item     *content.Item // until its warnings are printed
	slug     string
	dir      string // under the output folder
	ok       bool   // every channel rendered and staged
	portal   bool
	warnings []content.Diagnostic
	errs     content.Errors
}

// renderOne parses and renders one item and writes its files into the
// staging folder. An item is staged whole or not at all: a channel that
// failed would leave its folder missing beside the others.
func renderOne(ctx context.Context, src source, opts content.ParseOptions, brand *content.Brand, rs []renderers.Renderer,
	stage *staging, i int, itemDir func(*content.Item) string) renderedItem {
	it, err := content.ParseFile(ctx, src.path, src.options(opts))
	var ce content.Errors
	switch {
	case errors.As(err, &ce):
		return renderedItem{slug: src.path, errs: ce}
	case err != nil:
		return renderedItem{slug: src.path, errs: content.Errors{{File: src.path, Message: err.Error()}}}
	}
	res := renderedItem{item: it, slug: it.Slug, dir: itemDir(it), ok: true}
	links := content.NewLinkPlan(it, brand)
	outs := map[string]*renderers.Output{}
	for _, r := range rs {
		out, err := safeRender(ctx, r, renderers.Input{Item: it, Brand: brand, Links: links})
		if ctx.Err() != nil {
			return res
		}
		if err != nil {
			res.errs = append(res.errs, content.Diagnostic{File: it.Path, Message: fmt.Sprintf("%s: %v", r.Channel(), err)})
			res.ok = false
			continue
		}
		res.warnings = append(res.warnings, out.Warnings...)
		outs[r.Channel()] = out
	}
	if !res.ok {
		return res
	}
	_, res.portal = outs[portal.Channel]
	if err := stage.write(i, outs); err != nil {
		res.ok = false
		res.errs = append(res.errs, content.Diagnostic{File: it.Path, Message: err.Error()})
	}
	return res
}

// failedFiles counts the files with problems.
func failedFiles(ds content.Errors) int {
	files := map[string]bool{}
	for _, d := range ds {
		files[d.File] = true
	}
	return len(files)
}

// interrupted is the error for a run stopped by SIGINT or SIGTERM
// (main's context): nothing has been written.
func interrupted(ctx context.Context) error {
	return fmt.Errorf("crosscast: stopped before writing anything: %w", context.Cause(ctx))
}

// channelSet is every channel crosscast renders, registered here and
// nowhere else: render, preview, serve, worker and bench all build their
// renderers from it. A new channel is its package and one line here.
func channelSet() []renderers.Channel {
	return []renderers.Channel{
		catalog.Descriptor(),
		email.Descriptor(),
		portal.Descriptor(),
		social.Descriptor(),
	}
}

// channels maps the channels' names to their constructors. Renderers
// made over one renderers.Shared share its image cache, so items reusing
// a picture resize it once, and its font library.
func channels() map[string]func(renderers.Shared) (renderers.Renderer, error) {
	m := map[string]func(renderers.Shared) (renderers.Renderer, error){}
	for _, c := range channelSet() {
		m[c.Name] = c.New
	}
	return m
}

// safeRender turns a renderer panic into an error, so one bad item reports
// instead of taking the batch down.
// sharedParts is what every renderer of this process shares: cache and
// one library of the machine's fonts, scanned once for all channels.
func sharedParts(cache *images.Cache) (renderers.Shared, error) {
	lib, err := fonts.New(fonts.StandardDirs()...)
	if err != nil {
		return renderers.Shared{}, err
	}
	return renderers.Shared{Images: cache, Fonts: lib}, nil
}

func safeRender(ctx context.Context, r renderers.Renderer, in renderers.Input) (out *renderers.Output, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error (please report it): %v\n%s", p, debug.Stack())
		}
	}()
	return r.Render(ctx, in)
}

// expandItems resolves the item arguments: a Markdown file, a bundle
// folder (with index.md), or a folder of files and bundles.
func expandItems(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, content.Errors{{File: a, Code: content.ENotFound, Message: "no such file or folder"}}
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		if _, err := os.Stat(filepath.Join(a, "index.md")); err == nil {
			out = append(out, filepath.Join(a, "index.md"))
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		n := len(out)
		for _, e := range entries {
			p := filepath.Join(a, e.Name())
			if e.IsDir() {
				if _, err := os.Stat(filepath.Join(p, "index.md")); err == nil {
					out = append(out, filepath.Join(p, "index.md"))
				}
			} else if strings.HasSuffix(e.Name(), ".md") {
				out = append(out, p)
			}
		}
		if len(out) == n {
			return nil, content.Errors{{File: a, Code: content.ENotFound, Message: "the folder holds no items (*.md files or bundles with index.md)"}}
		}
	}
	return out, nil
}

// staging is the folder a render run writes every item into before any
// of it is moved into place: beside the output folder (so a rename
// moves it), with one folder per item, by its position. A run stopped
// half-way removes it and has written nothing.
type staging struct{ root string }

func newStaging(outDir string) (*staging, error) {
	parent := filepath.Dir(filepath.Clean(outDir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp(parent, "."+filepath.Base(outDir)+".render-")
	if err != nil {
		return nil, err
	}
	return &staging{root: root}, nil
}

func (s *staging) dir(i int) string { return filepath.Join(s.root, strconv.Itoa(i)) }

// write stages item i's renderings, one folder per channel.
func (s *staging) write(i int, outs map[string]*renderers.Output) error {
	tmp := s.dir(i)
	for ch, out := range outs {
		for _, f := range out.Files {
			p := filepath.Join(tmp, ch, filepath.FromSlash(f.Name))
			if !strings.HasPrefix(p, filepath.Join(tmp, ch)+string(filepath.Separator)) {
				os.RemoveAll(tmp)
				return fmt.Errorf("%s: renderer produced a file outside its folder: %q", ch, f.Name)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				os.RemoveAll(tmp)
				return err
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				os.RemoveAll(tmp)
				return err
			}
		}
	}
	return nil
}

// commit swaps item i's staged folder into place at dir, so a reader
// (or a failed run) never sees a mix of old and new files.
func (s *staging) commit(i int, dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	old := filepath.Join(parent, "."+filepath.Base(dir)+".old-"+randHex())
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(s.dir(i), dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}

// discard removes what is left staged: everything after an interrupt,
// the failed and clashing items after a finished run.
func (s *staging) discard() { os.RemoveAll(s.root) }

func randHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// progressBar draws a progress bar on a terminal. Warnings that come
// while it is drawn are held and printed once it has finished, each on
// its own line, so none lands on the bar's line.
type progressBar struct {
	w       io.Writer
	total   int
	drawing bool // a bar is on screen, on a line not yet ended
	held    []string
}

// progress returns the bar for total items: drawn only on a terminal and
// for more than one item; otherwise warnings go straight to stderr.
func (m *Main) progress(total int) *progressBar {
	f, ok := m.Stderr.(*os.File)
	if !ok || total < 2 || !term.IsTerminal(int(f.Fd())) {
		return &progressBar{w: m.Stderr}
	}
	return &progressBar{w: f, total: total, drawing: true}
}

// step draws the bar at done of total items; the last step finishes it.
func (p *progressBar) step(done int, label string) {
	if !p.drawing {
		return
	}
	const width = 30
	n := done * width / p.total
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d %s", strings.Repeat("█", n), strings.Repeat("·", width-n), done, p.total, label)
	if done == p.total {
		p.finish()
	}
}

// warn prints one warning line, or holds it while the bar is drawn.
func (p *progressBar) warn(line string) {
	if p.drawing {
		p.held = append(p.held, line)
		return
	}
	fmt.Fprintln(p.w, line)
}

// finish ends the bar's line and prints the warnings held meanwhile. A
// run that stops early calls it too, so its warnings are not lost.
func (p *progressBar) finish() {
	if p.drawing {
		fmt.Fprintln(p.w)
		p.drawing = false
	}
	for _, l := range p.held {
		fmt.Fprintln(p.w, l)
	}
	p.held = nil
}

// reorderFlags moves flags before positional arguments, so
// `render a.md b.md --brand x` works as people type it.
func reorderFlags(fset *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			if !strings.Contains(a, "=") && !isBoolFlag(fset, a) {
				if i+1 == len(args) {
					// A value flag with no value: last, so Parse says so.
					return flags
				}
				flags = append(flags, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	// The -- keeps an argument such as "-x" (given after --) from being
	// read as a flag once it follows the flags.
	return append(append(flags, "--"), pos...)
}

func isBoolFlag(fset *flag.FlagSet, arg string) bool {
	f := fset.Lookup(strings.TrimLeft(arg, "-"))
	if f == nil {
		return strings.TrimLeft(arg, "-") == "h" || strings.TrimLeft(arg, "-") == "help"
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
