//go:build !crashhook

package main

import "github.com/crosscast/crosscast/renderers"

// testHooks is the kill test's way into the renderers (crashhook.go);
// a binary built without -tags crashhook has none.
func testHooks(rs []renderers.Renderer, _ func(string) string) []renderers.Renderer { return rs }
