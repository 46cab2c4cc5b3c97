package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/renderers"
)

// The bench's per-channel CPU table renders a fresh item through every
// channel over one image cache, and the channels decode its photo once
// between them, not once each.
func TestBenchCPUOneDecodePerItem(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a 2400×1600 photo through every channel")
	}
	br := examples.Load(t)[0].Brand
	var rs []renderers.Renderer
	for _, mk := range channels() {
		r, err := mk(renderers.Shared{})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	var out bytes.Buffer
	if err := benchCPU(&out, br, rs, benchPhotos(2)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "photo decodes per fresh item, all channels: 1.00") {
		t.Errorf("not one decode per item:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "all channels") {
		t.Errorf("no total row:\n%s", out.String())
	}
}
