package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

// BenchmarkInbox renders the inbox's first page over 10,000 items, each
// with four channel renderings, on the server: session check, count,
// page query, badges, filters and template. The budget is
// 100 ms; `go test -bench Inbox ./server` reports the figure.
func BenchmarkInbox(b *testing.B) {
	for _, s := range pipetest.Setups {
		b.Run(s.String(), func(b *testing.B) {
			e := pipetest.New(b, s)
			ctx := context.Background()
			brand, err := e.DB.Brand(ctx, "kestrel")
			if err != nil {
				e.ImportBrand(b, "kestrel")
				if brand, err = e.DB.Brand(ctx, "kestrel"); err != nil {
					b.Fatal(err)
				}
			}
			plan := func(id string, v int, _ string) (store.Plan, error) {
				var p store.Plan
				for _, ch := range []string{"catalog", "email", "portal", "social"} {
					p.Renderings = append(p.Renderings, store.NewRendering{Channel: ch, Queue: "default", TaskID: fmt.Sprintf("%s@%d/%s", id, v, ch)})
				}
				return p, nil
			}
			const n = 10000
			for i := range n {
				slug := fmt.Sprintf("trip-report-%05d", i)
				_, err := e.DB.Submit(ctx, store.Submission{
					ItemID: "kestrel.en." + slug, Brand: "kestrel", BrandHash: brand.Hash, Lang: "en", Slug: slug,
					ContentID: slug, Title: fmt.Sprintf("Trip report %d: over the pass", i), Path: "index.md",
					Source: []byte("---\ntitle: x\n---\nx\n"), VersionHash: slug, Actor: "bench",
				}, plan)
				if err != nil {
					b.Fatal(err)
				}
			}
			if _, _, err := e.DB.CreateUser(ctx, "editor", store.RoleEditor, uiPassword); err != nil {
				b.Fatal(err)
			}
			_, secret, err := e.DB.Login(ctx, "editor", uiPassword, "", time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			h := server.New(server.Config{Store: e.DB, Service: e.Service})
			for _, q := range []string{"", "q=" + url.QueryEscape("report 99"), "page=150"} {
				b.Run("query="+q, func(b *testing.B) {
					for b.Loop() {
						req := httptest.NewRequest("GET", "/?"+q, nil)
						req.AddCookie(&http.Cookie{Name: "cc_session", Value: secret})
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Trip report") {
							b.Fatalf("inbox: %d", rec.Code)
						}
					}
				})
			}
		})
	}
}
