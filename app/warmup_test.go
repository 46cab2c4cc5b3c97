package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
	"github.com/crosscast/crosscast/worker"
)

// A target warming up sends each UTC day no more than its schedule
// allows, across all the batches of a list: the first day's 3 go out
// and every batch left waits for the next UTC midnight, in its own
// scheduled task; the second day's 5 follow; past the schedule the
// rest go. Nobody gets the email twice.
func TestWarmupCapsEachDay(t *testing.T) {
	day1 := time.Date(2031, 3, 14, 0, 0, 0, 0, time.UTC) // far ahead: no continuation comes due during the test
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			clk := &fakeClock{t: day1.Add(15*time.Hour + 30*time.Minute)}
			er, err := email.New(&images.Cache{})
			if err != nil {
				t.Fatal(err)
			}
			e := &env{pipetest.NewWith(t, s, func(c *app.Config) {
				tg.configure(c)
				c.Now = clk.Now
				c.Allowance = c.Queue.(*worker.Queue).Allowance() // the shared Redis count
			}, er)}
			dir := tg.BrandKit(t, publicURL, "")
			file := filepath.Join(dir, "brand.yaml")
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			from := []byte("    to: subscribers\n    rate: 1000\n")
			if !bytes.Contains(b, from) {
				t.Fatal("the kit's newsletter target changed")
			}
			b = bytes.Replace(b, from, append(from, "    batch: 4\n    warmup:\n      from: 2031-03-14\n      daily: [3, 5]\n"...), 1)
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, _, err := e.Service.ImportBrand(ctx, dir, "test"); err != nil {
				t.Fatal(err)
			}
			var all []string
			for i := range 10 {
				all = append(all, fmt.Sprintf("r%02d@example.net", i))
				join(t, e, all[i], "en", true)
			}
			e.Start(t)
			id := submitText(t, e, "---\ntitle: Warm-up\nid: warmup\n---\nA new sender starts small.\n")
			waitFor(t, 60*time.Second, "rendered", allRendered(e, []string{id}))
			if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			insp := asynq.NewInspector(e.Redis)
			defer insp.Close()
			delivery := func() *store.Delivery {
				ds, err := e.DB.Deliveries(ctx, id, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range ds {
					if d.Target == "newsletter" {
						return &d
					}
				}
				return nil
			}
			// waiting says whether every batch not done is put back with
			// its continuation scheduled at midnight.
			waiting := func(midnight time.Time) func() (bool, string) {
				return func() (bool, string) {
					d := delivery()
					if d == nil {
						return false, "no email delivery yet"
					}
					bs, err := e.DB.Batches(ctx, d)
					if err != nil || len(bs) != 3 {
						return false, fmt.Sprintf("%d batches, %v", len(bs), err)
					}
					var st []string
					ok := true
					for _, b := range bs {
						if b.Status == store.BatchDone {
							st = append(st, fmt.Sprintf("#%d done", b.N))
							continue
						}
						tid := tasks.NextGeneration(tasks.DeliverBatchTaskID(d.Key, b.N), b.Attempts)
						info, err := insp.GetTaskInfo(tasks.QueueDefault, tid)
						if err != nil {
							ok = false
							st = append(st, fmt.Sprintf("#%d %s, %s: %v", b.N, b.Status, tid, err))
							continue
						}
						st = append(st, fmt.Sprintf("#%d %s, %s %s at %s", b.N, b.Status, tid, info.State, info.NextProcessAt.UTC()))
						if b.Status != store.DelPending || info.State != asynq.TaskStateScheduled || !info.NextProcessAt.Equal(midnight) {
							ok = false
						}
					}
					return ok, strings.Join(st, "; ")
				}
			}
			sent := func() []string {
				var to []string
				for _, m := range tg.SMTP.Messages() {
					to = append(to, m.To...)
				}
				slices.Sort(to)
				return to
			}
			check := func(day string, want int, midnight time.Time) {
				t.Helper()
				if !midnight.IsZero() {
					waitFor(t, 60*time.Second, day+": the batches left wait for "+midnight.String(), waiting(midnight))
				}
				if got := sent(); len(got) != want || len(slices.Compact(got)) != want {
					t.Fatalf("%s: %d messages (%v), want %d to %d different readers", day, len(got), got, want, want)
				}
				d := delivery()
				p, err := e.DB.DeliveryProgress(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				if wantSt := map[bool]string{true: store.DelSending, false: store.DelSent}[want < 10]; d.Status != wantSt || p.Sent != want || p.Remaining != 10-want {
					t.Errorf("%s: delivery %s with %+v; want %s, %d sent, %d remaining", day, d.Status, p, wantSt, want, 10-want)
				}
			}
			// The rest of a day's batches run as the worker would run them
			// at midnight.
			runOpen := func() {
				d := delivery()
				bs, err := e.DB.Batches(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range bs {
					if b.Status != store.BatchDone {
						if err := e.Service.DeliverBatch(ctx, d.Key, b.N, false); err != nil {
							t.Fatalf("batch %d: %v", b.N, err)
						}
					}
				}
			}

			check("day 1", 3, day1.AddDate(0, 0, 1))
			clk.Set(day1.AddDate(0, 0, 1).Add(time.Minute))
			runOpen()
			check("day 2", 8, day1.AddDate(0, 0, 2))
			// Past the schedule: no cap, the rest go at once.
			clk.Set(day1.AddDate(0, 0, 2).Add(time.Minute))
			runOpen()
			check("day 3", 10, time.Time{})
			if got := sent(); !slices.Equal(got, all) {
				t.Errorf("sent to %v, want %v", got, all)
			}
		})
	}
}
