package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/redis/go-redis/v9"
)

// Where the tests find the services; the machine runs both on their
// standard ports, and these variables point elsewhere.
const (
	PostgresVar = "CROSSCAST_TEST_DATABASE_URL"
	RedisVar    = "CROSSCAST_TEST_REDIS_ADDR"
)

func postgresURL() string {
	if u := os.Getenv(PostgresVar); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Postgres returns the URL of a fresh, empty schema of the test database
// that is dropped when the test ends; it skips (or fails in CI) when no
// server answers.
func Postgres(t testing.TB) string {
	t.Helper()
	base := postgresURL()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		Missing(t, "no PostgreSQL at %s: %v", base, err)
	}
	schema := "t_" + randHex(6)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SQLite returns the path of a fresh database file in the test's temporary folder.
func SQLite(t testing.TB) string {
	return filepath.Join(t.TempDir(), "crosscast.db")
}

// Redis returns the address of the test Redis and a database number no
// other test is using right now, emptied; it skips (or fails in CI) when
// no server answers. Database 0 holds the claims, so tests in parallel
// packages never share a database.
func Redis(t testing.TB) (addr string, db int) {
	t.Helper()
	addr = os.Getenv(RedisVar)
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err != nil {
		Missing(t, "no Redis at %s: %v", addr, err)
	} else {
		c.Close()
	}
	ctx := context.Background()
	claims := redis.NewClient(&redis.Options{Addr: addr})
	defer claims.Close()
	owner := randHex(8)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		for n := 1; n < 16; n++ {
			key := fmt.Sprintf("crosscast:test:db:%d", n)
			ok, err := claims.SetNX(ctx, key, owner, 15*time.Minute).Result()
			if err != nil {
				t.Fatalf("redis: %v", err)
			}
			if !ok {
				continue
			}
			c := redis.NewClient(&redis.Options{Addr: addr, DB: n})
			if err := c.FlushDB(ctx).Err(); err != nil {
				t.Fatalf("redis: %v", err)
			}
			c.Close()
			t.Cleanup(func() {
				c := redis.NewClient(&redis.Options{Addr: addr, DB: n})
				c.FlushDB(ctx)
				c.Close()
				cl := redis.NewClient(&redis.Options{Addr: addr})
				if cl.Get(ctx, key).Val() == owner {
					cl.Del(ctx, key)
				}
				cl.Close()
			})
			return addr, n
		}
		if time.Now().After(deadline) {
			t.Fatal("redis: every test database is claimed")
		}
		time.Sleep(50 * time.Millisecond) // waiting for another package's test to release one
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
