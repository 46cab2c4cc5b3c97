package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/internal/checkers"
)

// The item page's A/B test block in a browser: axe finds nothing
// serious, the block fits a 375 px phone (its table scrolls in its own
// box), and the editor's pick ends the test.
func TestItemExperimentInBrowser(t *testing.T) {
	ctx := checkers.Browser(t)
	u := newUI(t)
	u.Start(t)
	id := startPageExperiment(t, u)
	dir := t.ArtifactDir()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	}
	do("sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "editor"), chromedp.SendKeys("#password", uiPassword), chromedp.Submit("#password"), chromedp.WaitVisible("table.items"))
	// The editor UI has one colour scheme; the page is checked wide and
	// on a 375 px phone, where nothing may stick out past the screen
	// (wide tables scroll in their own box).
	for _, w := range []int64{1280, 375} {
		name := map[int64]string{1280: "wide", 375: "phone"}[w]
		do("open "+name, chromedp.EmulateViewport(w, 900), chromedp.Navigate(u.url+"/items/"+id+"?tab=history"), chromedp.WaitVisible(".exp-arms"))
		checkers.AxePage(t, ctx, name)
		for _, tab := range []string{"history", "email", "links"} {
			do("open "+tab+" at "+name, chromedp.Navigate(u.url+"/items/"+id+"?tab="+tab), chromedp.WaitVisible("main"))
			wide, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
			if err != nil || wide > float64(w) {
				t.Errorf("%s, %s tab: the page is %.0f px wide on a %d px screen (%v)", name, tab, wide, w, err)
			}
			if tab != "history" {
				checkers.AxePage(t, ctx, name+"-"+tab)
			}
			shot("item-" + tab + "-" + name)
		}
		do("back to history", chromedp.Navigate(u.url+"/items/"+id+"?tab=history"), chromedp.WaitVisible(".exp-arms"))
		right, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector(".experiment").getBoundingClientRect().right`))
		if err != nil || right > float64(w) {
			t.Errorf("%s: the A/B test block ends at %.0f px of %d (%v)", name, right, w, err)
		}
		shot("experiment-" + name)
	}
	do("pick b", chromedp.EmulateViewport(1280, 900), chromedp.Click(`form.exp-pick button[value="b"]`), chromedp.WaitVisible(".flash"))
	outcome, err := chromedp.Run(ctx, chromedp.Text(".exp-outcome"))
	if err != nil || !strings.Contains(outcome, "b won: picked by user:editor") {
		t.Errorf("after the pick the page says %q (%v)", outcome, err)
	}
	shot("experiment-picked")
	t.Logf("screenshots in %s", dir)
}
