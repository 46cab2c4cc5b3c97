package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/fakes"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/renderers/portal"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
	"github.com/crosscast/crosscast/worker"
)

// buildBinary compiles crosscast for tests that run it as a process,
// with the build tags given: once per set of tags for the whole test
// binary, since each build links a large executable again.
func buildBinary(t *testing.T, tags ...string) string {
	t.Helper()
	key := strings.Join(tags, ",")
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[key]; ok {
		return bin
	}
	bin := filepath.Join(builds.dir, fmt.Sprintf("crosscast-%d", len(builds.bins)))
	out, err := exec.Command("go", "build", "-tags="+key, "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	builds.bins[key] = bin
	return bin
}

// builds holds the binaries buildBinary made, in a folder TestMain
// removes at the end.
var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string // by build tags
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crosscast-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	builds.dir, builds.bins = dir, map[string]string{}
	// The crash and poison tests (the only parallel ones here) spend
	// most of their time waiting out the leases of workers they killed
	// (asynq recovers a task at most once a minute): all six overlap,
	// not GOMAXPROCS at a time, unless -parallel says otherwise.
	flag.Parse()
	if !flagGiven("test.parallel") {
		flag.Set("test.parallel", "6")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// photo makes a distinct JPEG, large enough that resizing it takes a
// worker real time.
func photo(i, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x*255/w + i), uint8(y*255/h + 3*i), uint8(i * 7), 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}

// workers runs `crosscast worker` as a child process that a test can
// SIGKILL and start again, logging to one file.
type workers struct {
	t    *testing.T
	bin  string
	env  []string
	logs *os.File
	cmd  *exec.Cmd
}

func newWorkers(t *testing.T, bin string, concurrency int, e *pipetest.Env, extra []string) *workers {
	logs, err := os.Create(filepath.Join(t.TempDir(), "worker.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			t.Logf("worker log (end):\n%s", b)
		}
		logs.Close()
	})
	env := append(os.Environ(),
		fmt.Sprintf("REDIS_URL=redis://%s/%d", e.Redis.Addr, e.Redis.DB),
		"DATABASE_URL="+e.DSN,
		envRetryDelay+"=200ms",
		envReconcile+"=500ms",
		envLogLevel+"=warn",
		envWorkers+"="+fmt.Sprint(concurrency),
	)
	w := &workers{t: t, bin: bin, env: append(env, extra...), logs: logs}
	t.Cleanup(func() {
		if w.cmd != nil {
			w.kill()
		}
	})
	return w
}

func (w *workers) start() {
	w.cmd = exec.Command(w.bin, "worker")
	w.cmd.Env = w.env
	w.cmd.Stdout, w.cmd.Stderr = w.logs, w.logs
	if err := w.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
}

func (w *workers) kill() {
	w.cmd.Process.Signal(syscall.SIGKILL)
	w.cmd.Wait()
	w.cmd = nil
}

// stop asks the worker to finish what it holds and exit.
func (w *workers) stop() {
	w.cmd.Process.Signal(syscall.SIGTERM)
	w.cmd.Wait()
	w.cmd = nil
}

func crashItem(i int) map[string][]byte {
	return map[string][]byte{
		"index.md": []byte(fmt.Sprintf(`---
title: Trip report %d
tags: [trips]
hero: {src: hero.jpg, alt: The view from camp on day %d}
---
We walked for %d hours, pitched the tent in a hollow out of the wind and
slept well.
`, i, i, i%9+1)),
		"hero.jpg": photo(i, 1400, 900),
	}
}

// TestCrashRecovery submits 200 items, SIGKILLs the worker process five
// times at random points of the run, restarting it each time, then
// changes the brand and SIGKILLs it once more inside the re-render, and
// checks that every item ends rendered in every channel with the new
// brand, each rendering recorded exactly once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs for about a minute")
	}
	// Each has its own services and workers, and spends most of its time
	// waiting out the leases of the workers it killed: they overlap.
	t.Parallel()
	e := pipetest.New(t, pipetest.Setup{Redis: "real", DB: "real"})
	bin := buildBinary(t)
	e.ImportBrand(t, "kestrel")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	const n = 200
	ids := make([]string, 0, n)
	for i := range n {
		res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: crashItem(i), Actor: "crash-test"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ItemID)
	}
	// This process plays the web node: its reconciler runs as serve's would.
	go worker.RunReconciler(ctx, e.Service, nil, 500*time.Millisecond, time.Second)

	w := newWorkers(t, bin, 4, e, nil)
	rendered := func() int {
		items, err := e.DB.Items(ctx, store.ItemFilter{Status: store.StatusRendered, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(items)
	}

	// Kill at random points of progress (by rendered count), not at
	// random times, so the kills land inside the run on any machine.
	var at []int
	for range 5 {
		at = append(at, 5+rand.IntN(n*3/4))
	}
	slices.Sort(at)
	w.start()
	for k, threshold := range at {
		pipetest.WaitFor(t, 2*time.Minute, fmt.Sprintf("kill %d at %d rendered", k+1, threshold), func() (bool, string) {
			r := rendered()
			return r >= threshold, fmt.Sprint(r, " rendered")
		})
		w.kill()
		t.Logf("SIGKILL %d with %d of %d items rendered", k+1, rendered(), n)
		w.start()
	}
	allRendered := func() {
		pipetest.WaitFor(t, 3*time.Minute, "every item rendered", func() (bool, string) {
			r := rendered()
			return r == n, fmt.Sprintf("%d of %d rendered", r, n)
		})
	}
	allRendered()

	// A brand change re-renders every item in groups (items:render); one
	// more SIGKILL lands inside it.
	kit := testenv.CopyKit(t, "kestrel")
	y, err := os.ReadFile(filepath.Join(kit, "brand.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y = []byte(strings.Replace(string(y), "name: Kestrel Outfitters", "name: Kestrel Mountain Works", 1))
	if err := os.WriteFile(filepath.Join(kit, "brand.yaml"), y, 0o644); err != nil {
		t.Fatal(err)
	}
	_, change, err := e.Service.ImportBrand(ctx, kit, "crash-test")
	if err != nil || change.Items != n {
		t.Fatalf("brand change: %+v %v", change, err)
	}
	threshold := 5 + rand.IntN(n/2)
	pipetest.WaitFor(t, 2*time.Minute, fmt.Sprintf("kill in the re-render at %d rendered", threshold), func() (bool, string) {
		r := rendered()
		return r >= threshold, fmt.Sprint(r, " rendered")
	})
	w.kill()
	t.Logf("SIGKILL in the brand change's re-render with %d of %d items rendered", rendered(), n)
	w.start()
	allRendered()
	w.stop()

	var attempts, reenqueued int
	for _, id := range ids {
		rs, err := e.DB.Renderings(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != len(e.Service.Channels()) {
			t.Errorf("%s: %d renderings", id, len(rs))
		}
		for _, r := range rs {
			if r.Status != store.StatusRendered || r.Renders != 1 || r.BrandHash != change.Hash {
				t.Errorf("%s %s: %s with brand %s, recorded %d times; want rendered once with %s", id, r.Channel, r.Status, r.BrandHash, r.Renders, change.Hash)
			}
			attempts += r.Attempts
			if r.Enqueues > 1 {
				reenqueued++
			}
		}
	}
	t.Logf("%d renderings, %d attempts, %d re-enqueued by the reconciler", n*len(e.Service.Channels()), attempts, reenqueued)
}

// TestCrashWhilePublishing publishes 100 items to every kind of target
// (the site, a mail server with three subscribers, Mastodon, Bluesky and
// a webhook), SIGKILLing the worker five times at random points, and
// checks that no target got any item twice and that every delivery
// ended sent, or unknown where a kill fell between a message going out
// and its being recorded.
// publishingCrashEnv is a publishing crash test's services and target
// servers. The test's pipeline (the web node's part: submit, schedule)
// knows every channel the worker renders.
func publishingCrashEnv(t *testing.T) (*pipetest.Env, *fakes.Targets) {
	t.Helper()
	var rs []renderers.Renderer
	for name, mk := range channels() {
		if name != portal.Channel {
			r, err := mk(renderers.Shared{Images: &images.Cache{}})
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
	}
	return pipetest.New(t, pipetest.Setup{Redis: "real", DB: "real"}, rs...), fakes.NewTargets(t, 500)
}

func TestCrashWhilePublishing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs for about a minute")
	}
	t.Parallel() // see TestCrashRecovery
	const public = "https://cc.kestrel.example"
	e, tg := publishingCrashEnv(t)
	bin := buildBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, _, err := e.Service.ImportBrand(ctx, tg.BrandKit(t, public, ""), "test"); err != nil {
		t.Fatal(err)
	}
	subscribers := []string{"ann@example.net", "bob@example.net", "cat@example.net"}
	for _, a := range subscribers {
		addActive(t, e.DB, a)
	}
	ca := filepath.Join(t.TempDir(), "smtp-ca.pem")
	if err := os.WriteFile(ca, tg.SMTP.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	site := t.TempDir()
	extra := []string{envSites + "=" + site, envPublicURL + "=" + public, envSMTPCA + "=" + ca}
	for k, v := range tg.Env {
		extra = append(extra, k+"="+v)
	}
	w := newWorkers(t, bin, 8, e, extra)

	const n = 100
	ids := make([]string, 0, n)
	ab := map[string]bool{} // items whose email runs an A/B test
	for i := range n {
		files := crashItem(i)
		files["hero.jpg"] = photo(i, 800, 500)
		if i%10 == 0 {
			// Two of the three readers get the test (one per variant),
			// the third the winner two seconds later.
			files["index.md"] = bytes.Replace(files["index.md"], []byte("\n---\n"), []byte(fmt.Sprintf(
				"\nemail:\n  variants:\n    - name: b\n      subject: \"Variant: Trip report %d\"\n  test:\n    share: 67%%\n    wait: 2s\n    min_recipients: 0\n---\n", i)), 1)
		}
		res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: files, Actor: "crash-test"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ItemID)
		if i%10 == 0 {
			ab[res.ItemID] = true
		}
	}
	go worker.RunReconciler(ctx, e.Service, nil, 500*time.Millisecond, time.Second)
	w.start()
	pipetest.WaitFor(t, 3*time.Minute, "every item rendered", func() (bool, string) {
		items, err := e.DB.Items(ctx, store.ItemFilter{Status: store.StatusRendered, Limit: 1000})
		return err == nil && len(items) == n, fmt.Sprint(len(items), " rendered, ", err)
	})
	for _, id := range ids {
		if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
			t.Fatal(err)
		}
	}

	// Deliveries by status over all items.
	tally := func() (map[string]int, []store.Delivery) {
		st := map[string]int{}
		var all []store.Delivery
		for _, id := range ids {
			ds, err := e.DB.Deliveries(ctx, id, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				st[d.Status]++
			}
			all = append(all, ds...)
		}
		return st, all
	}
	const perItem = 6 // portal and catalog to the site, email, mastodon, bluesky, linkedin
	var at []int
	for range 5 {
		at = append(at, 10+rand.IntN(n*perItem*3/4))
	}
	slices.Sort(at)
	for k, threshold := range at {
		pipetest.WaitFor(t, 2*time.Minute, fmt.Sprintf("kill %d at %d deliveries done", k+1, threshold), func() (bool, string) {
			st, _ := tally()
			return st[store.DelSent]+st[store.DelUnknown] >= threshold, fmt.Sprint(st)
		})
		w.kill()
		st, _ := tally()
		t.Logf("SIGKILL %d: %v", k+1, st)
		w.start()
	}
	// An A/B item has three email deliveries more: one per variant for
	// the test and the winner's, and its own is held, then cancelled.
	pipetest.WaitFor(t, 3*time.Minute, "every delivery final", func() (bool, string) {
		st, all := tally()
		return len(all) == n*perItem+len(ab)*3 && st[store.DelPending]+st[store.DelSending]+st[store.DelHeld] == 0, fmt.Sprint(st)
	})
	w.stop()

	st, all := tally()
	t.Logf("deliveries: %v", st)
	for _, d := range all {
		replaced := ab[d.ItemID] && d.Channel == "email" && d.Variant == "" && d.Status == store.DelCancelled
		if d.Status != store.DelSent && d.Status != store.DelUnknown && !replaced {
			t.Errorf("%s: %s (%s)", d.Key, d.Status, d.Error)
		}
	}
	for id := range ab {
		x, err := e.DB.Experiment(ctx, id, 1, "newsletter")
		if err != nil || x.State != store.ExpDecided || x.How != store.HowAuto || len(x.Arms) != 2 || x.Arms[0].Recipients+x.Arms[1].Recipients != 2 {
			t.Errorf("%s: A/B test %+v, %v", id, x, err)
		}
	}

	// Email: at most one message per recipient and item; a recipient
	// without one is recorded unknown (a kill between send and record
	// may also leave a sent message unknown, never a missing one sent).
	got := map[string]int{}
	for _, m := range tg.SMTP.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		// Either variant of an A/B item is the same item.
		got[strings.Join(m.To, ",")+" "+strings.TrimPrefix(msg.Header.Get("Subject"), "Variant: ")]++
	}
	for k, c := range got {
		if c > 1 {
			t.Errorf("%q received %d times", k, c)
		}
	}
	unknown := 0
	for _, d := range all {
		if d.Channel != "email" {
			continue
		}
		rs, err := e.DB.DeliveryRecipients(ctx, &d)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Status == store.DelUnknown {
				unknown++
			} else if r.Status != store.DelSent {
				t.Errorf("%s to %s: %s", d.Key, r.Address, r.Status)
			}
		}
	}
	if sent := len(tg.SMTP.Messages()); sent < n*len(subscribers)-unknown || sent > n*len(subscribers) {
		t.Errorf("%d messages for %d items × %d subscribers with %d unknown", sent, n, len(subscribers), unknown)
	}

	// Social: no status or record created twice (each post's text is
	// unique: the titles are numbered).
	seen := map[string]bool{}
	for _, p := range tg.Mastodon.Posts() {
		if seen[p.Text] {
			t.Errorf("Mastodon status posted twice: %.60q", p.Text)
		}
		seen[p.Text] = true
	}
	clear(seen)
	for _, r := range tg.Bluesky.Records() {
		text, _ := r.Record["text"].(string)
		if seen[text] {
			t.Errorf("Bluesky post created twice: %.60q", text)
		}
		seen[text] = true
	}
	for name, v := range map[string][]string{"mastodon": tg.Mastodon.Violations(), "bluesky": tg.Bluesky.Violations(), "webhook": tg.Webhook.Violations()} {
		if len(v) > 0 {
			t.Errorf("%s contract: %v", name, v)
		}
	}
	// The webhook receiver de-duplicates by webhook-id; one id per item.
	if hooks, _ := tg.Webhook.Messages(); len(hooks) != n {
		t.Errorf("webhook got %d distinct messages for %d items", len(hooks), n)
	}
	// Every page is on the site.
	pages, _ := filepath.Glob(filepath.Join(site, "kestrel", "*", "index.html"))
	if len(pages) < n {
		t.Errorf("%d pages on the site for %d items", len(pages), n)
	}
	t.Logf("sent %d emails (%d recipients unknown), %d Mastodon statuses in %d requests, %d Bluesky records in %d requests, %d webhook messages in %d requests",
		len(tg.SMTP.Messages()), unknown, len(tg.Mastodon.Posts()), tg.Mastodon.Attempts, len(tg.Bluesky.Records()), tg.Bluesky.Attempts, n, tg.Webhook.Attempts)
}

// addActive puts an address on kestrel's list as an admin with a basis
// would, returning its link token.
func addActive(t testing.TB, db *store.DB, addr string) string {
	t.Helper()
	j, err := db.JoinSubscriber(context.Background(), store.Join{BrandID: "kestrel", Address: addr, Confirmed: true,
		Consent: store.Consent{Source: store.ConsentAPI, Wording: "test basis"}})
	if err != nil {
		t.Fatal(err)
	}
	return j.Subscriber.Token
}

// TestCrashWithDigestInFlight publishes three items, then lets a digest
// (policy auto_publish) gather them and go out to three subscribers and
// every other target while the worker is SIGKILLed: during the run,
// once its item is rendered, and in the middle of its email delivery.
// The period is recorded once, its item has one version, and no
// subscriber gets the digest twice (one whose message a kill fell
// between sending and recording is recorded unknown).
func TestCrashWithDigestInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs for about half a minute")
	}
	t.Parallel() // see TestCrashRecovery
	const public = "https://cc.kestrel.example"
	e, tg := publishingCrashEnv(t)
	bin := buildBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kit := tg.BrandKit(t, public, "digests:\n  weekly:\n    schedule: Mon 08:00\n    timezone: Europe/Amsterdam\n    policy: auto_publish\n")
	if _, _, err := e.Service.ImportBrand(ctx, kit, "test"); err != nil {
		t.Fatal(err)
	}
	subscribers := []string{"ann@example.net", "bob@example.net", "cat@example.net"}
	for _, a := range subscribers {
		addActive(t, e.DB, a)
	}
	ca := filepath.Join(t.TempDir(), "smtp-ca.pem")
	if err := os.WriteFile(ca, tg.SMTP.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	site := t.TempDir()
	extra := []string{envSites + "=" + site, envPublicURL + "=" + public, envSMTPCA + "=" + ca}
	for k, v := range tg.Env {
		extra = append(extra, k+"="+v)
	}
	w := newWorkers(t, bin, 8, e, extra)
	go worker.RunReconciler(ctx, e.Service, nil, 500*time.Millisecond, time.Second)
	w.start()

	start := time.Now().Add(-time.Minute).Truncate(time.Second)
	var ids []string
	for i := range 3 {
		files := crashItem(i)
		files["hero.jpg"] = photo(i, 800, 500)
		res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: files, Actor: "crash-test"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ItemID)
	}
	final := func(id string) (bool, string) {
		ds, err := e.DB.Deliveries(ctx, id, 0)
		if err != nil || len(ds) == 0 {
			return false, fmt.Sprint(len(ds), " deliveries ", err)
		}
		for _, d := range ds {
			if d.Status == store.DelPending || d.Status == store.DelSending {
				return false, d.Key + " " + d.Status
			}
		}
		return true, ""
	}
	for _, id := range ids {
		pipetest.WaitFor(t, 2*time.Minute, "rendered", func() (bool, string) {
			it, err := e.DB.Item(ctx, id)
			return err == nil && it.Status == store.StatusRendered, fmt.Sprint(err)
		})
		if _, err := e.Service.Schedule(ctx, id, 0, time.Time{}, "editor"); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		pipetest.WaitFor(t, 2*time.Minute, id+" delivered", func() (bool, string) { return final(id) })
	}
	before := len(tg.SMTP.Messages())

	// The period that gathers them ends in two seconds: its run is in
	// flight for the worker to be killed in.
	end := time.Now().Truncate(time.Second).Add(2 * time.Second)
	task, err := tasksDigestRun("kestrel", "weekly", start, end)
	if err != nil {
		t.Fatal(err)
	}
	planned, outbox, err := e.DB.PlanDigest(ctx, "kestrel", "weekly", start, end, task)
	if err != nil || !planned {
		t.Fatalf("plan: %v %v", planned, err)
	}
	if err := e.Service.Dispatch(ctx, outbox); err != nil {
		t.Fatal(err)
	}
	run := func() *store.DigestRun {
		r, err := e.DB.DigestRun(ctx, "kestrel", "weekly", end)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Kill 1: as the run starts (or just after it).
	pipetest.WaitFor(t, time.Minute, "the run due", func() (bool, string) { return time.Now().After(end), "" })
	w.kill()
	t.Logf("SIGKILL 1: run %s", run().Status)
	w.start()
	pipetest.WaitFor(t, time.Minute, "the digest's item", func() (bool, string) { r := run(); return r.Version > 0, r.Status })
	digestID := run().ItemID
	// Kill 2: once its item is rendered (auto-publish, the site).
	pipetest.WaitFor(t, 2*time.Minute, "digest rendered", func() (bool, string) {
		it, err := e.DB.Item(ctx, digestID)
		return err == nil && it.Status == store.StatusRendered, fmt.Sprint(err)
	})
	w.kill()
	t.Logf("SIGKILL 2: digest item rendered")
	w.start()
	// Kill 3: in the middle of its email delivery.
	pipetest.WaitFor(t, 2*time.Minute, "the digest's first email", func() (bool, string) {
		return len(tg.SMTP.Messages()) > before, ""
	})
	w.kill()
	t.Logf("SIGKILL 3: %d digest emails out", len(tg.SMTP.Messages())-before)
	w.start()
	pipetest.WaitFor(t, 2*time.Minute, "the digest delivered", func() (bool, string) { return final(digestID) })
	w.stop()

	r := run()
	if r.Status != store.DigestSent || len(r.Entries) != 3 || r.Version != 1 {
		t.Errorf("run %+v", r)
	}
	if it, err := e.DB.Item(ctx, digestID); err != nil || it.LatestVersion != 1 {
		t.Errorf("digest item: %+v %v", it, err)
	}
	runs, err := e.DB.DigestRuns(ctx, "kestrel", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range runs {
		if !o.End.Equal(end) && o.Status != store.DigestPlanned {
			t.Errorf("another period ran: %+v", o)
		}
	}
	got := map[string]int{}
	for _, m := range tg.SMTP.Messages()[before:] {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		if subj := msg.Header.Get("Subject"); subj != "This week at Kestrel Outfitters" {
			t.Errorf("an email other than the digest: %q", subj)
		}
		got[strings.Join(m.To, ",")]++
	}
	unknown := 0
	ds, _ := e.DB.Deliveries(ctx, digestID, 0)
	for _, d := range ds {
		if d.Status != store.DelSent && d.Status != store.DelUnknown {
			t.Errorf("%s: %s (%s)", d.Key, d.Status, d.Error)
		}
		if d.Channel != "email" {
			continue
		}
		rs, err := e.DB.DeliveryRecipients(ctx, &d)
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range rs {
			if rc.Status == store.DelUnknown {
				unknown++
			}
		}
	}
	for _, a := range subscribers {
		if got[a] > 1 {
			t.Errorf("%s got the digest %d times", a, got[a])
		}
	}
	if sent := len(tg.SMTP.Messages()) - before; sent < len(subscribers)-unknown || sent > len(subscribers) {
		t.Errorf("%d digest emails for %d subscribers with %d unknown", sent, len(subscribers), unknown)
	}
	t.Logf("digest %s: %d emails, %d unknown, runs %d", digestID, len(tg.SMTP.Messages())-before, unknown, len(runs))
}

func tasksDigestRun(brand, digest string, start, end time.Time) (store.Task, error) {
	return tasks.NewDigestRunTask(tasks.DigestRunPayload{Brand: brand, Digest: digest, Start: start.Unix(), End: end.Unix()})
}
