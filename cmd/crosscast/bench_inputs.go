package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
)

// The bench's generated inputs (items, photos, a brand kit copy) and its
// measurements of CPU time and memory.

// cpu is the CPU time used so far by this process and the workers.
func (r *benchRun) cpu() time.Duration {
	t := cpuTime()
	for _, pid := range r.pids {
		t += cpuOf(pid)
	}
	return t
}

func (r *benchRun) item(photo []byte) map[string][]byte {
	r.seq++
	return map[string][]byte{
		"index.md": fmt.Appendf(nil, `---
title: Bench trip %d
tags: [trips, bench]
hero: {src: hero.jpg, alt: A ridge above the tree line at dusk}
---
We left the car at six and reached the saddle by noon. The second
half of the walk follows the river down to the lake, where the tent
went up in ten minutes.

## What worked

- the Ridgeline 2 in a crosswind
- porridge with dried apples
`, r.seq), "hero.jpg": photo,
	}
}

// copyKit copies a brand kit's files into dir (named for the brand id),
// with extra appended to brand.yaml.
func copyKit(src, dir, extra string) (string, error) {
	_, files, err := app.ReadBrandDir(src)
	if err != nil {
		return "", err
	}
	files["brand.yaml"] = append(bytes.Clone(files["brand.yaml"]), extra...)
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// benchPhotos makes n distinct 2400×1600 JPEGs that compress like photos
// (gradients with grain), about 1 MB each.
func benchPhotos(n int) [][]byte {
	out := make([][]byte, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = benchPhoto(i)
		})
	}
	wg.Wait()
	return out
}

// benchPhoto is the i-th generated 2400×1600 photo: gradients under
// noise, so it compresses like a photograph (about 2 MB).
func benchPhoto(i int) []byte {
	const w, h = 2400, 1600
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	for y := range h {
		for x := range w {
			g := rng.IntN(24)
			o := img.PixOffset(x, y)
			img.Pix[o] = uint8((x*200/w + i*13 + g) % 256)
			img.Pix[o+1] = uint8((y*180/h + g) % 256)
			img.Pix[o+2] = uint8((120 + (x+y)*60/(w+h) + g) % 256)
			img.Pix[o+3] = 255
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes()
}

// benchPhotoFiles generates n photos into dir, one file each, and
// returns their paths: the runs read each photo as its item is
// submitted, so the benchmark's inputs (80 photos of about 2 MB) are
// not counted in the pipeline's peak memory.
func benchPhotoFiles(dir string, n int) ([]string, error) {
	paths := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			paths[i] = filepath.Join(dir, fmt.Sprintf("photo-%03d.jpg", i))
			errs[i] = os.WriteFile(paths[i], benchPhoto(i), 0o600)
		})
	}
	wg.Wait()
	return paths, errors.Join(errs...)
}

// readPhotos reads photo files.
func readPhotos(paths []string) ([][]byte, error) {
	out := make([][]byte, len(paths))
	for i, p := range paths {
		var err error
		if out[i], err = os.ReadFile(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// benchCPU renders sample items one at a time through every channel,
// the channels sharing one image cache as in a worker, and reports the
// process CPU time each channel took: cold (no cached derivatives; the
// first channel to need the photo decodes it for all), warm, and for a
// text-only item. It also reports how many times each photo was decoded.
func benchCPU(w io.Writer, br *content.Brand, rs []renderers.Renderer, photos [][]byte) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CPU per item\tfresh images ms\tcached ms\ttext only ms\t")
	r := &benchRun{}
	items := make([]*content.Item, len(photos))
	for i, ph := range photos {
		files := r.item(ph)
		it, err := content.ParseBytes(memfs.FS(files), "index.md", files["index.md"], content.ParseOptions{DefaultLang: br.Lang})
		if err != nil {
			return err
		}
		items[i] = it
	}
	textSrc := []byte("---\ntitle: A text-only note\n---\nThe shop opens at nine.\n")
	text, err := content.ParseBytes(nil, "index.md", textSrc, content.ParseOptions{DefaultLang: br.Lang})
	if err != nil {
		return err
	}
	cache := &images.Cache{}
	shared := renderers.Shared{Images: cache}
	chans := make([]renderers.Renderer, len(rs))
	for i, base := range rs {
		if chans[i], err = channels()[base.Channel()](shared); err != nil {
			return err
		}
	}
	// pass renders its items through every channel, item by item, and
	// returns each channel's CPU ms per item.
	pass := func(its []*content.Item) ([]float64, error) {
		ms := make([]float64, len(chans))
		for _, it := range its {
			for i, ch := range chans {
				t0 := cpuTime()
				if _, err := ch.Render(context.Background(), renderers.Input{Item: it, Brand: br, Links: content.NewLinkPlan(it, br)}); err != nil {
					return nil, err
				}
				ms[i] += float64((cpuTime() - t0).Microseconds()) / 1000 / float64(len(its))
			}
		}
		return ms, nil
	}
	cold, err := pass(items)
	if err != nil {
		return err
	}
	decodes := cache.Decodes()
	warm, err := pass(items)
	if err != nil {
		return err
	}
	txt, err := pass(slices.Repeat([]*content.Item{text}, 200))
	if err != nil {
		return err
	}
	var sum [3]float64
	for i, ch := range chans {
		fmt.Fprintf(tw, "%s\t%.1f\t%.2f\t%.2f\t\n", ch.Channel(), cold[i], warm[i], txt[i])
		sum[0], sum[1], sum[2] = sum[0]+cold[i], sum[1]+warm[i], sum[2]+txt[i]
	}
	fmt.Fprintf(tw, "all channels\t%.1f\t%.2f\t%.2f\t\n", sum[0], sum[1], sum[2])
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "photo decodes per fresh item, all channels: %.2f\n", float64(decodes)/float64(max(len(items), 1)))
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuOf reads a process's CPU time (user + system) from /proc.
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; count from after it.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// rssOf reads a process's peak resident set (VmHWM) from /proc.
func rssOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.Fields(v)[0])
			return fmt.Sprintf("%d MB", kb/1024)
		}
	}
	return "unknown"
}
