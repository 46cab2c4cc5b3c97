//go:build crashhook

package main

import (
	"context"
	"os"
	"strings"
	"syscall"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/renderers"
)

// envCrashOn names a rendering that kills its own process, in binaries
// built with -tags crashhook only (the kill test builds one): an item id
// as the store names it (brand.lang.id), or id/channel. It stands in for an input that takes the process down
// where no recover() can help: the kernel's OOM killer, a fatal error in
// the runtime, a crash in a C library.
const envCrashOn = "CROSSCAST_TEST_CRASH_ON"

// testHooks wraps the renderers when envCrashOn is set. It is read here,
// once, as the renderers are wired, through the configuration's getenv.
func testHooks(rs []renderers.Renderer, getenv func(string) string) []renderers.Renderer {
	target := getenv(envCrashOn)
	if target == "" {
		return rs
	}
	item, channel, _ := strings.Cut(target, "/")
	out := make([]renderers.Renderer, len(rs))
	for i, r := range rs {
		out[i] = r
		if channel == "" || channel == r.Channel() {
			out[i] = crashOn{Renderer: r, item: item}
		}
	}
	return out
}

// crashOn is a renderer that SIGKILLs its process when asked for item.
type crashOn struct {
	renderers.Renderer
	item string
}

func (c crashOn) Render(ctx context.Context, in renderers.Input) (*renderers.Output, error) {
	if app.ItemID(in.Brand.ID, in.Item.Lang, in.Item.ID) == c.item {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
	return c.Renderer.Render(ctx, in)
}
