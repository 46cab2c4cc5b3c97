package social

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/memfs"
)

// withHeading is the test brand with its heading stack set.
func withHeading(t *testing.T, stack string) *content.Brand {
	return testBrand(t, allNetworks+"fonts:\n  heading: "+stack+"\n", nil)
}

// A serif brand's card sets its title in a serif: the card is the one
// drawn with the bundled serif, and not the one drawn with Go's sans.
func TestCardSerifTitle(t *testing.T) {
	r := newRenderer(t)
	src := "---\ntitle: Hut opening on the ridge\n---\nBody.\n"
	b := withHeading(t, `'Georgia, "Times New Roman", serif'`)
	doc, out := renderDoc(t, b, testItem(t, b, src, nil))
	got := decodeCard(t, out, doc.Cards[0].File)

	it := testItem(t, b, src, nil)
	j := &cardJob{names: content.NewShareCard(it, b), title: it.Title, drawTitle: true, host: b.Domain(), brand: b,
		body: fontChain{r.lib.Sans(false)}}
	drawn := func(heading fontChain) image.Image {
		j.heading = heading
		img, err := r.drawCard(j, cardSizes[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	serif := drawn(fontChain{r.lib.Match("serif", true), r.lib.Sans(true)})
	sans := drawn(fontChain{r.lib.Sans(true)})
	if mean, bad := golden.Diff(got, serif); mean > golden.DefaultTolerance.MeanDiff || bad > golden.DefaultTolerance.BadPixels {
		t.Errorf("the card is not the one set in the serif: mean %.2f, %.2f%% of pixels off", mean, bad*100)
	}
	if _, bad := golden.Diff(got, sans); bad < 0.005 {
		t.Errorf("the serif card looks like the sans one: %.2f%% of pixels differ", bad*100)
	}
	// A sans brand keeps Go's sans.
	sb := withHeading(t, `'"Helvetica Neue", sans-serif'`)
	doc, out = renderDoc(t, sb, testItem(t, sb, src, nil))
	if _, bad := golden.Diff(decodeCard(t, out, doc.Cards[0].File), sans); bad > golden.DefaultTolerance.BadPixels {
		t.Errorf("the sans brand's card is not set in the sans: %.2f%% of pixels differ", bad*100)
	}
}

// A hyphen renders as a hyphen: U+2010 and U+2011, which Go's fonts
// lack, are set as "-" rather than leaving the title off the card, and
// a soft hyphen does not show.
func TestCardHyphens(t *testing.T) {
	for _, stack := range []string{"sans-serif", "serif"} {
		b := withHeading(t, stack)
		card := func(title string) (image.Image, string) {
			doc, out := renderDoc(t, b, testItem(t, b, "---\ntitle: \""+title+"\"\n---\nBody.\n", nil))
			return decodeCard(t, out, doc.Cards[0].File), warningText(out)
		}
		want, _ := card("Two-person tents for a well-known ridge")
		for _, title := range []string{"Two\u2011person tents for a well\u2010known ridge", "Two-per\u00adson tents for a well-known ridge"} {
			got, warns := card(title)
			if strings.Contains(warns, "leave the title out") {
				t.Errorf("%s: %q is left off the card", stack, title)
			}
			if mean, bad := golden.Diff(got, want); mean > golden.DefaultTolerance.MeanDiff || bad > golden.DefaultTolerance.BadPixels {
				t.Errorf("%s: %q does not look like the title with ASCII hyphens: mean %.2f, %.2f%% of pixels off", stack, title, mean, bad*100)
			}
		}
	}
}

// The landscape crop keeps the focal point in the photo above the band:
// a tall photo, red above and blue below, shows red with the focus near
// its top and blue with it near its bottom.
func TestCardFocalCrop(t *testing.T) {
	b := testBrand(t, allNetworks, nil)
	photo := splitPhoto(t, 1200, 2400)
	for _, tt := range []struct {
		focus   string
		redWant bool
	}{{"0.5,0.1", true}, {"0.5,0.9", false}, {"0.5,0.3", true}, {"0.5,0.7", false}} {
		it := testItem(t, b, "---\ntitle: Ridge\nhero:\n  src: hero.png\n  alt: A ridge\n  focus: "+tt.focus+"\n---\nBody.\n", memfs.FS{"hero.png": photo})
		doc, out := renderDoc(t, b, it)
		for _, i := range []int{0, 1} { // the landscape card and the square one
			img := decodeCard(t, out, doc.Cards[i].File)
			// The photo's middle, between the logo chip and the band.
			c := colorAt(img, img.Bounds().Dx()/2, img.Bounds().Dy()/4)
			if red := c.R > 150 && c.B < 100; red != tt.redWant {
				t.Errorf("focus %s, %s card: %s at the photo's middle", tt.focus, doc.Cards[i].Kind, c.Hex())
			}
		}
	}
}

// splitPhoto is a w×h PNG, red on the top half and blue on the bottom.
func splitPhoto(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			if y < h/2 {
				img.Pix[i], img.Pix[i+3] = 200, 255
			} else {
				img.Pix[i+2], img.Pix[i+3] = 200, 255
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
