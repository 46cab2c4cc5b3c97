package publish_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/examples"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/renderers/social"
)

// Every page's link preview is the share card the social channel drew,
// published beside the page: og:image and twitter:image point at a file
// the site has, of the size and with the alt text the page states, for
// pages with a hero and without one. The social posts that carry an
// image (X's, Bluesky's link card) carry that same card.
func TestSitePublishesShareCard(t *testing.T) {
	cache := &images.Cache{}
	pr, err := portal.New(cache)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := fonts.New()
	if err != nil {
		t.Fatal(err)
	}
	sr := social.NewWithFonts(cache, lib)
	site := &publish.Site{Root: t.TempDir()}
	sp := &publish.SitePublisher{Site: site, Channels: []string{content.ChanPortal, content.ChanSocial}}
	heroes := 0
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			in := renderers.Input{Item: ex.Item, Brand: ex.Brand, Links: ex.Links}
			outs := map[string]*renderers.Output{}
			for _, r := range []renderers.Renderer{pr, sr} {
				out, err := r.Render(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				outs[r.Channel()] = out
			}
			files := func(_ context.Context, ch string) (map[string][]byte, error) {
				m := map[string][]byte{}
				for _, f := range outs[ch].Files {
					m[f.Name] = f.Data
				}
				return m, nil
			}
			j := publish.Job{Delivery: publish.Delivery{Channel: content.ChanPortal}, Brand: ex.Brand, Item: ex.Item, Links: ex.Links, Files: files}
			if _, err := sp.Deliver(context.Background(), j); err != nil {
				t.Fatal(err)
			}

			page, err := os.ReadFile(filepath.Join(site.Dir(ex.Brand.ID), filepath.FromSlash(content.PortalPath(ex.Item, ex.Brand)), portal.PageFile))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			meta := func(sel string) string { return doc.Find(sel).AttrOr("content", "") }
			og := meta(`meta[property="og:image"]`)
			if og == "" || og != ex.Links.ShareCard || meta(`meta[name="twitter:image"]`) != og {
				t.Fatalf("og:image %q, twitter:image %q, want the card %q", og, meta(`meta[name="twitter:image"]`), ex.Links.ShareCard)
			}
			if meta(`meta[name="twitter:card"]`) != "summary_large_image" {
				t.Errorf("twitter:card %q", meta(`meta[name="twitter:card"]`))
			}
			u, err := url.Parse(og)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(site.Dir(ex.Brand.ID), filepath.FromSlash(u.Path)))
			if err != nil {
				t.Fatalf("og:image is not on the site: %v", err)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil || fmt.Sprint(cfg.Width) != meta(`meta[property="og:image:width"]`) || fmt.Sprint(cfg.Height) != meta(`meta[property="og:image:height"]`) || cfg.Width != 1200 || cfg.Height != 630 {
				t.Errorf("the card is %dx%d (%v); the page says %sx%s", cfg.Width, cfg.Height, err,
					meta(`meta[property="og:image:width"]`), meta(`meta[property="og:image:height"]`))
			}

			var sdoc *social.Doc
			for _, f := range outs[content.ChanSocial].Files {
				if f.Name == social.JSONFile {
					if sdoc, err = social.Decode(f.Data); err != nil {
						t.Fatal(err)
					}
				}
			}
			card := sdoc.Cards[0]
			alt := meta(`meta[property="og:image:alt"]`)
			if !strings.HasSuffix(og, "/"+card.File) || alt != card.Alt || meta(`meta[name="twitter:image:alt"]`) != alt || !strings.HasPrefix(alt, ex.Item.Title) {
				t.Errorf("page: %s with alt %q; social card: %s with alt %q", og, alt, card.File, card.Alt)
			}
			for _, n := range sdoc.Networks {
				switch {
				case n.Embed != nil && n.Embed.External.Thumb != card.File:
					t.Errorf("%s link card thumb %q", n.Network, n.Embed.External.Thumb)
				case n.Image != nil && (n.Image.File != card.File || n.Image.Alt != card.Alt):
					t.Errorf("%s image %+v", n.Network, n.Image)
				}
			}
			if ex.Item.HeroImage() != nil {
				heroes++
			}
		})
	}
	if heroes == 0 {
		t.Error("no example has a hero: the test covers only typographic cards")
	}
}
