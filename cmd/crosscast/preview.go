package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/server/ui"
)

// preview implements `crosscast preview ITEM --brand DIR`: the editor's
// four-channel preview of a local file or bundle, rendered again each
// time the item or the brand kit changes on disk.
func (m *Main) preview(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("preview", flag.ContinueOnError)
	brandDir := fset.String("brand", "", "brand kit `folder` (holding brand.yaml)")
	addr := fset.String("addr", "127.0.0.1:8090", "listen `address`; keep it on localhost")
	compat := fset.String("compat", "", "read front matter written for `hugo|jekyll`")
	every := fset.Duration("poll", 300*time.Millisecond, "how often to look for changed files")
	if err := m.parseFlags(fset, args, 0, -1); err != nil {
		return err
	}
	if *brandDir == "" || fset.NArg() != 1 {
		return usageError{"preview: usage: crosscast preview ITEM --brand DIR"}
	}
	paths, err := expandItems(fset.Args())
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usageError{"preview: give one item (a .md file or a bundle folder), not a folder of items"}
	}
	item := paths[0]
	lp, err := ui.NewLocalPreview()
	if err != nil {
		return err
	}
	rs, err := allRenderers(&images.Cache{})
	if err != nil {
		return err
	}
	render := func() {
		res := renderLocal(ctx, item, *brandDir, *compat, rs)
		lp.Set(res)
		if len(res.Errors) > 0 {
			fmt.Fprintf(m.Stderr, "%s: %d error(s)\n", time.Now().Format("15:04:05"), len(res.Errors))
			for _, d := range res.Errors {
				fmt.Fprintln(m.Stderr, "  "+d.String())
			}
		} else {
			fmt.Fprintf(m.Stderr, "%s: rendered %q\n", time.Now().Format("15:04:05"), res.Title)
		}
	}
	render()

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "previewing %s at http://%s/ (Ctrl-C stops)\n", item, l.Addr())
	srv := &http.Server{Handler: lp, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	defer srv.Close()

	// Watch by polling: no dependency, and it behaves the same on every
	// file system, network and container mounts included.
	watched := []string{filepath.Dir(item), *brandDir}
	if filepath.Base(item) != "index.md" {
		watched[0] = item // a single file, not its whole folder
	}
	last := fingerprint(watched)
	t := time.NewTicker(*every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if fp := fingerprint(watched); fp != last {
				last = fp
				render()
			}
		}
	}
}

// fingerprint sums up names, sizes and modification times below roots.
func fingerprint(roots []string) string {
	var b strings.Builder
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if info, err := d.Info(); err == nil && !d.IsDir() {
				fmt.Fprintf(&b, "%s|%d|%d\n", p, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return b.String()
}

// renderLocal parses the item with the brand kit from disk and renders
// every channel; problems come back as positioned errors.
func renderLocal(ctx context.Context, item, brandDir, compat string, rs []renderers.Renderer) ui.PreviewResult {
	res := ui.PreviewResult{Files: map[string]ui.PreviewFile{}, Frames: map[string]string{}}
	fail := func(err error) ui.PreviewResult {
		var ce content.Errors
		if errors.As(err, &ce) {
			res.Errors = append(res.Errors, ce...)
		} else {
			res.Errors = append(res.Errors, content.Diagnostic{File: item, Message: err.Error()})
		}
		return res
	}
	brand, err := content.LoadBrandDir(brandDir)
	if err != nil {
		return fail(err)
	}
	if compat == "" {
		compat = brand.Compat
	}
	res.Warnings = append(res.Warnings, brand.Warnings...)
	items, err := parseAll(ctx, []string{item}, content.ParseOptions{Compat: compat, DefaultLang: brand.Lang, Shortcodes: brand.CompatShortcodes, Brand: brand})
	if err != nil {
		return fail(err)
	}
	it := items[0]
	res.Title = it.Title
	res.Warnings = append(res.Warnings, it.Warnings...)
	in := renderers.Input{Item: it, Brand: brand, Links: content.NewLinkPlan(it, brand)}
	for _, r := range rs {
		out, err := safeRender(ctx, r, in)
		if err != nil {
			res.Errors = append(res.Errors, content.Diagnostic{File: it.Path, Message: r.Channel() + ": " + err.Error()})
			continue
		}
		res.Warnings = append(res.Warnings, out.Warnings...)
		if out.Preview != "" {
			res.Frames[r.Channel()] = out.Preview
		}
		for _, f := range out.Files {
			res.Files[r.Channel()+"/"+f.Name] = ui.PreviewFile{MediaType: f.MediaType, Data: f.Data}
		}
	}
	return res
}
