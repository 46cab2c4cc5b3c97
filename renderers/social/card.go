package social

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"sync"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
)

// Card is one share card image as social.json lists it.
type Card struct {
	File   string `json:"file"`
	Kind   string `json:"kind"` // "landscape" or "square"
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Alt    string `json:"alt"`
}

// cardSize is a card format: the 1.91:1 link-preview size every network
// shows, and a square for feeds that crop to one.
type cardSize struct {
	kind string
	w, h int
}

var cardSizes = []cardSize{
	{"landscape", content.ShareCardWidth, content.ShareCardHeight},
	{"square", content.SquareCardSize, content.SquareCardSize},
}

// cardQuality is a little above the photos' quality: the title's edges
// are sharp and show JPEG ringing first.
const cardQuality = 86

// cardJob is everything a card is drawn from.
type cardJob struct {
	names     content.ShareCard
	title     string
	drawTitle bool
	host      string
	hero      *content.Asset // nil: a typographic card
	fx, fy    float64
	brand     *content.Brand
	heading   fontChain
	body      fontChain
}

// key identifies the card's pixels: its name says what it is drawn from,
// and the fonts found on this machine are added, since a font installed
// later changes the pixels.
func (j *cardJob) key(cs cardSize) string {
	return "social/" + j.name(cs) + "/" + j.heading.id() + "/" + j.body.id()
}

func (j *cardJob) name(cs cardSize) string {
	if cs.kind == "square" {
		return j.names.Square
	}
	return j.names.Landscape
}

// drawCards returns the card variants, from the cache where it has them;
// the hero is decoded once for all sizes that are not cached. A card's
// name is content.NewShareCard's, so the portal page, which does not draw
// it, points at the same file.
func (r *Renderer) drawCards(ctx context.Context, j *cardJob) ([]images.Variant, error) {
	out := make([]images.Variant, len(cardSizes))
	var hero *images.Source
	for i, cs := range cardSizes {
		key := j.key(cs)
		if v, ok := r.cache.Load(ctx, key); ok {
			out[i] = v
			continue
		}
		if j.hero != nil && hero == nil {
			var err error
			if hero, err = r.cache.Decoded(ctx, j.hero); err != nil {
				return nil, err
			}
		}
		img, err := r.drawCard(j, cs, hero)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := images.EncodeJPEG(&buf, img, cardQuality); err != nil {
			return nil, fmt.Errorf("encoding the %s card: %w", cs.kind, err)
		}
		v := images.Variant{Name: j.name(cs), MediaType: "image/jpeg", Width: cs.w, Height: cs.h, Data: buf.Bytes()}
		r.cache.Store(ctx, key, v)
		out[i] = v
	}
	return out, nil
}

// Ink is the colour text is set in on a background: white or black,
// whichever contrasts more. One of them always reaches WCAG AA (4.5:1)
// on any colour, which OnColor's softer near-black does not promise.
func Ink(bg content.Color) content.Color {
	white, black := content.Color{R: 255, G: 255, B: 255, Set: true}, content.Color{Set: true}
	if content.Contrast(white, bg) >= content.Contrast(black, bg) {
		return white
	}
	return black
}

func rgba(c content.Color) color.RGBA { return color.RGBA{c.R, c.G, c.B, 255} }

// drawCard lays a card out. With a hero: the photo fills the card, the
// logo sits on a chip of the brand's background colour at the top left,
// and a band of the brand's primary colour along the bottom carries the
// title and the site's name. Without one: the same parts on a card of
// the primary colour, the title large in the middle.
func (r *Renderer) drawCard(j *cardJob, cs cardSize, hero *images.Source) (*image.RGBA, error) {
	b := j.brand
	w, h := cs.w, cs.h
	s := float64(w) / 1200 // sizes below are for the 1200 px card
	px := func(v float64) int { return int(math.Round(v * s)) }
	primary := b.Colors.Primary
	ink := Ink(primary)

	m := px(64)
	hostSize := 26 * s
	body, err := j.body.at(hostSize)
	if err != nil {
		return nil, err
	}
	maxW := fixed.I(w - 2*m)
	host := j.host
	if body.width(host) > maxW || len(j.body.undrawable(host)) > 0 {
		host = "" // an overlong or undrawable host name is left out
	}

	// The accent shows only where it stands out from the primary colour.
	accent := b.Colors.Accent
	if content.Contrast(accent, primary) < 1.4 {
		accent = content.Mix(ink, primary, 0.35)
	}

	var title setting
	var img *image.RGBA
	if hero != nil {
		// Every pixel is set below: the photo, then the band.
		img = image.NewRGBA(image.Rect(0, 0, w, h))
		if j.drawTitle {
			if title, err = j.heading.fitTitle(j.title, maxW, 3, sizes(60*s, 38*s, 2*s)); err != nil {
				return nil, err
			}
		}
		lineH := title.size * 1.16
		bandH := px(40) + int(math.Round(float64(len(title.lines))*lineH)) + px(22) + int(hostSize*1.2) + px(38)
		if len(title.lines) == 0 {
			bandH = px(36) + int(hostSize*1.2) + px(34)
		}
		bandTop := h - bandH
		if hero.Opaque() {
			// The photo is cut as if it ran 12 px under the band, as
			// cards always were; the rows the band covers are not drawn.
			images.CoverTopInto(img.SubImage(image.Rect(0, 0, w, bandTop)).(*image.RGBA), bandTop+px(12), hero, j.fx, j.fy)
		} else {
			photo := images.Cover(hero, w, bandTop+px(12), j.fx, j.fy)
			fill(img, image.Rect(0, 0, w, bandTop), rgba(b.Colors.Background))
			draw.Draw(img, photo.Rect, photo, image.Point{}, draw.Over)
		}
		fill(img, image.Rect(0, bandTop, w, h), rgba(primary))
		fill(img, image.Rect(0, bandTop, w, bandTop+px(8)), rgba(accent))
		y := float64(bandTop + px(40))
		drawLines(img, title, ink, m, y, lineH)
		if host != "" {
			body.draw(img, image.NewUniform(rgba(ink)), fixed.I(m), fixed.I(h-px(38)), host)
		}
		if err := r.drawLogoChip(img, b, m*3/4, m*3/4, s); err != nil {
			return nil, err
		}
	} else {
		if img, err = r.background(b, cs, accent, m, s); err != nil {
			return nil, err
		}
		hostBase := h - m
		top := m + px(76) + px(40)
		bottom := hostBase - int(hostSize) - px(40)
		if j.drawTitle {
			if title, err = j.heading.fitTitle(j.title, maxW, 3, sizes(84*s, 44*s, 4*s)); err != nil {
				return nil, err
			}
		}
		lineH := title.size * 1.14
		blockH := float64(len(title.lines)) * lineH
		y := float64(top) + max(0, (float64(bottom-top)-blockH)/2)
		drawLines(img, title, ink, m, y, lineH)
		if host != "" {
			body.draw(img, image.NewUniform(rgba(ink)), fixed.I(m), fixed.I(hostBase), host)
		}
	}
	return img, nil
}

// background returns a new copy of a typographic card's background: the
// primary colour, the accent bar and the logo chip, which the title and
// host name do not overlap. It is drawn once per brand look and card
// size and copied after, which costs a memory copy instead of filling
// and compositing the chip again.
func (r *Renderer) background(b *content.Brand, cs cardSize, accent content.Color, m int, s float64) (*image.RGBA, error) {
	logo := ""
	if f := b.LogoFile(); f != nil {
		logo = f.SHA256
	}
	c := b.Colors
	key := fmt.Sprintf("%s %s %s %s %dx%d", c.Primary.Hex(), accent.Hex(), c.Background.Hex(), logo, cs.w, cs.h)
	if layer, ok := r.layers.get(key); ok {
		return &image.RGBA{Pix: slices.Clone(layer.Pix), Stride: layer.Stride, Rect: layer.Rect}, nil
	}
	img := image.NewRGBA(image.Rect(0, 0, cs.w, cs.h))
	fill(img, img.Rect, rgba(c.Primary))
	fill(img, image.Rect(0, 0, int(math.Round(16*s)), cs.h), rgba(accent))
	if err := r.drawLogoChip(img, b, m*3/4, m*3/4, s); err != nil {
		return nil, err
	}
	r.layers.put(key, img)
	return &image.RGBA{Pix: slices.Clone(img.Pix), Stride: img.Stride, Rect: img.Rect}, nil
}

// maxLayerBytes bounds the card backgrounds a renderer keeps: a few
// brands' two sizes.
const maxLayerBytes = 48 << 20

// layerCache keeps card backgrounds, the oldest dropped first past
// maxLayerBytes. Its images are never drawn on.
type layerCache struct {
	mu    sync.Mutex
	m     map[string]*image.RGBA
	order []string
	bytes int
}

func (c *layerCache) get(key string) (*image.RGBA, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	img, ok := c.m[key]
	return img, ok
}

func (c *layerCache) put(key string, img *image.RGBA) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*image.RGBA{}
	}
	if _, ok := c.m[key]; ok {
		return
	}
	c.m[key] = img
	c.order = append(c.order, key)
	c.bytes += len(img.Pix)
	for c.bytes > maxLayerBytes && len(c.order) > 1 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= len(c.m[old].Pix)
		delete(c.m, old)
	}
}

// sizes lists font sizes from large down to small in steps.
func sizes(large, small, step float64) []float64 {
	var out []float64
	for v := large; v > small-step/2; v -= step {
		out = append(out, math.Round(v))
	}
	return out
}

// drawLines sets title's lines from top y, each baseline centring the
// capitals in its line box.
func drawLines(img *image.RGBA, title setting, ink content.Color, x int, y, lineH float64) {
	if len(title.lines) == 0 {
		return
	}
	capH := float64(title.faces.metrics().CapHeight) / 64
	if capH <= 0 {
		capH = title.size * 0.7
	}
	src := image.NewUniform(rgba(ink))
	for i, line := range title.lines {
		base := y + float64(i)*lineH + (lineH+capH)/2
		title.faces.draw(img, src, fixed.I(x), fixed.Int26_6(base*64), line)
	}
}

// drawLogoChip draws the brand's logo on a rounded chip of the brand's
// background colour, so a logo made for light pages reads on any photo.
func (r *Renderer) drawLogoChip(img *image.RGBA, b *content.Brand, x, y int, s float64) error {
	f := b.LogoFile()
	if f == nil {
		return nil
	}
	px := func(v float64) int { return int(math.Round(v * s)) }
	logo, err := r.logos.Raster(f, px(46), px(360))
	if err != nil {
		return err
	}
	padX, padY := px(22), px(15)
	chip := image.Rect(x, y, x+logo.Rect.Dx()+2*padX, y+logo.Rect.Dy()+2*padY)
	roundRect(img, chip, float32(px(12)), rgba(b.Colors.Background))
	at := image.Pt(chip.Min.X+padX, chip.Min.Y+padY)
	draw.Draw(img, logo.Rect.Add(at), logo, image.Point{}, draw.Over)
	return nil
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// roundRect fills r with rounded corners of radius rad, anti-aliased.
func roundRect(img *image.RGBA, r image.Rectangle, rad float32, c color.RGBA) {
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	w, h := float32(r.Dx()), float32(r.Dy())
	rad = min(rad, w/2, h/2)
	z.MoveTo(rad, 0)
	z.LineTo(w-rad, 0)
	z.QuadTo(w, 0, w, rad)
	z.LineTo(w, h-rad)
	z.QuadTo(w, h, w-rad, h)
	z.LineTo(rad, h)
	z.QuadTo(0, h, 0, h-rad)
	z.LineTo(0, rad)
	z.QuadTo(0, 0, rad, 0)
	z.ClosePath()
	z.Draw(img, r, image.NewUniform(c), image.Point{})
}

// cards draws the item's share cards, under the names and with the alt
// text of content.NewShareCard. The alt text names the title even when
// the card could not draw it.
func (r *Renderer) cards(ctx context.Context, it *content.Item, b *content.Brand) ([]Card, []images.Variant, []content.Diagnostic, error) {
	var warns []content.Diagnostic
	j := &cardJob{names: content.NewShareCard(it, b), host: b.Domain(), brand: b}
	var w content.Diagnostic
	var ok bool
	if j.heading, w, ok = r.chain(b, "heading", b.Fonts.Heading, true); !ok {
		warns = append(warns, w)
	}
	if j.body, w, ok = r.chain(b, "body", b.Fonts.Body, false); !ok {
		warns = append(warns, w)
	}
	if ref := it.HeroImage(); ref != nil && ref.Asset != nil {
		j.hero = ref.Asset
		j.fx, j.fy = it.Hero.Focus.Point()
	} else {
		msg := "no hero image: the share cards show the title on the brand's colour"
		if ref != nil {
			msg = "remote hero images are not fetched yet: the share cards show the title on the brand's colour"
		}
		warns = append(warns, it.Warning("hero", "%s", msg))
	}
	j.title = j.heading.substitute(it.Title)
	j.host = j.body.substitute(j.host)
	missing := j.heading.undrawable(j.title)
	j.drawTitle = len(missing) == 0
	if !j.drawTitle {
		warns = append(warns, it.Warning("title", "the share cards leave the title out: %q cannot be set by the card fonts (right-to-left text, or characters no font in the kit has; add a font under fonts.files.heading in brand.yaml)", string(missing)))
	}
	vs, err := r.drawCards(ctx, j)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("share card: %w", err)
	}
	cards := make([]Card, len(vs))
	for i, v := range vs {
		cards[i] = Card{File: v.Name, Kind: cardSizes[i].kind, Width: v.Width, Height: v.Height, Alt: j.names.Alt}
	}
	return cards, vs, warns, nil
}

// chain is the fonts a card sets text of role ("heading" or "body") in:
// the brand's own font file (fonts.files in brand.yaml) if it has one,
// then the font its CSS stack names (installed on the machine, or the
// bundled one of its generic family, so a serif brand stays serif),
// then Go's sans for characters neither has. A font file that does not
// parse is left out with a warning (ok false).
func (r *Renderer) chain(b *content.Brand, role, stack string, bold bool) (fontChain, content.Diagnostic, bool) {
	chain := fontChain{}
	if m := r.lib.Match(stack, bold); m != nil {
		chain = append(chain, m)
	}
	if sans := r.lib.Sans(bold); chain[0] != sans {
		chain = append(chain, sans)
	}
	f := b.Files[b.Fonts.Files[role]]
	if f == nil {
		return chain, content.Diagnostic{}, true
	}
	v, ok := r.brandFonts.Load(f.SHA256)
	if !ok {
		// Brand loading checked the font already; a brand that skipped
		// that must not have a glyph rasterised into gigabytes either.
		if err := content.CheckFont(f.Data); err != nil {
			v = err
		} else if fnt, err := opentype.Parse(f.Data); err != nil {
			v = err
		} else {
			v = &fonts.Font{Font: fnt, Name: f.Name, Source: "brand", Path: f.SHA256}
		}
		r.brandFonts.Store(f.SHA256, v)
	}
	if err, bad := v.(error); bad {
		return chain, content.Diagnostic{File: "brand.yaml", Field: "fonts.files." + role,
			Message: fmt.Sprintf("%s cannot be used (%v); share cards use %s", f.Name, err, chain[0].Name)}, false
	}
	return append(fontChain{v.(*fonts.Font)}, chain...), content.Diagnostic{}, true
}
