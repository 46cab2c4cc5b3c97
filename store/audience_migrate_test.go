package store

import (
	"context"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/testenv"
)

// The bare list of earlier versions becomes active subscribers, each with
// a consent record saying how it came; a suppressed one keeps its
// suppression as its status.
func TestMigrateBareSubscriberList(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := testenv.SQLite(t)
			if kind == "postgres" {
				dsn = testenv.Postgres(t)
			}
			ctx := context.Background()
			s, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			s.migrateUpTo = 7
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
			for i, a := range []string{"ann@example.net", "bob@example.net", "cat@example.net"} {
				if _, err := s.db.ExecContext(ctx, `INSERT INTO subscribers (brand_id, address, token, created_at) VALUES ($1, $2, $3, $4)`,
					"kestrel", a, "t"+a, at.Add(time.Duration(i)*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			for a, reason := range map[string]string{"bob@example.net": "unsubscribed", "cat@example.net": "bounced"} {
				if _, err := s.db.ExecContext(ctx, `INSERT INTO suppressions (brand_id, address, reason, created_at) VALUES ($1, $2, $3, $4)`,
					"kestrel", a, reason, at.Add(24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			s.migrateUpTo = 0
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for a, want := range map[string]string{"ann@example.net": SubActive, "bob@example.net": SubUnsubscribed, "cat@example.net": SubBounced} {
				sb, err := s.Subscriber(ctx, "kestrel", a)
				if err != nil {
					t.Fatal(err)
				}
				if sb.Status != want || sb.ConfirmedAt.IsZero() || !sb.ChangedAt.Equal(sb.CreatedAt) || sb.Token != "t"+a {
					t.Errorf("%s: %+v, want %s", a, sb, want)
				}
				cs, err := s.Consents(ctx, "kestrel", a)
				if err != nil {
					t.Fatal(err)
				}
				n := 1
				if want != SubActive {
					n = 2
				}
				if len(cs) != n || cs[0].Source != "migration" || cs[n-1].Status != want {
					t.Errorf("%s: consents %+v", a, cs)
				}
			}
		})
	}
}
