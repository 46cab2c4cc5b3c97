// Package checkers runs the outside checkers and the browser the tests
// rely on: the Nu HTML Checker (vnu.jar), axe-core and the console in
// headless Chromium (driven by chromedp), and linkinator over a built
// site, all but Chromium installed by `make tools`. Without them the tests
// skip locally and fail in CI; the browser tests also skip under -short.
package checkers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/internal/testenv"
)

// tool returns the path of a checker `make tools` installs below
// tools/node_modules, or skips the test (fails it in CI) without it.
func tool(t *testing.T, name, rel string) string {
	t.Helper()
	p := filepath.Join(testenv.RepoRoot(t), "tools", "node_modules", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, "%s not installed (run make tools): %v", name, err)
	}
	return p
}

func axeSource(t *testing.T) []byte {
	t.Helper()
	axe, err := os.ReadFile(tool(t, "axe-core", "axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return axe
}

// NuHTML runs the pages (paths below dir) through the Nu HTML Checker
// and reports every error.
func NuHTML(t *testing.T, dir string, pages []string) {
	t.Helper()
	jar := tool(t, "Nu HTML Checker", "vnu-jar/build/dist/vnu.jar")
	java, err := exec.LookPath("java")
	if err != nil {
		testenv.Missing(t, "java not found: %v", err)
	}
	args := []string{"-jar", jar, "--format", "json", "--errors-only"}
	for _, p := range pages {
		args = append(args, filepath.Join(dir, p))
	}
	out, _ := exec.Command(java, args...).CombinedOutput() // exits 1 when it finds errors; the JSON says which
	var res struct {
		Messages []struct {
			Type, URL, Message string
			LastLine           int
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("reading vnu output: %v\n%s", err, out)
	}
	for _, m := range res.Messages {
		t.Errorf("%s:%d: %s: %s", strings.TrimPrefix(m.URL, "file:"+dir+"/"), m.LastLine, m.Type, m.Message)
	}
	t.Logf("checked %d pages", len(pages))
}

// Axe loads each page (paths below dir, served over HTTP) in headless
// Chromium, in light and dark colour schemes, and reports every serious
// or critical axe-core violation. A canary page with a known violation
// proves axe really ran.
func Axe(t *testing.T, dir string, pages []string) {
	t.Helper()
	axe := axeSource(t)
	const canary = "canary.html"
	os.WriteFile(filepath.Join(dir, canary), []byte(`<!DOCTYPE html><html lang="en"><title>c</title><img src="x.png">`), 0o644)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	ctx := Browser(t)

	for _, scheme := range []string{"light", "dark"} {
		for _, p := range append([]string{canary}, pages...) {
			pctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := chromedp.Do(pctx,
				setColorScheme(scheme),
				chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(srv.URL+"/"+p),
			)
			var violations []AxeViolation
			if err == nil {
				violations, err = runAxe(pctx, axe)
			}
			cancel()
			if err != nil {
				t.Fatalf("%s (%s): %v", p, scheme, err)
			}
			if p == canary {
				if len(violations) == 0 {
					t.Fatal("axe found nothing wrong with the canary page: the check is not working")
				}
				continue
			}
			for _, v := range violations {
				t.Errorf("%s (%s): %s", p, scheme, v)
			}
		}
	}
	t.Logf("checked %d pages in light and dark", len(pages))
}

// AxeViolation is one serious or critical axe-core finding.
type AxeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

func (v AxeViolation) String() string {
	return v.Impact + " " + v.ID + ": " + v.Help + " at " + strings.Join(v.Nodes, ", ")
}

func runAxe(ctx context.Context, axe []byte) ([]AxeViolation, error) {
	const run = `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		 .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(axe))); err != nil {
		return nil, err
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	var vs []AxeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, fmt.Errorf("%w: %s", err, out)
	}
	return vs, nil
}

// AxePage runs axe-core on the page the browser shows now and reports
// every serious or critical violation under label.
func AxePage(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	axe := axeSource(t)
	vs, err := runAxe(ctx, axe)
	if err != nil {
		t.Fatalf("axe on %s: %v", label, err)
	}
	for _, v := range vs {
		t.Errorf("axe, %s: %s", label, v)
	}
}

// Console collects the browser's console messages from now on; the
// function it returns gives those seen so far. Safe to call while
// messages still arrive.
func Console(ctx context.Context) func() []string {
	var (
		mu   sync.Mutex
		msgs []string
	)
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m.String())
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(msgs)
	}
}

// Browser starts a headless Chromium for the test, stopped when it ends,
// or skips the test (fails it in CI) when Chromium is not installed.
func Browser(t *testing.T) context.Context {
	t.Helper()
	testenv.SkipIfShort(t, "starts headless Chromium")
	browser := chromiumPath()
	if browser == "" {
		testenv.Missing(t, "chromium not installed (apt-get install chromium)")
	}
	ctx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
	)...)
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	// The first action starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// ColorScheme emulates prefers-color-scheme ("light" or "dark").
func ColorScheme(scheme string) chromedp.Action[chromedp.Void] { return setColorScheme(scheme) }

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// setColorScheme emulates prefers-color-scheme.
func setColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return chromedp.Void{}, err
	}
}

// Linkinator serves dir as the site at siteURL and runs linkinator
// (npm) over it from its home page, following every link inside the
// site, anchors included. Links to other hosts are not followed. It
// reports every broken link with the page it was found on, and returns
// how many links were checked.
func Linkinator(t *testing.T, dir, siteURL string) int {
	t.Helper()
	cli := tool(t, "linkinator", "linkinator/build/src/cli.js")
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node not found: %v", err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	site := strings.TrimRight(siteURL, "/")
	cmd := exec.Command(node, cli, srv.URL+"/", "--recurse", "--check-fragments", "--format", "json",
		"--url-rewrite-search", regexp.QuoteMeta(site), "--url-rewrite-replace", srv.URL,
		"--skip", "^(?!"+regexp.QuoteMeta(srv.URL)+")", "--timeout", "10000")
	out, _ := cmd.Output() // exits 1 when a link is broken; the JSON says which
	var res struct {
		Links []struct {
			URL, State, Parent string
			Status             int
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("reading linkinator output: %v\n%s", err, out)
	}
	checked := 0
	for _, l := range res.Links {
		local := func(u string) string { return strings.Replace(u, srv.URL, site, 1) }
		switch l.State {
		case "BROKEN":
			t.Errorf("broken link %s (%d) on %s", local(l.URL), l.Status, local(l.Parent))
			checked++
		case "OK":
			checked++
		}
	}
	return checked
}
