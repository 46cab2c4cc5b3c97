package renderers_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/renderers/social"
)

// renderBudget is the CPU time parsing and rendering one body in all
// four channels may take. The bodies below took from seconds to forever
// before they were bounded. CPU time, not wall time, so that a machine
// shared with other work does not fail the test; on an idle machine
// they are the same.
const renderBudget = 2 * time.Second

// cpuTime is the CPU time this process has used (user and system, all
// threads, GC included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type channels struct {
	brand *content.Brand
	all   []renderers.Renderer
}

func newChannels(t testing.TB) *channels {
	t.Helper()
	dir := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel")
	b, err := content.LoadBrand(os.DirFS(dir), "kestrel", "brand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := &images.Cache{}
	p, err := portal.New(c)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := catalog.New(c)
	if err != nil {
		t.Fatal(err)
	}
	so, err := social.New(c)
	if err != nil {
		t.Fatal(err)
	}
	em, err := email.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return &channels{brand: b, all: []renderers.Renderer{p, ca, so, em}}
}

// render parses src and renders it in every channel the way the worker
// does. A rejected body returns its content.Errors.
func (c *channels) render(ctx context.Context, src []byte) error {
	it, err := content.ParseBytesContext(ctx, nil, "index.md", src, content.ParseOptions{DefaultLang: c.brand.Lang})
	if err != nil {
		return err
	}
	in := renderers.Input{Item: it, Brand: c.brand, Links: content.NewLinkPlan(it, c.brand)}
	for _, r := range c.all {
		if _, err := r.Render(ctx, in); err != nil {
			return fmt.Errorf("%s: %w", r.Channel(), err)
		}
	}
	return nil
}

func adversarial() map[string]string {
	nestedList := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat("  ", i) + "- item\n")
		}
		return b.String()
	}
	return map[string]string{
		"link openers":        strings.Repeat("[a](", 200_000),
		"identical headings":  strings.Repeat("## Same heading\n\nText.\n\n", 20_000),
		"setext headings":     strings.Repeat("Heading\n=======\n", 25_000),
		"setext h2 of lines":  strings.Repeat("a\nb\n---\n", 100_000),
		"nested blockquotes":  strings.Repeat(">", 600) + " deep\n",
		"nested list items":   nestedList(600),
		"nested raw HTML":     strings.Repeat("<div>", 600) + "deep" + strings.Repeat("</div>", 600) + "\n",
		"unclosed raw HTML":   strings.Repeat("<div><span><em>", 20_000) + "\n",
		"zalgo body":          "Z" + strings.Repeat("\u0301", 300_000) + "\n",
		"many links":          strings.Repeat("See [the tent](https://kestrel.example/tents/ridgeline).\n", 15_000),
		"many footnotes":      strings.Repeat("Text[^n].\n\n", 10_000) + strings.Repeat("[^n]: Note.\n", 10_000),
		"wide table":          "|" + strings.Repeat(" a |", 20_000) + "\n|" + strings.Repeat("---|", 20_000) + "\n",
		"long table":          "| a | b |\n|---|---|\n" + strings.Repeat("| x | y |\n", 90_000),
		"emphasis":            strings.Repeat("*a **b _c", 90_000),
		"one long word":       strings.Repeat("x", 1<<20-100),
		"one long paragraph":  strings.Repeat("word ", 200_000),
		"code spans":          strings.Repeat("`a` ``b`` ", 90_000),
		"autolinks":           strings.Repeat("https://kestrel.example/a ", 35_000),
		"headings with marks": strings.Repeat("# e\u0301\u0301\u0301\u0301\n\n", 50_000),
	}
}

// TestAdversarialBodiesFinish renders (or rejects with a positioned
// error) each body that once took crosscast seconds to minutes.
func TestAdversarialBodiesFinish(t *testing.T) {
	c := newChannels(t)
	for name, body := range adversarial() {
		t.Run(name, func(t *testing.T) {
			src := []byte("---\ntitle: Adversarial\n---\n" + body)
			if len(src) > content.DefaultLimits().Body {
				t.Fatalf("the case is %d bytes, over the body limit", len(src))
			}
			start, cpu := time.Now(), cpuTime()
			err := c.render(context.Background(), src)
			took, wall := cpuTime()-cpu, time.Since(start)
			var ce content.Errors
			switch {
			case errors.As(err, &ce):
				if ce[0].Line == 0 {
					t.Errorf("rejected without a line: %v", ce)
				}
			case err != nil:
				t.Errorf("not rendered and not a positioned rejection: %.300v", err)
			}
			if took > renderBudget {
				t.Errorf("took %v of CPU (budget %v), %v of wall time", took, renderBudget, wall)
			}
			t.Logf("%v CPU, %v wall, err=%.120v", took.Round(time.Millisecond), wall.Round(time.Millisecond), err)
		})
	}
}

// A render past its deadline stops and says so, instead of finishing
// work nobody waits for.
func TestRenderStopsAtDeadline(t *testing.T) {
	c := newChannels(t)
	src := []byte("---\ntitle: Deadline\n---\n" + strings.Repeat("A paragraph with *emphasis* and a [link](https://kestrel.example/a).\n\n", 3000))
	it, err := content.ParseBytes(nil, "index.md", src, content.ParseOptions{DefaultLang: c.brand.Lang})
	if err != nil {
		t.Fatal(err)
	}
	in := renderers.Input{Item: it, Brand: c.brand, Links: content.NewLinkPlan(it, c.brand)}
	for _, r := range c.all {
		t.Run(r.Channel(), func(t *testing.T) {
			const deadline = 20 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			_, err := r.Render(ctx, in)
			took := time.Since(start)
			// A render that passes its last deadline check just before
			// the deadline may return a little after it under load.
			if err == nil && took < deadline+10*time.Millisecond {
				t.Skipf("rendered in %v, about at the deadline", took)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v after %v, want context.DeadlineExceeded", err, took)
			}
			// 100 ms past the deadline on an idle machine; more under load.
			if took > deadline+500*time.Millisecond {
				t.Errorf("returned %v after the deadline", took-deadline)
			}
			t.Logf("returned after %v", took)
		})
	}
}

// FuzzRenderBounded: any body up to the size limit parses and renders in
// every channel (or is rejected with a positioned error) within the CPU
// budget. The seeds are the adversarial bodies; the fuzzer repeats its
// input to reach sizes where super-linear work shows.
func FuzzRenderBounded(f *testing.F) {
	for _, body := range adversarial() {
		n := min(len(body), 64)
		f.Add(body[:n], uint16(len(body)/max(n, 1)))
	}
	f.Add("[a](", uint16(50_000))
	f.Add("# Same\n\n", uint16(30_000))
	c := newChannels(f)
	f.Fuzz(func(t *testing.T, unit string, times uint16) {
		if unit == "" {
			return
		}
		limit := content.DefaultLimits().Body
		n := min(int(times), limit/len(unit))
		src := []byte("---\ntitle: Fuzz\n---\n" + strings.Repeat(unit, max(n, 1)))
		cpu := cpuTime()
		err := c.render(context.Background(), src)
		if took := cpuTime() - cpu; took > renderBudget {
			t.Errorf("%d × %q took %v of CPU", n, unit, took)
		}
		var ce content.Errors
		if err != nil && (!errors.As(err, &ce) || ce[0].Line == 0 && ce[0].Field == "") {
			t.Errorf("%d × %q: not a positioned rejection: %.300v", n, unit, err)
		}
	})
}
