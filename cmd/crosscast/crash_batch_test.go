package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// TestCrashWhileSendingBatches sends one newsletter to 3,000 subscribers
// in batches of 100 from two worker processes, SIGKILLing both four
// times at random points of the list and starting them again. At the
// end every recipient is sent or unknown, nobody got the message twice,
// everyone recorded sent got it, and the unknowns are no more than the
// messages that could have been in flight at the kills.
func TestCrashWhileSendingBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs for about a minute")
	}
	t.Parallel() // see TestCrashRecovery
	const public = "https://cc.kestrel.example"
	e, tg := publishingCrashEnv(t)
	// The relay takes a moment per message, so kills land mid-list.
	tg.SMTP.OnData = func([]string) { time.Sleep(2 * time.Millisecond) }
	bin := buildBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kit := tg.BrandKit(t, public, "")
	const conns = 4
	yaml := filepath.Join(kit, "brand.yaml")
	b, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "    rate: 1000\n", fmt.Sprintf("    rate: 1000\n    batch: 100\n    connections: %d\n", conns), 1))
	if err := os.WriteFile(yaml, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Service.ImportBrand(ctx, kit, "test"); err != nil {
		t.Fatal(err)
	}
	const n = 3000
	var rows []store.ImportRow
	for i := range n {
		rows = append(rows, store.ImportRow{Line: i + 1, Join: store.Join{BrandID: "kestrel", Address: fmt.Sprintf("reader%04d@example.net", i),
			Confirmed: true, Consent: store.Consent{Source: store.ConsentAPI, Wording: "test basis"}}})
	}
	if _, err := e.DB.ImportSubscribers(ctx, rows, false); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "smtp-ca.pem")
	if err := os.WriteFile(ca, tg.SMTP.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	extra := []string{envSites + "=" + t.TempDir(), envPublicURL + "=" + public, envSMTPCA + "=" + ca}
	for k, v := range tg.Env {
		extra = append(extra, k+"="+v)
	}
	ws := []*workers{newWorkers(t, bin, 4, e, extra), newWorkers(t, bin, 4, e, extra)}

	res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: crashItem(1), Actor: "crash-test"})
	if err != nil {
		t.Fatal(err)
	}
	go worker.RunReconciler(ctx, e.Service, nil, 500*time.Millisecond, time.Second)
	for _, w := range ws {
		w.start()
	}
	pipetest.WaitFor(t, 3*time.Minute, "the item rendered", func() (bool, string) { return e.ItemRendered(res.ItemID) })
	if _, err := e.Service.Schedule(ctx, res.ItemID, 0, time.Time{}, "editor"); err != nil {
		t.Fatal(err)
	}
	var at []int
	for range 4 {
		at = append(at, 100+rand.IntN(n*3/4))
	}
	slices.Sort(at)
	for k, threshold := range at {
		pipetest.WaitFor(t, 2*time.Minute, fmt.Sprintf("kill %d at %d messages", k+1, threshold), func() (bool, string) {
			got := len(tg.SMTP.Messages())
			return got >= threshold, fmt.Sprint(got, " messages")
		})
		for _, w := range ws {
			w.kill()
		}
		t.Logf("SIGKILL %d with %d messages at the server", k+1, len(tg.SMTP.Messages()))
		for _, w := range ws {
			w.start()
		}
	}
	key := store.DeliveryKey(res.ItemID, 1, "email", "newsletter", "")
	var d *store.Delivery
	pipetest.WaitFor(t, 3*time.Minute, "the newsletter final", func() (bool, string) {
		d, err = e.DB.Delivery(ctx, key)
		return err == nil && d.Status != store.DelPending && d.Status != store.DelSending, fmt.Sprint(d.Status, err)
	})
	for _, w := range ws {
		w.stop()
	}
	got := map[string]int{}
	for _, m := range tg.SMTP.Messages() {
		got[m.To[0]]++
	}
	recs, err := e.DB.DeliveryRecipients(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d recipients in the ledger for %d subscribers", len(recs), n)
	}
	unknown := 0
	for _, r := range recs {
		switch {
		case got[r.Address] > 1:
			t.Errorf("%s received %d messages", r.Address, got[r.Address])
		case r.Status == store.DelUnknown:
			unknown++
		case r.Status != store.DelSent:
			t.Errorf("%s: %s (%s)", r.Address, r.Status, r.Error)
		case got[r.Address] != 1:
			t.Errorf("%s recorded sent, received %d", r.Address, got[r.Address])
		}
	}
	// In flight at a kill: at most one message per connection per process.
	if most := len(at) * len(ws) * conns; unknown > most {
		t.Errorf("%d recipients unknown after %d kills of %d processes with %d connections each (at most %d in flight)", unknown, len(at), len(ws), conns, most)
	}
	bs, _ := e.DB.Batches(ctx, d)
	t.Logf("delivery %s: %d messages, %d recipients unknown, %d batches; %s", d.Status, len(tg.SMTP.Messages()), unknown, len(bs), d.Error)
}
