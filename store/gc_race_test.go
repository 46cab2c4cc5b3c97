package store

import (
	"context"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/testenv"
)

// On PostgreSQL a writer that drops a blob's last reference while a
// collector holds that blob's candidate row must leave it queued: the
// collector, which still sees the writer's uncommitted reference, keeps
// the blob and deletes the candidate, and nothing would queue the blob
// again once the writer commits.
func TestGarbageQueuedWhileCollected(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	data := []byte("a resized photo nothing will use")
	if err := s.PutDerivative(ctx, "k/320/photo.jpg", Derivative{Name: "photo-320.jpg", MediaType: "image/jpeg", Width: 320, Height: 200, Data: data}); err != nil {
		t.Fatal(err)
	}
	sha := blobHash(data)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO gc_candidates (sha256, queued_at) VALUES ($1, $2)`, sha, s.now()); err != nil {
		t.Fatal(err)
	}

	collector, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer collector.Rollback()
	if got, err := s.candidates(ctx, collector, 10); err != nil || len(got) != 1 {
		t.Fatalf("candidates: %v %v", got, err)
	}
	writer, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback()
	var pid int
	if err := writer.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.ExecContext(ctx, `DELETE FROM derivatives WHERE sha256 = $1`, sha); err != nil {
		t.Fatal(err)
	}
	queued, collected, done := make(chan error, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		queued <- s.queueGarbage(ctx, writer, sha)
		<-collected
		done <- writer.Commit()
	}()
	// The writer has queued the blob, or waits to.
	deadline := time.Now().Add(10 * time.Second)
	for waiting := false; !waiting; {
		select {
		case err := <-queued:
			if err != nil {
				t.Fatal(err)
			}
			waiting = true
		default:
			if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
				WHERE pid = $1 AND wait_event_type = 'Lock')`, pid).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatal("the writer neither queued the blob nor waited to")
			}
			time.Sleep(5 * time.Millisecond) // polling another session's state
		}
	}
	if _, keep, err := s.collectBlob(ctx, collector, sha); err != nil || keep {
		t.Fatalf("collect: keep=%v %v", keep, err)
	}
	if _, err := collector.ExecContext(ctx, `DELETE FROM gc_candidates WHERE sha256 = $1`, sha); err != nil {
		t.Fatal(err)
	}
	if err := collector.Commit(); err != nil {
		t.Fatal(err)
	}
	close(collected)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var blob, candidate bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM assets WHERE sha256 = $1), EXISTS (SELECT 1 FROM gc_candidates WHERE sha256 = $1)`, sha).
		Scan(&blob, &candidate); err != nil {
		t.Fatal(err)
	}
	if blob && !candidate {
		t.Error("the blob lost its last reference but is not queued: it would never be collected")
	}
}
