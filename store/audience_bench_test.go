package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crosscast/crosscast/store"
)

// BenchmarkJoinSubscriber is one double opt-in sign-up: the subscriber,
// its consent record and the confirmation task, in one transaction.
func BenchmarkJoinSubscriber(b *testing.B) {
	benchBackends(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
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
