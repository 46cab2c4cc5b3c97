package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// bench implements `crosscast bench`: the whole pipeline (submit → every
// channel rendered) on generated items with 2400×1600 hero photos, with
// workers in this process or in separate worker processes. It reports
// throughput, latency from submit to rendered, CPU per item by channel
// and peak memory. Figures are printed, never asserted.
func (m *Main) bench(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 && args[0] == "render" {
		return m.benchRender(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "send" {
		return m.benchSend(ctx, cfg, args[1:])
	}
	fset := flag.NewFlagSet("bench", flag.ContinueOnError)
	n := fset.Int("items", 40, "items with photos per run")
	nText := fset.Int("text-items", 500, "text-only items for the re-render run")
	procs := fset.Int("procs", 0, "separate worker processes; 0 runs the workers in this process")
	conc := fset.Int("concurrency", runtime.NumCPU(), "tasks run at once per worker process")
	brandDir := fset.String("brand", "examples/kestrel", "brand kit `folder` to render with")
	cpuProfile := fset.String("cpuprofile", "", "write a CPU profile of this process to `file`")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	cfg.Workers = *conc
	m.limitMemory(cfg)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tmp, err := os.MkdirTemp("", "crosscast-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	dsn, redisURL, ropt, db, closeServices, err := benchServices(ctx, cfg, tmp)
	if err != nil {
		return err
	}
	defer closeServices()
	rs, err := channelRenderers(cfg, db, log)
	if err != nil {
		return err
	}
	q := worker.NewQueue(worker.QueueConfig{Redis: ropt, Logger: log})
	defer q.Close()
	p := app.New(app.Config{Store: db, Queue: q, Renderers: rs, Logger: log})
	br, _, err := p.ImportBrand(ctx, *brandDir, "bench")
	if err != nil {
		return err
	}

	where := "in this process"
	var children []*exec.Cmd
	if *procs == 0 {
		h := worker.NewHandler(p, q, log)
		srv := h.NewServer(ropt, worker.ServerConfig{Concurrency: *conc})
		if err := srv.Start(h.Mux()); err != nil {
			return err
		}
		defer srv.Shutdown()
	} else {
		where = fmt.Sprintf("in %d worker processes", *procs)
		var stop func()
		if children, stop, err = m.startWorkerProcs(ctx, *procs, *conc, redisURL, dsn, nil); err != nil {
			return err
		}
		defer stop()
	}
	fmt.Fprintf(m.Stdout, "crosscast bench: %d items with 2400×1600 photos, channels %v, workers %s (concurrency %d each), %s, GOMAXPROCS %d\n\n",
		*n, p.Channels(), where, *conc, db.Kind(), runtime.GOMAXPROCS(0))

	fmt.Fprintln(m.Stderr, "generating photos…")
	photos, err := benchPhotoFiles(tmp, 2**n)
	if err != nil {
		return err
	}
	r := &benchRun{db: db, p: p, brand: br.ID}
	for _, c := range children {
		r.pids = append(r.pids, c.Process.Pid)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\titems\titems/s\tp50 ms\tp99 ms\tCPU ms/item\t")

	// 1. Saturated: everything submitted at once.
	fresh, err := r.submitAll(ctx, photos[:*n], 0)
	if err != nil {
		return err
	}
	fresh.row(tw, "fresh images, all at once")
	// 2. Half load: arrivals at half the measured throughput.
	rate := fresh.perSec() / 2
	half, err := r.submitAll(ctx, photos[*n:], time.Duration(float64(time.Second)/rate))
	if err != nil {
		return err
	}
	half.row(tw, fmt.Sprintf("fresh images, half load (%.1f/s)", rate))
	// 3. Re-render after a brand change, derivatives cached.
	cached, err := r.rerender(ctx, *brandDir, tmp, br.ID)
	if err != nil {
		return err
	}
	cached.row(tw, "re-render, images cached")
	// 4. Text-only items, then a brand change re-renders them all.
	textBrand := "benchtext"
	if _, err := r.textItems(ctx, *brandDir, tmp, textBrand, *nText); err != nil {
		return err
	}
	text, err := r.rerender(ctx, *brandDir, tmp, textBrand)
	if err != nil {
		return err
	}
	text.row(tw, "re-render, text only")
	// 5. Pick-up latency: one text item at a time into an idle system.
	idle, err := r.oneAtATime(ctx, textBrand, 20)
	if err != nil {
		return err
	}
	idle.row(tw, "one text item at a time, idle")
	tw.Flush()

	// The pipeline's own peak, before the serial table below adds its
	// renderers and caches to this process.
	fmt.Fprintf(m.Stdout, "\npeak RSS after the pipeline runs: this process %s\n", rssOf(os.Getpid()))

	// CPU per item by channel, measured serially in this process.
	fmt.Fprintln(m.Stdout)
	sample, err := readPhotos(photos[:min(8, len(photos))])
	if err != nil {
		return err
	}
	if err := benchCPU(m.Stdout, br, rs, sample); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "\npeak RSS: this process %s", rssOf(os.Getpid()))
	for _, c := range children {
		fmt.Fprintf(m.Stdout, ", worker %d %s", c.Process.Pid, rssOf(c.Process.Pid))
	}
	fmt.Fprintln(m.Stdout)
	return nil
}

type benchRun struct {
	db    *store.DB
	p     *app.Service
	brand string
	seq   int
	pids  []int // worker processes, whose CPU counts too
}

type benchResult struct {
	items   int
	elapsed time.Duration
	lat     []time.Duration
	cpu     time.Duration // all processes: submitting, queueing, rendering, storing
}

func (b benchResult) perSec() float64 { return float64(b.items) / b.elapsed.Seconds() }

func (b benchResult) row(w io.Writer, name string) {
	slices.Sort(b.lat)
	pct := func(q float64) float64 {
		if len(b.lat) == 0 {
			return 0
		}
		return float64(b.lat[min(len(b.lat)-1, int(q*float64(len(b.lat))))].Milliseconds())
	}
	fmt.Fprintf(w, "%s\t%d\t%.1f\t%.0f\t%.0f\t%.1f\t\n", name, b.items, b.perSec(), pct(0.50), pct(0.99),
		float64(b.cpu.Microseconds())/1000/float64(max(b.items, 1)))
}

// submitAll submits one item per photo, every gap apart (0: all at
// once, from a few goroutines), and waits until all are rendered.
func (r *benchRun) submitAll(ctx context.Context, photos []string, gap time.Duration) (benchResult, error) {
	base, err := r.db.CountItems(ctx, store.ItemFilter{Brand: r.brand, Status: store.StatusRendered})
	if err != nil {
		return benchResult{}, err
	}
	start, cpu0 := time.Now(), r.cpu()
	ids := make([]string, len(photos))
	errs := make(chan error, len(photos))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, path := range photos {
		if gap > 0 && i > 0 {
			time.Sleep(gap) // pacing arrivals, not waiting for work
		}
		ph, err := os.ReadFile(path)
		if err != nil {
			return benchResult{}, err
		}
		b := r.item(ph)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res, err := r.p.Submit(ctx, app.Bundle{Brand: r.brand, Files: b, Actor: "bench"})
			if err != nil {
				errs <- err
				return
			}
			ids[i] = res.ItemID
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return benchResult{}, err
	}
	return r.wait(ctx, ids, start, cpu0, r.brand, base+len(ids))
}

// wait polls until every item is rendered; latency is from each
// version's submission to the commit that made it rendered.
func (r *benchRun) wait(ctx context.Context, ids []string, start time.Time, cpu0 time.Duration, brand string, target int) (benchResult, error) {
	deadline := time.Now().Add(15 * time.Minute)
	var res benchResult
	// Wait on one cheap count query, so the bench's polling does not
	// steal the workers' CPU; per-item figures are read once at the end.
	for len(ids) > 1 {
		n, err := r.db.CountItems(ctx, store.ItemFilter{Brand: brand, Status: store.StatusRendered})
		if err != nil {
			return res, err
		}
		if failed, _ := r.db.CountItems(ctx, store.ItemFilter{Brand: brand, Status: store.StatusFailed}); failed > 0 {
			return res, fmt.Errorf("%d items of %s failed to render", failed, brand)
		}
		if n >= target {
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("only %d of %d rendered after 15 minutes", n, target)
		}
		// Seldom: elapsed time and latencies come from the items' own
		// timestamps, not from when this loop sees them.
		time.Sleep(100 * time.Millisecond)
	}
	for {
		done := 0
		res.lat = res.lat[:0]
		var last time.Time
		for _, id := range ids {
			it, err := r.db.Item(ctx, id)
			if err != nil {
				return res, err
			}
			switch it.Status {
			case store.StatusFailed:
				return res, fmt.Errorf("%s failed to render", id)
			case store.StatusRendered:
				done++
				vs, err := r.db.Versions(ctx, id)
				if err != nil {
					return res, err
				}
				from := vs[0].CreatedAt
				if from.Before(start) {
					from = start // a re-render: measured from the brand change
				}
				res.lat = append(res.lat, it.UpdatedAt.Sub(from))
				if it.UpdatedAt.After(last) {
					last = it.UpdatedAt
				}
			}
		}
		if done == len(ids) {
			res.items, res.elapsed = done, last.Sub(start)
			res.cpu = r.cpu() - cpu0
			return res, nil
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("only %d of %d rendered after 15 minutes", done, len(ids))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// textItems stores a copy of the brand under id and n text-only items
// for it, and waits until they are rendered.
func (r *benchRun) textItems(ctx context.Context, brandDir, tmp, id string, n int) (benchResult, error) {
	if _, err := copyKit(brandDir, filepath.Join(tmp, id), ""); err != nil {
		return benchResult{}, err
	}
	if _, _, err := r.p.ImportBrand(ctx, filepath.Join(tmp, id), "bench"); err != nil {
		return benchResult{}, err
	}
	start, cpu0 := time.Now(), r.cpu()
	ids := make([]string, 0, n)
	for i := range n {
		res, err := r.p.Submit(ctx, app.Bundle{Brand: id, Actor: "bench", Files: map[string][]byte{"index.md": fmt.Appendf(nil,
			"---\ntitle: Opening hours note %d\ntags: [news]\n---\nThe shop opens at nine on weekdays and at ten on Saturdays.\n\nSee you there.\n", i)}})
		if err != nil {
			return benchResult{}, err
		}
		ids = append(ids, res.ItemID)
	}
	return r.wait(ctx, ids, start, cpu0, id, n)
}

// oneAtATime submits n text items, each after the previous one is
// rendered: the latency of an idle system, dominated by queue pick-up.
func (r *benchRun) oneAtATime(ctx context.Context, brand string, n int) (benchResult, error) {
	var all benchResult
	start, cpu0 := time.Now(), r.cpu()
	for i := range n {
		res, err := r.p.Submit(ctx, app.Bundle{Brand: brand, Actor: "bench", Files: map[string][]byte{"index.md": fmt.Appendf(nil,
			"---\ntitle: Idle note %d\n---\nA single short note.\n", i)}})
		if err != nil {
			return all, err
		}
		one, err := r.wait(ctx, []string{res.ItemID}, time.Now(), 0, brand, 1)
		if err != nil {
			return all, err
		}
		all.lat = append(all.lat, one.lat...)
	}
	all.items, all.elapsed, all.cpu = n, time.Since(start), r.cpu()-cpu0
	return all, nil
}

// rerender changes the brand kit (a comment in brand.yaml) and times
// until every item of the brand is rendered again.
func (r *benchRun) rerender(ctx context.Context, brandDir, tmp, id string) (benchResult, error) {
	dir := filepath.Join(tmp, "rerender-"+id, id)
	if _, err := copyKit(brandDir, dir, fmt.Sprintf("# bench change %d\n", time.Now().UnixNano())); err != nil {
		return benchResult{}, err
	}
	// List first: the order changes as items re-render.
	var ids []string
	for {
		items, err := r.db.Items(ctx, store.ItemFilter{Brand: id, Limit: 1000, Offset: len(ids)})
		if err != nil {
			return benchResult{}, err
		}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		if len(items) < 1000 {
			break
		}
	}
	start, cpu0 := time.Now(), r.cpu()
	_, res, err := r.p.ImportBrand(ctx, dir, "bench")
	if err != nil {
		return benchResult{}, err
	}
	if res.Items == 0 {
		return benchResult{}, fmt.Errorf("brand %s: nothing to re-render", id)
	}
	return r.wait(ctx, ids, start, cpu0, id, len(ids))
}

// startWorkerProcs starts n `crosscast worker` processes of concurrency
// tasks each on the benchmark's services, with env added to their
// environment; stop sends each SIGTERM and waits for it.
func (m *Main) startWorkerProcs(ctx context.Context, n, concurrency int, redisURL, dsn string, env map[string]string) (children []*exec.Cmd, stop func(), err error) {
	stop = func() {
		for _, c := range children {
			c.Process.Signal(syscall.SIGTERM)
			c.Wait()
		}
	}
	for range n {
		cmd := exec.CommandContext(ctx, os.Args[0], "worker", "--concurrency", strconv.Itoa(concurrency))
		cmd.Env = append(os.Environ(), envRedis+"="+redisURL, envDatabase+"="+dsn, envLogLevel+"=warn")
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stderr = m.Stderr
		if err := cmd.Start(); err != nil {
			stop()
			return nil, nil, err
		}
		children = append(children, cmd)
	}
	return children, stop, nil
}

// benchServices opens the benchmarks' services: the configured ones,
// else the embedded pair, which worker processes on this machine can
// share (miniredis listens on TCP, SQLite in WAL mode takes several
// processes). The store is migrated; closeAll closes both.
func benchServices(ctx context.Context, cfg Config, tmp string) (dsn, redisURL string, ropt asynq.RedisConnOpt, db *store.DB, closeAll func(), err error) {
	var closers []func()
	closeAll = func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	dsn = cfg.DatabaseURL
	if dsn == "" {
		dsn = filepath.Join(tmp, "bench.db")
	}
	redisURL = cfg.RedisURL
	if redisURL == "" {
		mr := miniredis.NewMiniRedis()
		if err = mr.StartAddr("127.0.0.1:0"); err != nil {
			return
		}
		closers = append(closers, mr.Close)
		redisURL = "redis://" + mr.Addr()
	}
	if ropt, err = asynq.ParseRedisURI(redisURL); err != nil {
		return
	}
	if db, err = store.Open(ctx, dsn); err != nil {
		return
	}
	closers = append(closers, func() { db.Close() })
	_, err = db.Migrate(ctx)
	return
}
