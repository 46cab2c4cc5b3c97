package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// BenchmarkJoinSubscriber is one double opt-in sign-up: the subscriber,
// its consent record and the confirmation task, in one transaction.
func BenchmarkJoinSubscriber(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			dsn := testenv.SQLite(b)
			if kind == "postgres" {
				dsn = testenv.Postgres(b)
			}
			ctx := context.Background()
			db, err := store.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				_, err := db.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: fmt.Sprintf("r%d@example.net", i), Lang: "en",
					Topics: []string{"guides"}, Consent: store.Consent{Source: store.ConsentForm, Wording: "bench"}, Confirm: confirmTask})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
