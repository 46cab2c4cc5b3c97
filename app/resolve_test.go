package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// An editor's word settles a delivery a crash left unknown: sent stays
// sent and goes nowhere; pending is sent again by the worker. Anything
// else, or a delivery that is not unknown, is a conflict.
func TestResolveDelivery(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			e := publishEnv(t, s, tg)
			ctx := context.Background()
			e.Start(t)
			id := submitKungsleden(t, e)
			if _, err := e.Service.Schedule(ctx, id, 0, time.Now().Add(time.Hour), "editor"); err != nil {
				t.Fatal(err)
			}
			ds, err := e.DB.Deliveries(ctx, id, 1)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, d := range ds {
				if d.Channel == "email" || len(keys) == 2 {
					continue // a list's recipients have their own states; two will do
				}
				for range 2 { // claimed, then found still sending: unknown
					if _, _, err := e.DB.ClaimDelivery(ctx, d.Key, false); err != nil {
						t.Fatal(err)
					}
				}
				keys = append(keys, d.Key)
			}
			if len(keys) != 2 {
				t.Fatalf("deliveries %+v: want two that are not email", ds)
			}
			arrived, again := keys[0], keys[1]

			if _, err := e.Service.ResolveDelivery(ctx, arrived, store.DelFailed, "editor"); !errors.Is(err, store.ErrConflict) {
				t.Errorf("resolve as failed: %v, want a conflict", err)
			}
			d, err := e.Service.ResolveDelivery(ctx, arrived, store.DelSent, "editor")
			if err != nil || d.Status != store.DelSent {
				t.Fatalf("resolve as sent: %+v %v", d, err)
			}
			sentAttempts := d.Attempts
			d, err = e.Service.ResolveDelivery(ctx, again, store.DelPending, "editor")
			if err != nil || d.Status != store.DelPending {
				t.Fatalf("resolve as pending: %+v %v", d, err)
			}
			waitFor(t, 30*time.Second, "sent again", func() (bool, string) {
				d, err := e.DB.Delivery(ctx, again)
				if err != nil {
					return false, err.Error()
				}
				return d.Status == store.DelSent, d.Status + " " + d.Error
			})
			if d, _ := e.DB.Delivery(ctx, arrived); d.Status != store.DelSent || d.Attempts != sentAttempts {
				t.Errorf("the delivery that arrived: %s after %d attempts, want sent after %d", d.Status, d.Attempts, sentAttempts)
			}
			if _, err := e.Service.ResolveDelivery(ctx, again, store.DelPending, "editor"); !errors.Is(err, store.ErrConflict) {
				t.Errorf("resolving a sent delivery: %v, want a conflict", err)
			}
			evs, _ := e.DB.Events(ctx, id, 100)
			n := 0
			for _, ev := range evs {
				if ev.Actor == "editor" && (ev.Kind == "delivery resolved sent" || ev.Kind == "delivery resolved pending") {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%d resolve events in the history, want 2", n)
			}
		})
	}
}
