package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base, pw := os.Args[1], os.Args[2]
	ctx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox)...)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	must(chromedp.Do(ctx, chromedp.EmulateViewport(1280, 3400), chromedp.Navigate(base+"/login"),
		chromedp.SendKeys("#name", "admin"), chromedp.SendKeys("#password", pw), chromedp.Submit("#password"), chromedp.WaitVisible("table.items")))
	for i, p := range os.Args[3:] {
		must(chromedp.Do(ctx, chromedp.Navigate(base+p), chromedp.Sleep(1500*time.Millisecond)))
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(70))
		must(err)
		os.WriteFile(fmt.Sprintf("/tmp/shot%d.jpg", i), buf, 0o644)
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
