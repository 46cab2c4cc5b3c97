package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	qrreader "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/store"
)

// Renderings published as they are, the print QR code, the portal's
// share buttons and the brand's catalog pages, carry tracked /r/ links
// that the store knows before they are out, and a click on one is
// counted in the metrics by brand and channel.
func TestPublishedRenderingsTrackTheirLinks(t *testing.T) {
	tg := newTargets(t)
	reg := prometheus.NewRegistry()
	configure := tg.configure
	tg2 := func(c *app.Config) { configure(c); c.Metrics = app.NewMetrics(reg) }
	cache := &images.Cache{}
	cr, err := catalog.New(cache)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pipetest.NewWith(t, pipetest.Setups[0], tg2, cr)}
	e.Start(t)
	ctx := context.Background()
	if _, _, err := e.Service.ImportBrand(ctx, tg.BrandKit(t, publicURL, ""), "test"); err != nil {
		t.Fatal(err)
	}
	id := submitKungsleden(t, e)
	it, err := e.DB.Item(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	links, err := e.DB.Links(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]store.Link{}
	for _, l := range links {
		byCode[l.Code] = l
	}
	tracked := regexp.MustCompile(regexp.QuoteMeta(publicURL) + `/r/([a-z2-7]{12})`)
	known := func(what, channel string, data []byte) store.Link {
		t.Helper()
		m := tracked.FindSubmatch(data)
		if m == nil {
			t.Fatalf("%s carries no tracked link", what)
		}
		l, ok := byCode[string(m[1])]
		if !ok {
			t.Fatalf("%s links to /r/%s, which the store does not know", what, m[1])
		}
		if l.Channel != channel {
			t.Errorf("%s: link counted for %q, want %q", what, l.Channel, channel)
		}
		return l
	}

	_, qr, err := e.DB.RenderingFile(ctx, store.RenderKey{ItemID: id, Version: it.LatestVersion, Channel: catalog.Channel}, "qr.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(qr))
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := qrreader.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	print := known("the print QR code", "print", []byte(res.GetText()))
	if !strings.Contains(print.URL, "utm_medium=print") {
		t.Errorf("the QR code's link leads to %s, want the portal page tagged for print", print.URL)
	}

	_, page, err := e.DB.RenderingFile(ctx, store.RenderKey{ItemID: id, Version: it.LatestVersion, Channel: portal.Channel}, portal.PageFile)
	if err != nil {
		t.Fatal(err)
	}
	share := known("the portal page's share buttons", "portal-share", page)
	if share.Dest != store.DestWeb {
		t.Errorf("a share button leads to %q, want off the site", share.Dest)
	}

	pipetest.WaitFor(t, time.Minute, "the brand's index", func() (bool, string) {
		bi, err := e.DB.BrandIndex(ctx, "kestrel")
		if err != nil {
			return false, err.Error()
		}
		return bi.Built > 0 && bi.Built == bi.Wanted, fmt.Sprintf("built %d of %d", bi.Built, bi.Wanted)
	})
	if links, err = e.DB.Links(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		byCode[l.Code] = l
	}
	_, index, err := e.DB.IndexFile(ctx, "kestrel", "catalog/index.html")
	if err != nil {
		t.Fatal(err)
	}
	card := known("the catalog page's card", "catalog", index)
	if card.Dest != store.DestPortal || !strings.Contains(card.URL, "utm_source=catalog") {
		t.Errorf("the catalog card's link: %+v, want the portal page tagged for the catalog", card)
	}

	for range 3 {
		if url, err := e.Service.Click(ctx, print.Code); err != nil || url != print.URL {
			t.Fatalf("click: %q, %v", url, err)
		}
	}
	if _, err := e.Service.Click(ctx, card.Code); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "crosscast_clicks_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, lp := range m.GetLabel() {
				labels = append(labels, lp.GetName()+"="+lp.GetValue())
			}
			got[strings.Join(labels, ",")] = m.GetCounter().GetValue()
		}
	}
	if got["brand=kestrel,channel=print"] != 3 || got["brand=kestrel,channel=catalog"] != 1 || len(got) != 2 {
		t.Errorf("crosscast_clicks_total %v, want 3 print and 1 catalog click for kestrel", got)
	}
}
