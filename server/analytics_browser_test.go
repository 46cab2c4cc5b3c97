package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crosscast/crosscast/internal/checkers"
	"github.com/crosscast/crosscast/internal/pipetest"
)

// chartCheck reads every chart on the page against the table behind it:
// each point of a line chart against its day's row and its series'
// column, each bar against its row's last cell.
const chartCheck = `(() => {
  const out = {checked: 0, bad: [], charts: 0};
  for (const sec of document.querySelectorAll('.chart-panel')) {
    const svg = sec.querySelector('svg.chart'), table = sec.querySelector('table.numbers');
    if (!svg || !table) continue;
    out.charts++;
    const heads = [...table.tHead.rows[0].cells].map(c => c.textContent.trim());
    const rows = new Map([...table.tBodies[0].rows].map(r => [r.cells[0].textContent.trim(), r]));
    const cmp = (what, label, cell, value) => {
      out.checked++;
      if (cell !== value) out.bad.push(what + ' ' + label + ': chart ' + value + ', table ' + cell);
    };
    for (const g of svg.querySelectorAll('g.series')) {
      const col = heads.indexOf(g.dataset.series);
      for (const p of g.querySelectorAll('.point')) {
        const r = rows.get(p.dataset.label);
        cmp(g.dataset.series, p.dataset.label, r && col > 0 ? r.cells[col].textContent.trim() : '(no cell)', p.dataset.value);
      }
    }
    for (const b of svg.querySelectorAll('rect.bar')) {
      const r = rows.get(b.dataset.label);
      cmp(sec.id || table.id, b.dataset.label, r ? r.cells[r.cells.length - 1].textContent.trim() : '(no row)', b.dataset.value);
    }
  }
  return JSON.stringify(out);
})()`

// An editor opens the Analytics pages after readers clicked tracked
// links: every chart agrees with its table, axe finds nothing serious in
// light or dark, and both are saved as screenshots.
func TestAnalyticsInBrowser(t *testing.T) {
	ctx := checkers.Browser(t)
	u := newUI(t)
	f := newClickFixture(t, u)
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
		h, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
		if err == nil {
			chromedp.Do(ctx, chromedp.EmulateViewport(1280, int64(min(h, 8000))))
		}
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
		chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900))
	}
	charts := func(page string, wantCharts, atLeast int) {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](chartCheck))
		if err != nil {
			t.Fatalf("%s: reading the charts: %v", page, err)
		}
		var got struct {
			Checked, Charts int
			Bad             []string
		}
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatal(err)
		}
		for _, b := range got.Bad {
			t.Errorf("%s: %s", page, b)
		}
		if got.Charts != wantCharts || got.Checked < atLeast {
			t.Errorf("%s: %d charts with %d marks checked, want %d charts and at least %d marks", page, got.Charts, got.Checked, wantCharts, atLeast)
		}
	}

	do("sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#name", "editor"), chromedp.SendKeys("#password", uiPassword), chromedp.Submit("#password"), chromedp.WaitVisible("nav[aria-label=Main]"))
	do("open the item's analytics from its page", chromedp.Navigate(u.url+"/items/"+f.item), chromedp.WaitVisible(`a[href$="/analytics"]`),
		chromedp.Click(`.meta a[href$="/analytics"]`), chromedp.WaitVisible("#h-channels"))
	// 30 days × 6 channels of points, 2 variants, 8 links, 4 paths.
	charts("item", 4, 30*6+2+8+4)
	if total, _ := chromedp.Run(ctx, chromedp.Text(".total")); total != "43" {
		t.Errorf("the item page shows %q clicks, want 43", total)
	}
	for _, scheme := range []string{"light", "dark"} {
		do("show "+scheme, checkers.ColorScheme(scheme))
		checkers.AxePage(t, ctx, "item analytics, "+scheme)
		shot("analytics-item-" + scheme)
	}
	do("pick the last 7 days", checkers.ColorScheme("light"), chromedp.SetValue("#a-days", "7"), chromedp.Click(".range button"))
	pipetest.WaitFor(t, 15*time.Second, "the 7-day report", func() (bool, string) {
		c, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		n, _ := chromedp.Run(c, chromedp.Evaluate[int](`document.querySelectorAll('#table-channels tbody tr').length`))
		return n == 7, fmt.Sprint(n, " days")
	})
	charts("item, 7 days", 4, 7*6+2+8+4)

	do("open the brand's analytics from the top bar", chromedp.Click(`nav[aria-label=Main] a[href="/analytics"]`), chromedp.WaitVisible("#h-paths"))
	charts("brand", 4, 30*6+2+8+4)
	checkers.AxePage(t, ctx, "brand analytics")
	shot("analytics-brand-light")
	do("show dark", checkers.ColorScheme("dark"))
	checkers.AxePage(t, ctx, "brand analytics, dark")
	shot("analytics-brand-dark")
}
