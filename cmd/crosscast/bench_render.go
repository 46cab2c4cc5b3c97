package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// benchRender implements `crosscast bench render`: `crosscast render` of
// generated text-only pages, portal only and every channel, beside Hugo
// building the same pages as a site, for each size asked for. Each run
// is a child process, so wall time, CPU (user + system) and peak RSS are
// the child's own, as the kernel counts them. Hugo's column is left out
// when no hugo is installed.
func (m *Main) benchRender(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("bench render", flag.ContinueOnError)
	sizes := fset.String("items", "1000,10000", "comma-separated `counts` of pages per run")
	brandDir := fset.String("brand", "examples/kestrel", "brand kit `folder` to render with")
	hugo := fset.String("hugo", "hugo", "the hugo `command`; empty leaves Hugo out")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	var counts []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return usageError{fmt.Sprintf("bench render: --items: %q is not a count", f)}
		}
		counts = append(counts, n)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	hugoPath := ""
	if *hugo != "" {
		if p, err := exec.LookPath(*hugo); err == nil {
			hugoPath = p
		}
	}
	tmp, err := os.MkdirTemp("", "crosscast-bench-render-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tpages\twall\tCPU\tCPU/page\tpeak RSS\t")
	row := func(name string, n int, u childUsage) {
		fmt.Fprintf(tw, "%s\t%d\t%.2f s\t%.2f s\t%.2f ms\t%.0f MB\t\n", name, n, u.wall.Seconds(), u.cpu.Seconds(),
			float64(u.cpu.Microseconds())/1000/float64(n), float64(u.maxRSS)/(1<<20))
	}
	for _, n := range counts {
		dir := filepath.Join(tmp, strconv.Itoa(n))
		items, site, err := writeBenchPages(dir, n)
		if err != nil {
			return err
		}
		for _, run := range []struct{ name, channels string }{
			{"crosscast render (portal only)", "portal"},
			{"crosscast render (all channels)", strings.Join(mapKeys(channels()), ",")},
		} {
			out := filepath.Join(dir, "out-"+run.channels[:6])
			u, err := runChild(ctx, self, "render", "-q", "--brand", *brandDir, "--channels", run.channels, "-o", out, items)
			if err != nil {
				return fmt.Errorf("%s of %d pages: %w", run.name, n, err)
			}
			row(run.name, n, u)
		}
		if hugoPath != "" {
			u, err := runChild(ctx, hugoPath, "--quiet", "--source", site, "--destination", filepath.Join(dir, "hugo-out"))
			if err != nil {
				return fmt.Errorf("hugo of %d pages: %w", n, err)
			}
			row("hugo", n, u)
		}
		os.RemoveAll(dir)
	}
	if hugoPath == "" {
		fmt.Fprintln(tw, "hugo: not installed, left out\t\t\t\t\t\t")
	}
	return tw.Flush()
}

// childUsage is what the kernel counted for one finished child process.
type childUsage struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
}

func runChild(ctx context.Context, name string, args ...string) (childUsage, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	u := childUsage{wall: time.Since(start)}
	if err != nil {
		return u, fmt.Errorf("%w\n%s", err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return u, errors.New("no resource usage for the child on this system")
	}
	u.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	u.maxRSS = ru.Maxrss << 10 // Linux counts kilobytes
	return u, nil
}

// writeBenchPages writes n text-only pages twice: as crosscast items in
// dir/items, and as a Hugo site in dir/hugo with a plain page layout,
// so both build the same content into one HTML page each (Hugo adds its
// lists, tag pages, feeds and sitemap, as it does for any site).
func writeBenchPages(dir string, n int) (items, site string, err error) {
	items, site = filepath.Join(dir, "items"), filepath.Join(dir, "hugo")
	posts := filepath.Join(site, "content", "posts")
	layouts := filepath.Join(site, "layouts", "_default")
	for _, d := range []string{items, posts, layouts} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", "", err
		}
	}
	files := map[string]string{
		filepath.Join(site, "hugo.toml"): "baseURL = 'https://bench.example/'\ntitle = 'Bench'\nlanguageCode = 'en'\n",
		filepath.Join(layouts, "baseof.html"): `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>` +
			`<meta name="viewport" content="width=device-width"></head><body>{{ block "main" . }}{{ end }}</body></html>` + "\n",
		filepath.Join(layouts, "single.html"): `{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Summary }}</p>` +
			`<time>{{ .Date.Format "2 January 2006" }}</time>{{ .Content }}</article>{{ end }}` + "\n",
		filepath.Join(layouts, "list.html"): `{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}` + "\n",
	}
	for p, body := range files {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return "", "", err
		}
	}
	for i := 1; i <= n; i++ {
		page := fmt.Sprintf(`---
title: Opening hours note %d
summary: The shop opens at nine on weekdays.
tags: [news, shop]
date: 2026-11-01
---
The shop opens at nine on weekdays and at ten on Saturdays. Note %d explains the hours for the
coming season in a few plain sentences.

## Why it changes

Winter days are short, so the afternoon hours move forward by an hour. Come by when it suits you.

- Weekdays: 9 to 17
- Saturday: 10 to 16
`, i, i)
		name := fmt.Sprintf("note-%d.md", i)
		for _, d := range []string{items, posts} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(page), 0o644); err != nil {
				return "", "", err
			}
		}
	}
	return items, site, nil
}
