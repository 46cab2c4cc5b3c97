package app_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// The split of 10,000 recipients is even, random (each group's mean
// position in the sorted list is the middle, within sampling error) and
// the same again from the same seed.
func TestSplitRecipients(t *testing.T) {
	addrs := make([]string, 10000)
	pos := map[string]int{}
	for i := range addrs {
		addrs[i] = fmt.Sprintf("r%05d@example.net", i)
		pos[addrs[i]] = i
	}
	groups := app.SplitRecipients(42, 30, 3, addrs)
	seen := map[string]bool{}
	for gi, g := range groups {
		// 30% of 10,000 over 3 variants: 1,000 each.
		if len(g) != 1000 {
			t.Errorf("group %d has %d recipients, want 1000", gi, len(g))
		}
		sum := 0
		for _, a := range g {
			if seen[a] {
				t.Fatalf("%s is in two groups", a)
			}
			seen[a] = true
			sum += pos[a]
		}
		// The mean of 1,000 positions drawn from 0..9999 has a standard
		// error of about 2887/√1000 ≈ 91; 4 of them is far enough.
		if mean := float64(sum) / float64(len(g)); math.Abs(mean-4999.5) > 4*91 {
			t.Errorf("group %d: mean position %.0f, want about 5000: the split is not random", gi, mean)
		}
	}
	again := app.SplitRecipients(42, 30, 3, addrs)
	for i := range groups {
		if !slices.Equal(groups[i], again[i]) {
			t.Fatalf("seed 42 split twice differs in group %d", i)
		}
	}
	other := app.SplitRecipients(43, 30, 3, addrs)
	if slices.Equal(groups[0], other[0]) {
		t.Error("seeds 42 and 43 give the same split")
	}
	// Sizes differ by one at most; a share of 100% leaves nobody out.
	odd := app.SplitRecipients(1, 100, 3, addrs[:100])
	if len(odd[0]) != 34 || len(odd[1]) != 33 || len(odd[2]) != 33 {
		t.Errorf("100 over 3: %d, %d, %d", len(odd[0]), len(odd[1]), len(odd[2]))
	}
}

func TestPickWinner(t *testing.T) {
	arms := func(metric string, clicks ...int64) *store.Experiment {
		e := &store.Experiment{Metric: metric}
		for i, c := range clicks {
			v := ""
			if i > 0 {
				v = string(rune('a' + i))
			}
			e.Arms = append(e.Arms, store.Arm{Variant: v, Clicks: c, UniqueClicks: 10 - c})
		}
		return e
	}
	for _, c := range []struct {
		e    *store.Experiment
		want string
	}{
		{arms("clicks", 3, 5), "b"},
		{arms("clicks", 5, 3), ""},
		{arms("clicks", 4, 4), ""},        // a tie: the default
		{arms("clicks", 0, 0, 0), ""},     // no clicks: the default
		{arms("clicks", 1, 6, 6), "b"},    // tied variants: the first
		{arms("clicks", 1, 2, 7), "c"},    // the highest of three
		{arms("unique_clicks", 3, 5), ""}, // 7 unique against 5
	} {
		if got := app.PickWinner(c.e); got != c.want {
			t.Errorf("%s %+v: winner %q, want %q", c.e.Metric, c.e.Arms, got, c.want)
		}
	}
}

const abBrand = "  test:\n    share: 50%\n    wait: 1h\n    min_recipients: 10\n"

// abItem is an item with variant b, which changes the subject and the
// call to action; extra goes under email.
func abItem(id, extra string) string {
	return "---\ntitle: Tarp pitches for " + id + "\nid: " + id + "\ncta:\n  label: Read the guide\n  url: /guides/\nemail:\n  subject: Control " + id +
		"\n  variants:\n    - name: b\n      subject: Variant " + id + "\n      cta:\n        label: Shop tarps\n        url: /catalog/\n" + extra +
		"---\nA tarp pitched low sheds the wind; one pitched high keeps the rain off the cooking.\n"
}

var trackedRE = regexp.MustCompile(regexp.QuoteMeta(publicURL) + `/r/([a-z0-9]+)(?:\?t=([A-Za-z0-9_-]+))?`)

// sentTo returns, for item id, each recipient's subject ("Control" or
// "Variant") and their tracked links (code and click token).
func sentTo(t *testing.T, tg *targets, id string) (map[string]string, map[string][][2]string) {
	t.Helper()
	subj := map[string]string{}
	links := map[string][][2]string{}
	for _, m := range tg.SMTP.Messages() {
		// Undo quoted-printable: soft breaks and the = sign.
		data := strings.ReplaceAll(strings.ReplaceAll(string(m.Data), "=\r\n", ""), "=3D", "=")
		var which string
		switch {
		case strings.Contains(data, "Subject: Control "+id+"\r\n"):
			which = "Control"
		case strings.Contains(data, "Subject: Variant "+id+"\r\n"):
			which = "Variant"
		default:
			continue
		}
		for _, to := range m.To {
			if prev, ok := subj[to]; ok {
				t.Errorf("%s got %s twice (%s, then %s)", id, to, prev, which)
			}
			subj[to] = which
			for _, l := range trackedRE.FindAllStringSubmatch(data, -1) {
				links[to] = append(links[to], [2]string{l[1], l[2]})
			}
		}
	}
	return subj, links
}

func countBy(m map[string]string) map[string]int {
	out := map[string]int{}
	for _, v := range m {
		out[v]++
	}
	return out
}

func experiment(t *testing.T, e *env, id string) *store.Experiment {
	t.Helper()
	x, err := e.DB.Experiment(context.Background(), id, 1, "newsletter")
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// click follows n of a recipient's tracked links with their token.
func click(t *testing.T, e *env, links [][2]string, n int) {
	t.Helper()
	for _, l := range links[:n] {
		if l[1] == "" {
			t.Fatalf("a test email's link has no click token: %v", l)
		}
		if err := e.Service.ExperimentClick(context.Background(), l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// An email A/B test end to end: half of the 40 readers get the test, a
// variant each; the one clicked more wins and goes to the other half;
// nobody gets the item twice and a forged token counts for nothing.
// An editor's early pick wins whatever the clicks say; a stopped test
// sends nothing more; a segment below min_recipients gets the default.
func TestEmailABTest(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			e := segmentEnv(t, s, tg, abBrand)
			ctx := context.Background()
			for i := range 40 {
				join(t, e, fmt.Sprintf("r%02d@example.net", i), "en", true)
			}
			e.Start(t)
			auto := submitText(t, e, abItem("auto", ""))
			early := submitText(t, e, abItem("early", ""))
			stop := submitText(t, e, abItem("stop", ""))
			small := submitText(t, e, abItem("small", "  test:\n    min_recipients: 41\n"))
			waitFor(t, 60*time.Second, "rendered", allRendered(e, []string{auto, early, stop, small}))
			for _, id := range []string{auto, early, stop, small} {
				if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range []string{auto, early, stop, small} {
				waitFor(t, 60*time.Second, id+" test sent", deliveriesFinal(e, id))
			}

			// The test share: 20 readers, 10 per variant, each link with a token.
			subj, links := sentTo(t, tg, "auto")
			if got := countBy(subj); got["Control"] != 10 || got["Variant"] != 10 {
				t.Fatalf("auto's test went to %v, want 10 and 10", got)
			}
			// Each variant carries its own call to action.
			for _, m := range tg.SMTP.Messages() {
				data := string(m.Data)
				if strings.Contains(data, "Subject: Variant ") != strings.Contains(data, "Shop tarps") {
					t.Errorf("a message's subject and call to action disagree:\n%.400s", data)
					break
				}
			}
			x := experiment(t, e, auto)
			if x.State != store.ExpRunning || x.Seed == 0 || x.SegmentSize != 40 {
				t.Fatalf("auto's experiment: %+v", x)
			}
			// Synthetic clicks: 2 control readers click once; 4 variant
			// readers click, one of them three times.
			var control, variant []string
			for to, w := range subj {
				if w == "Control" {
					control = append(control, to)
				} else {
					variant = append(variant, to)
				}
			}
			slices.Sort(control)
			slices.Sort(variant)
			for _, to := range control[:2] {
				click(t, e, links[to], 1)
			}
			for _, to := range variant[:4] {
				click(t, e, links[to], 1)
			}
			click(t, e, links[variant[0]], 1)
			click(t, e, links[variant[0]], 1)
			forged := links[variant[5]][0]
			if err := e.Service.ExperimentClick(ctx, forged[0], strings.Repeat("A", len(forged[1]))); err != nil {
				t.Fatal(err)
			}
			x = experiment(t, e, auto)
			if b := x.Arm("b"); b.Clicks != 6 || b.UniqueClicks != 4 || x.Arm("").Clicks != 2 {
				t.Errorf("arms before the decision: %+v", x.Arms)
			}
			// The decision, as its task runs it after the wait.
			if err := e.Service.DecideExperiment(ctx, tasks.ExperimentDecidePayload{ItemID: auto, Version: 1, Target: "newsletter"}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "winner sent", deliveriesFinal(e, auto))
			x = experiment(t, e, auto)
			if x.State != store.ExpDecided || x.Winner != "b" || x.How != store.HowAuto || x.Secret != "" {
				t.Errorf("auto decided: %+v", x)
			}
			subj, _ = sentTo(t, tg, "auto")
			if got := countBy(subj); len(subj) != 40 || got["Variant"] != 30 {
				t.Errorf("auto reached %d readers, %v; want all 40, the variant to 30", len(subj), got)
			}

			// An editor picks the default early, though b was clicked more.
			subj, links = sentTo(t, tg, "early")
			for to, w := range subj {
				if w == "Variant" {
					click(t, e, links[to], 1)
				}
			}
			if _, err := e.Service.PickExperimentWinner(ctx, early, 0, "", "", "user:ed"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "early winner sent", deliveriesFinal(e, early))
			// The decision task, when it comes, changes nothing.
			if err := e.Service.DecideExperiment(ctx, tasks.ExperimentDecidePayload{ItemID: early, Version: 1, Target: "newsletter"}); err != nil {
				t.Fatal(err)
			}
			x = experiment(t, e, early)
			subj, _ = sentTo(t, tg, "early")
			if got := countBy(subj); x.Winner != "" || x.How != store.HowEditor || x.DecidedBy != "user:ed" || got["Control"] != 30 || len(subj) != 40 {
				t.Errorf("early: %+v; sent %v", x, got)
			}

			// Stopped: the test share keeps what it got, nobody else gets anything.
			if _, err := e.Service.StopExperiment(ctx, stop, 0, "", "user:ed"); err != nil {
				t.Fatal(err)
			}
			x = experiment(t, e, stop)
			subj, _ = sentTo(t, tg, "stop")
			if x.State != store.ExpStopped || x.How != store.HowStopped || len(subj) != 20 {
				t.Errorf("stopped: %+v, %d readers", x, len(subj))
			}

			// Too small: the default to all 40.
			x = experiment(t, e, small)
			subj, _ = sentTo(t, tg, "small")
			if got := countBy(subj); x.How != store.HowTooSmall || got["Control"] != 40 {
				t.Errorf("too small: %+v, sent %v", x, got)
			}
		})
	}
}

// A decision task Redis lost is queued again by the reconciler once it
// is due, and the winner goes out.
func TestLostDecisionReconciled(t *testing.T) {
	pipetest.Long(t)
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			tg := newTargets(t)
			e := segmentEnv(t, s, tg, abBrand)
			ctx := context.Background()
			for i := range 12 {
				join(t, e, fmt.Sprintf("r%02d@example.net", i), "en", true)
			}
			e.Start(t)
			id := submitText(t, e, abItem("lost", "  test:\n    wait: 4s\n"))
			waitFor(t, 60*time.Second, "rendered", allRendered(e, []string{id}))
			if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
				t.Fatal(err)
			}
			var x *store.Experiment
			waitFor(t, 30*time.Second, "test started", func() (bool, string) {
				var err error
				x, err = e.DB.Experiment(ctx, id, 1, "newsletter")
				return err == nil, fmt.Sprint(err)
			})
			// Redis loses the decision once it is queued.
			decide := tasks.ExperimentDecideTaskID(id, 1, "newsletter")
			waitFor(t, 30*time.Second, "decision queued", func() (bool, string) {
				info, err := e.Queue.Task(ctx, tasks.QueueDefault, decide)
				return err == nil && info.State != app.TaskGone, fmt.Sprint(info, err)
			})
			if err := e.Queue.Delete(ctx, tasks.QueueDefault, decide); err != nil {
				t.Fatal(err)
			}
			// Past the decision time, the test still runs: its task is gone.
			waitFor(t, 30*time.Second, "decision due", func() (bool, string) { return time.Now().After(x.DecideAt.Add(time.Second)), "" })
			if x = experiment(t, e, id); x.State != store.ExpRunning {
				t.Fatalf("decided without its task: %+v", x)
			}
			st, err := e.Service.Reconcile(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if st.Experiments != 1 {
				t.Errorf("reconciler re-enqueued %d decisions, want 1", st.Experiments)
			}
			waitFor(t, 30*time.Second, "decided", func() (bool, string) {
				x := experiment(t, e, id)
				return x.State == store.ExpDecided, x.State
			})
			waitFor(t, 60*time.Second, "winner sent", deliveriesFinal(e, id))
			if subj, _ := sentTo(t, tg, "lost"); len(subj) != 12 {
				t.Errorf("%d of 12 readers got the item", len(subj))
			}
		})
	}
}

// A test whose emails cannot go out yet (the target's sending window is
// closed) is not decided when its wait is up: with no email read, every
// variant has 0 clicks and the default would "win". The decision moves
// on, nothing more is sent, and the test keeps running.
func TestABDecisionWaitsForTestEmails(t *testing.T) {
	pipetest.Long(t)
	tg := newTargets(t)
	now := time.Now().UTC()
	closed := now.Add(2*time.Hour).Format("15:04") + "-" + now.Add(3*time.Hour).Format("15:04")
	e := segmentEnv(t, setups[0], tg, abBrand, func(b []byte) []byte {
		return bytes.Replace(b, []byte("    to: subscribers\n"), []byte("    to: subscribers\n    window: \""+closed+"\"\n"), 1)
	})
	ctx := context.Background()
	for i := range 40 {
		join(t, e, fmt.Sprintf("r%02d@example.net", i), "en", true)
	}
	e.Start(t)
	id := submitText(t, e, abItem("night", ""))
	waitFor(t, 60*time.Second, "rendered", allRendered(e, []string{id}))
	if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "test started", func() (bool, string) {
		_, err := e.DB.Experiment(ctx, id, 1, "newsletter")
		return err == nil, fmt.Sprint(err)
	})
	before := experiment(t, e, id)
	if err := e.Service.DecideExperiment(ctx, tasks.ExperimentDecidePayload{ItemID: id, Version: 1, Target: "newsletter"}); err != nil {
		t.Fatal(err)
	}
	x := experiment(t, e, id)
	if x.State != store.ExpRunning || x.DecideAt.Before(before.DecideAt) {
		t.Errorf("decided with no test email sent: state %s, decide_at %v (was %v)", x.State, x.DecideAt, before.DecideAt)
	}
	if n := len(tg.SMTP.Messages()); n != 0 {
		t.Errorf("%d emails went out with the sending window (%s UTC) closed", n, closed)
	}
	ds, _ := e.DB.Deliveries(ctx, id, 1)
	for _, d := range ds {
		if phase, _, _ := store.SplitPhase(d.Variant); phase == store.PhaseWinner {
			t.Errorf("a winner delivery was made: %s", d.Key)
		}
	}
}
