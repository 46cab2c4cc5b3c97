package app_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"log/slog"
	"testing"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/images"
)

// A derivative one worker made is found by another worker's empty cache,
// without decoding the source again.
func TestSharedDerivatives(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	var b bytes.Buffer
	jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 1200, 800)), nil)
	a := &content.Asset{Name: "hero.jpg", Data: b.Bytes(), Format: "jpeg", Width: 1200, Height: 800, SHA256: "f00d"}
	shared := app.SharedDerivatives(e.DB, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	first, err := images.Resize(ctx, &images.Cache{Shared: shared}, a, []int{480, 960})
	if err != nil {
		t.Fatal(err)
	}
	a.Data = nil // a second decode would fail
	second, err := images.Resize(ctx, &images.Cache{Shared: shared}, a, []int{480, 960})
	if err != nil {
		t.Fatalf("the second worker decoded again: %v", err)
	}
	for i := range first {
		if first[i].Name != second[i].Name || !bytes.Equal(first[i].Data, second[i].Data) {
			t.Errorf("variant %d differs: %s vs %s", i, first[i].Name, second[i].Name)
		}
	}
}
