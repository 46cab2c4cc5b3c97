package catalog

import (
	"bytes"
	"fmt"
	"image/png"
	"testing"
)

// A re-render prints the very same code without drawing it again, and
// the drawn codes kept stay bounded however many URLs pass through.
func TestQRCache(t *testing.T) {
	var c qrCache
	p1, s1, err := c.draw("https://kestrel.example/a/?utm_source=print")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(p1)); err != nil {
		t.Fatalf("the QR PNG does not decode: %v", err)
	}
	p1[0] = 'X' // the caller's copy
	p2, s2, err := c.draw("https://kestrel.example/a/?utm_source=print")
	if err != nil || p2[0] == 'X' || !bytes.Equal(s1, s2) {
		t.Fatalf("the cached code changed: %v", err)
	}
	for i := range maxQRCodes + 10 {
		if _, _, err := c.draw(fmt.Sprintf("https://kestrel.example/%d/", i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.m) > maxQRCodes || len(c.order) > maxQRCodes {
		t.Errorf("%d codes kept, over %d", len(c.m), maxQRCodes)
	}
}
