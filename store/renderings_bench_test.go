package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crosscast/crosscast/store"
)

// benchChannels are the channels of a text re-render: each makes
// benchFiles files, the last of them the same for every item (a style
// sheet), the rest its own.
var benchChannels = []string{"catalog", "email", "portal", "social"}

const benchFiles = 5

// BenchmarkFinishRenderings records an inline render's results: the
// four channels of one version, 20 files, in one FinishRenderings, as
// RenderInline does. One op is one version.
func BenchmarkFinishRenderings(b *testing.B) {
	benchBackends(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		plan := func(itemID string, v int, brandHash string) (store.Plan, error) {
			var p store.Plan
			for _, ch := range benchChannels {
				p.Renderings = append(p.Renderings, store.NewRendering{Channel: ch, Queue: "low", TaskID: fmt.Sprintf("render:%s:%d:%s", itemID, v, ch)})
			}
			return p, nil
		}
		ids := make([]string, b.N)
		for i := range ids {
			ids[i] = fmt.Sprintf("item%d", i)
			if _, err := db.Submit(ctx, submission(ids[i], "body of "+ids[i], nil), plan); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for _, id := range ids {
			rs := make([]store.Result, len(benchChannels))
			for c, ch := range benchChannels {
				r := store.Result{Key: store.RenderKey{ItemID: id, Version: 1, Channel: ch}}
				for f := range benchFiles - 1 {
					r.Files = append(r.Files, store.FileData{Name: fmt.Sprintf("page%d.html", f), MediaType: "text/html",
						Data: fmt.Appendf(nil, "<p>%s of %s, file %d</p>", ch, id, f)})
				}
				r.Files = append(r.Files, store.FileData{Name: "style.css", MediaType: "text/css", Data: []byte("p { margin: 0 }")})
				rs[c] = r
			}
			fins, err := db.FinishRenderings(ctx, "b1", rs, indexPlan)
			if err != nil {
				b.Fatal(err)
			}
			if last := fins[len(fins)-1]; !last.Recorded || last.VersionStatus != store.StatusRendered {
				b.Fatalf("%s: %+v", id, last)
			}
		}
	})
}
