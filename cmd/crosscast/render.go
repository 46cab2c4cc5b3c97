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
	"runtime/debug"
	"slices"
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

// render implements `crosscast render`: parse every item, render them
// all in memory, and only then write each that succeeded, in one atomic
// swap per item; every failure is listed with its position, and any
// failure exits 1. A bad page among many costs that page, not the run.
func (m *Main) render(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("render", flag.ContinueOnError)
	brandDir := fset.String("brand", "", "brand kit `folder` (holding brand.yaml)")
	outDir := fset.String("o", "out", "output `folder`")
	chans := fset.String("channels", strings.Join(mapKeys(channels()), ","), "comma-separated `channels` to render")
	compat := fset.String("compat", "", "read front matter written for `hugo|jekyll`; a folder is then walked as that site")
	sf := addSiteFlags(fset)
	quiet := fset.Bool("q", false, "do not print warnings")
	if err := m.parseFlags(fset, args, 0, -1); err != nil {
		return err
	}
	if *brandDir == "" {
		return usageError{"render: --brand is required"}
	}
	if fset.NArg() == 0 {
		return usageError{"render: give at least one item"}
	}
	all := channels()
	shared, err := sharedParts(&images.Cache{})
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
	items, perrs, err := parseSources(ctx, srcs, content.ParseOptions{Compat: *compat, DefaultLang: brand.Lang, Shortcodes: brand.CompatShortcodes, Brand: brand})
	done()
	if err != nil {
		return err
	}
	failed = append(failed, perrs...)

	type result struct {
		item *content.Item
		outs map[string]*renderers.Output
	}
	results := make([]result, 0, len(items))
	bar = m.progress(len(items))
	defer bar.finish()
	for i, it := range items {
		warn(it.Warnings)
		links := content.NewLinkPlan(it, brand)
		res := result{item: it, outs: map[string]*renderers.Output{}}
		ok := true
		for _, r := range rs {
			out, err := safeRender(ctx, r, renderers.Input{Item: it, Brand: brand, Links: links})
			if ctx.Err() != nil {
				return interrupted(ctx)
			}
			if err != nil {
				failed = append(failed, content.Diagnostic{File: it.Path, Message: fmt.Sprintf("%s: %v", r.Channel(), err)})
				ok = false
				continue
			}
			warn(out.Warnings)
			res.outs[r.Channel()] = out
		}
		// An item is written whole or not at all: a channel that failed
		// would leave its folder missing beside the others.
		if ok {
			results = append(results, res)
		}
		bar.step(i+1, it.Slug)
	}
	bar.finish()
	if ctx.Err() != nil {
		return interrupted(ctx)
	}

	// An item's folder is its portal path: a translation, in another
	// language than the brand's, goes under lang/, beside the original.
	itemDir := func(it *content.Item) string {
		return filepath.Join(*outDir, brand.ID, filepath.FromSlash(strings.Trim(content.PortalPath(it, brand), "/")))
	}
	for _, res := range results {
		dir := itemDir(res.item)
		if err := writeAtomic(dir, res.outs); err != nil {
			return err
		}
	}
	if len(results) > 0 || len(failed) == 0 {
		fmt.Fprintf(m.Stdout, "rendered %d item(s) for %s into %s\n", len(results), brand.Name, filepath.Join(*outDir, brand.ID))
	}
	for _, res := range results {
		if _, ok := res.outs[portal.Channel]; ok {
			fmt.Fprintf(m.Stdout, "  %s\n", filepath.Join(itemDir(res.item), portal.Channel, portal.PageFile))
		}
	}
	if len(failed) > 0 {
		if len(results) > 0 {
			fmt.Fprintf(m.Stdout, "%d item(s) failed; their problems follow\n", failedFiles(failed))
		}
		return failed
	}
	return nil
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

// writeAtomic writes an item's renderings into a fresh sibling folder and
// swaps it into place, so a reader (or a failed run) never sees a mix of
// old and new files.
func writeAtomic(dir string, outs map[string]*renderers.Output) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	suffix := randHex()
	tmp := filepath.Join(parent, "."+filepath.Base(dir)+".new-"+suffix)
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
	old := filepath.Join(parent, "."+filepath.Base(dir)+".old-"+suffix)
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		os.RemoveAll(tmp)
		return err
	}
	return os.RemoveAll(old)
}

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
