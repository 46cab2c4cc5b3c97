package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// An email delivery's fixed list is planned into address ranges once;
// each batch is claimed, stepped and finished on its own; a recipient
// found mid-send when its batch is claimed again becomes unknown and is
// not offered again; one suppressed since the list was made is skipped;
// the last batch to finish makes the delivery final, unknown when any
// recipient is, with the counts.
func TestBatchesSendAListInParts(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := scheduled(t, db, "news")
		c, d, err := db.ClaimDelivery(ctx, key, true)
		if err != nil || c != store.ClaimGo {
			t.Fatal(c, err)
		}
		var addrs []string
		for i := range 12 {
			addrs = append(addrs, fmt.Sprintf("r%02d@example.net", i))
		}
		if _, err := db.Recipients(ctx, d, addrs, nil); err != nil {
			t.Fatal(err)
		}
		bs, err := db.PlanBatches(ctx, d, 5)
		if err != nil || len(bs) != 3 || bs[0].Size != 5 || bs[2].Size != 2 || bs[1].First != "r05@example.net" || bs[2].Last != "r11@example.net" {
			t.Fatalf("batches %+v, %v", bs, err)
		}
		if again, err := db.PlanBatches(ctx, d, 2); err != nil || len(again) != 3 {
			t.Fatalf("planned again: %d batches, %v", len(again), err)
		}
		if _, err := db.PlanBatches(ctx, d, store.MaxBatchSize+1); err == nil {
			t.Error("a batch over the limit was planned")
		}

		// Batch 0: one message claimed, then the worker dies.
		if c, _, b, err := db.ClaimBatch(ctx, key, 0); err != nil || c != store.ClaimGo || b.Attempts != 1 {
			t.Fatal(c, b, err)
		}
		if ok, err := db.StepRecipient(ctx, d, nil, "r00@example.net"); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if ok, _ := db.StepRecipient(ctx, d, nil, "r00@example.net"); ok {
			t.Error("a recipient was claimed twice")
		}
		c, _, b, err := db.ClaimBatch(ctx, key, 0)
		if err != nil || c != store.ClaimGo {
			t.Fatal(c, err)
		}
		rs, err := db.BatchRecipients(ctx, d, b)
		if err != nil || len(rs) != 4 || rs[0].Address != "r01@example.net" {
			t.Fatalf("batch 0 after the crash: %+v %v", rs, err)
		}
		sendAll(t, db, d, rs)
		if fd, err := db.FinishBatch(ctx, d, 0, "", "https://example.net/news/"); err != nil || fd.Status != store.DelSending {
			t.Fatalf("after batch 0: %+v %v", fd, err)
		}

		// Batch 1: r07 unsubscribed meanwhile.
		if err := db.Suppress(ctx, d.BrandID, "r07@example.net", "unsubscribed"); err != nil {
			t.Fatal(err)
		}
		_, _, b, _ = db.ClaimBatch(ctx, key, 1)
		rs, _ = db.BatchRecipients(ctx, d, b)
		if len(rs) != 4 {
			t.Errorf("batch 1 offers %d recipients, want 4 (r07 suppressed)", len(rs))
		}
		sendAll(t, db, d, rs)
		db.FinishBatch(ctx, d, 1, "", "https://example.net/news/")

		// Batch 2 is still to do: the reconciler sees it.
		if st, err := db.StalledBatches(ctx, time.Now().Add(time.Hour), 10); err != nil || len(st) != 1 || st[0].N != 2 || st[0].DeliveryKey != key {
			t.Fatalf("stalled: %+v %v", st, err)
		}
		if ds, _ := db.StalledDeliveries(ctx, time.Now().Add(time.Hour), 10); len(ds) != 0 {
			t.Errorf("the batched delivery is also stalled as a whole: %+v", ds)
		}
		_, _, b, _ = db.ClaimBatch(ctx, key, 2)
		rs, _ = db.BatchRecipients(ctx, d, b)
		sendAll(t, db, d, rs)
		fd, err := db.FinishBatch(ctx, d, 2, "", "https://example.net/news/")
		if err != nil || fd.Status != store.DelUnknown || !strings.Contains(fd.Error, "10 sent, 0 failed, 1 unknown, 1 suppressed") || fd.ExternalID != "<m@example.net>" {
			t.Fatalf("final: %+v %v", fd, err)
		}
		p, err := db.DeliveryProgress(ctx, fd)
		if err != nil || p.Total != 12 || p.Sent != 10 || p.Unknown != 1 || p.Suppressed != 1 || p.Remaining != 0 || p.BatchesDone != 3 || p.PerSecond <= 0 {
			t.Errorf("progress %+v %v", p, err)
		}
		if c, _, _, _ := db.ClaimBatch(ctx, key, 2); c != store.ClaimDone {
			t.Errorf("a done batch claimed again: %v", c)
		}
		// An editor sends the unknown one again: its batch runs again.
		if _, err := db.ResolveDelivery(ctx, key, store.DelPending, "editor"); err != nil {
			t.Fatal(err)
		}
		if c, _, _ := db.ClaimDelivery(ctx, key, true); c != store.ClaimGo {
			t.Fatal(c)
		}
		_, _, b, _ = db.ClaimBatch(ctx, key, 0)
		if rs, _ := db.BatchRecipients(ctx, d, b); len(rs) != 1 || rs[0].Address != "r00@example.net" {
			t.Errorf("resent: %+v", rs)
		}
	})
}

// A batch whose runs keep killing their worker is given up: the message
// in flight unknown, the rest failed, never sent again.
func TestBatchGivenUpWhenItsRunsNeverEnd(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := scheduled(t, db, "oom")
		_, d, _ := db.ClaimDelivery(ctx, key, true)
		if _, err := db.Recipients(ctx, d, []string{"a@example.net", "b@example.net"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PlanBatches(ctx, d, 10); err != nil {
			t.Fatal(err)
		}
		for range store.MaxUnended {
			if c, _, _, err := db.ClaimBatch(ctx, key, 0); err != nil || c != store.ClaimGo {
				t.Fatal(c, err)
			}
			db.StepRecipient(ctx, d, nil, "a@example.net")
		}
		if c, _, _, err := db.ClaimBatch(ctx, key, 0); err != nil || c != store.ClaimUnknown {
			t.Fatalf("claim after %d deaths: %v %v", store.MaxUnended, c, err)
		}
		got, _ := db.Delivery(ctx, key)
		rs, _ := db.DeliveryRecipients(ctx, got)
		if got.Status != store.DelUnknown || len(rs) != 2 || rs[0].Status != store.DelUnknown || rs[1].Status != store.DelFailed {
			t.Errorf("delivery %s, recipients %+v", got.Status, rs)
		}
	})
}

func sendAll(t *testing.T, db *store.DB, d *store.Delivery, rs []store.Recipient) {
	t.Helper()
	var done *store.Outcome
	for _, r := range rs {
		ok, err := db.StepRecipient(context.Background(), d, done, r.Address)
		if err != nil || !ok {
			t.Fatalf("claim %s: %v %v", r.Address, ok, err)
		}
		done = &store.Outcome{Address: r.Address, Status: store.DelSent, ExternalID: "<m@example.net>"}
	}
	if _, err := db.StepRecipient(context.Background(), d, done, ""); err != nil {
		t.Fatal(err)
	}
}
