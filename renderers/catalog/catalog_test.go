package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/makiuchi-d/gozxing"
	qrreader "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/internal/golden"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
)

// newRenderer returns one renderer for the whole test binary, so its
// image cache resizes each example photo once, not once per test.
func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	return testRenderer.Get(t, func() (*Renderer, error) { return New(&images.Cache{}) })
}

var testRenderer testenv.Shared[*Renderer]

func render(t testing.TB, r *Renderer, ex examples.Example) (*renderers.Output, map[string][]byte) {
	t.Helper()
	out, err := r.Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: ex.Links})
	if err != nil {
		t.Fatalf("%s: %v", ex.Name(), err)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Name] = f.Data
	}
	return out, files
}

// TestGolden compares every example's card, JSON, JSON-LD and print
// snippet with testdata/<brand>/<slug>.*.golden (-update rewrites them).
func TestGolden(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			out, files := render(t, r, ex)
			var list strings.Builder
			for _, f := range out.Files {
				fmt.Fprintf(&list, "%s\t%s\n", f.Name, f.MediaType)
			}
			golden.Check(t, ex.Name()+".files.golden", []byte(list.String()))
			for _, name := range []string{"card.html", "catalog.json", "catalog.jsonld", "print.txt", "print.html"} {
				golden.Check(t, ex.Name()+"."+name+".golden", files[name])
			}
		})
	}
}

// The card is what a catalog reader sees: check it without golden files.
func TestCard(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			_, files := render(t, r, ex)
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(files["card.html"]))
			if err != nil {
				t.Fatal(err)
			}
			card := doc.Find("article.cc-card")
			if card.Length() != 1 || card.AttrOr("id", "") != ex.Item.Slug || card.AttrOr("lang", "") != ex.Item.Lang {
				t.Fatalf("card element: %d, id %q", card.Length(), card.AttrOr("id", ""))
			}
			if got := card.Find(".cc-card__title").Text(); got != ex.Item.Title {
				t.Errorf("title %q", got)
			}
			cta := card.Find(".cc-card__cta").AttrOr("href", "")
			u, _ := url.Parse(cta)
			if !strings.HasPrefix(cta, ex.Links.Canonical+"?") || u.Query().Get("utm_source") != "catalog" || u.Query().Get("utm_medium") != "referral" {
				t.Errorf("CTA %q", cta)
			}
			if ex.Item.HeroImage() != nil {
				img := card.Find(".cc-card__media img")
				if img.AttrOr("width", "") != "400" || img.AttrOr("height", "") != "400" || img.AttrOr("alt", "") == "" {
					t.Errorf("thumbnail: %v", img.Nodes)
				}
				for _, src := range []string{img.AttrOr("src", ""), strings.Fields(img.AttrOr("srcset", "x x x"))[2]} {
					name := strings.TrimPrefix(src, AssetBase(ex.Item, ex.Brand))
					data, ok := files[name]
					if !ok {
						t.Errorf("%s is not among the files", src)
						continue
					}
					cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
					if err != nil || cfg.Width != cfg.Height {
						t.Errorf("%s is not square: %v %+v", name, err, cfg)
					}
				}
			}
			if ex.Item.Product != nil {
				if card.Find(".cc-card__amount").Text() == "" || card.Find(".cc-card__availability").Text() == "" {
					t.Error("a product card shows no price or availability")
				}
			}
			if n := len([]rune(card.Find(".cc-card__summary").Text())); n > ex.Brand.CardSummaryLimit() {
				t.Errorf("summary of %d characters over the limit", n)
			}
		})
	}
}

// The JSON-LD carries what Google's rich results require, and no UTM.
func TestJSONLD(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			_, files := render(t, r, ex)
			ld := files["catalog.jsonld"]
			if bytes.Contains(ld, []byte("utm_")) {
				t.Error("JSON-LD carries UTM parameters")
			}
			var d map[string]any
			if err := json.Unmarshal(ld, &d); err != nil {
				t.Fatal(err)
			}
			if ex.Item.Product != nil {
				offers, _ := d["offers"].(map[string]any)
				if d["@type"] != "Product" || d["name"] == "" || offers["price"] == nil || offers["priceCurrency"] == nil || offers["availability"] == nil {
					t.Errorf("product JSON-LD lacks required properties: %s", ld)
				}
			} else if d["@type"] != "Article" || d["headline"] == "" || d["author"] == nil {
				t.Errorf("article JSON-LD lacks properties: %s", ld)
			}
		})
	}
}

// An independent decoder reads the printed QR code back to the exact
// portal URL, tagged for print.
func TestQRDecodes(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			_, files := render(t, r, ex)
			img, err := png.Decode(bytes.NewReader(files["qr.png"]))
			if err != nil {
				t.Fatal(err)
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			res, err := qrreader.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			want := ex.Links.UTM("print", "").Apply(ex.Links.Canonical)
			if res.GetText() != want {
				t.Fatalf("QR says %q, want %q", res.GetText(), want)
			}
			if lvl := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; lvl != "M" {
				t.Errorf("error correction level %v, want M", lvl)
			}
			if !strings.Contains(want, "utm_medium=print") {
				t.Errorf("the print link is not tagged: %s", want)
			}
		})
	}
}

func TestPriceFormatting(t *testing.T) {
	r := newRenderer(t)
	for _, ex := range examples.Load(t) {
		if ex.Item.Product == nil {
			continue
		}
		for lang, want := range map[string]string{
			// CLDR: nl and fr name the dollar apart from their own
			// currencies' dollars; pl groups only from five digits.
			"en": "$1,299.00", "nl": "US$\u00a01.299,00", "de": "1.299,00\u00a0$", "fr": "1\u202f299,00\u00a0$US", "pl": "1299,00\u00a0$",
		} {
			it := *ex.Item
			it.Lang = lang
			out, err := r.Render(context.Background(), renderers.Input{Item: &it, Brand: ex.Brand, Links: ex.Links})
			if err != nil {
				t.Fatal(err)
			}
			var e Entry
			for _, f := range out.Files {
				if f.Name == EntryFile {
					json.Unmarshal(f.Data, &e)
				}
			}
			if e.Price != want {
				t.Errorf("%s: price %q, want %q", lang, e.Price, want)
			}
		}
	}
}

func BenchmarkCards(b *testing.B) {
	r := newRenderer(b)
	exs := examples.Load(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ex := exs[i%len(exs)]
		if _, err := r.Render(context.Background(), renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: ex.Links}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

// The card shows prices the way each locale writes them.
func TestCardPriceLocales(t *testing.T) {
	r := newRenderer(t)
	var ex examples.Example
	for _, x := range examples.Load(t) {
		if x.Item.Product != nil {
			ex = x
		}
	}
	for _, tt := range []struct{ lang, currency, want string }{
		{"en", "USD", "$1,299.00"},
		{"nl", "EUR", "€\u00a01.299,00"},
		{"de", "EUR", "1.299,00\u00a0€"},
		{"fr", "EUR", "1\u202f299,00\u00a0€"},
		{"pl", "PLN", "1299,00\u00a0zł"},
		{"sv", "SEK", "1\u00a0299,00\u00a0kr"},
		{"it", "EUR", "1299,00\u00a0€"},
		{"es", "EUR", "1299,00\u00a0€"},
	} {
		it := *ex.Item
		pr := *it.Product
		pr.Currency = tt.currency
		it.Product, it.Lang = &pr, tt.lang
		out, err := r.Render(context.Background(), renderers.Input{Item: &it, Brand: ex.Brand, Links: ex.Links})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Files {
			if f.Name == "card.html" && !strings.Contains(string(f.Data), `<span class="cc-card__amount">`+tt.want+`</span>`) {
				t.Errorf("%s/%s: the card does not show %q", tt.lang, tt.currency, tt.want)
			}
		}
	}
}
