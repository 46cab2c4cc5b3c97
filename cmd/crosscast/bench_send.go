package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

// benchSend implements `crosscast bench send`: one newsletter to a list
// of generated subscribers, sent by worker processes through a loopback
// SMTP sink that this process runs, which holds every message for the
// given latency and answers some with 451. It reports messages a second,
// the connections in use at once, CPU per 1,000 messages and peak RSS,
// and checks the ledger and the sink agree: everyone sent, nobody twice.
func (m *Main) benchSend(ctx context.Context, cfg Config, args []string) error {
	fset := flag.NewFlagSet("bench send", flag.ContinueOnError)
	n := fset.Int("recipients", 20_000, "subscribers on the list")
	latency := fset.Duration("latency", 20*time.Millisecond, "time the sink takes to accept each message")
	failEvery := fset.Int("fail-every", 1000, "answer every n-th message with 451 (0: never)")
	procs := fset.Int("procs", 2, "separate worker processes; 0 runs the workers in this process")
	conc := fset.Int("concurrency", 4, "tasks run at once per worker process")
	rateFlag := fset.Float64("rate", 100_000, "the target's rate: messages a second across every process")
	conns := fset.Int("connections", 25, "SMTP connections per worker process")
	batch := fset.Int("batch", 500, "recipients per batch")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tmp, err := os.MkdirTemp("", "crosscast-bench-send-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	sink, err := newBenchSink(*latency, *failEvery)
	if err != nil {
		return err
	}
	defer sink.srv.Close()
	ca := filepath.Join(tmp, "sink-ca.pem")
	if err := os.WriteFile(ca, sink.certPEM, 0o600); err != nil {
		return err
	}

	dsn, redisURL, ropt, db, closeServices, err := benchServices(ctx, cfg, tmp)
	if err != nil {
		return err
	}
	defer closeServices()
	const brand = "sendbench"
	host, port, _ := net.SplitHostPort(sink.addr)
	env := map[string]string{
		"CROSSCAST_SENDBENCH__SMTP_HOST": host,
		"CROSSCAST_SENDBENCH__SMTP_PORT": port,
		envSMTPCA:                        ca,
		envSites:                         filepath.Join(tmp, "sites"),
	}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	cfg.Getenv, cfg.SMTPCA, cfg.Sites = getenv, ca, env[envSites]
	a, err := newApp(cfg, db, ropt, log, nil, "")
	if err != nil {
		return err
	}
	defer a.Close()
	p := a.svc
	kit, err := copyKit("examples/kestrel", filepath.Join(tmp, brand), fmt.Sprintf(`
targets:
  newsletter:
    kind: smtp
    host_env: CROSSCAST_SENDBENCH__SMTP_HOST
    port_env: CROSSCAST_SENDBENCH__SMTP_PORT
    to: subscribers
    rate: %g
    batch: %d
    connections: %d
`, *rateFlag, *batch, *conns))
	if err != nil {
		return err
	}
	if _, _, err := p.ImportBrand(ctx, kit, "bench"); err != nil {
		return err
	}

	fmt.Fprintf(m.Stderr, "adding %d subscribers…\n", *n)
	t0 := time.Now()
	if err := benchSubscribers(ctx, db, brand, *n); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "  %s\n", time.Since(t0).Round(time.Millisecond))

	where := "in this process"
	var children []*exec.Cmd
	if *procs == 0 {
		srv := a.handler.NewServer(ropt, worker.ServerConfig{Concurrency: *conc})
		if err := srv.Start(a.handler.Mux()); err != nil {
			return err
		}
		defer srv.Shutdown()
	} else {
		where = fmt.Sprintf("in %d worker processes", *procs)
		var stop func()
		if children, stop, err = m.startWorkerProcs(ctx, *procs, *conc, redisURL, dsn, env); err != nil {
			return err
		}
		defer stop()
	}
	// This process plays the web node: it plans, and reconciles.
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go worker.RunReconciler(rctx, p, nil, 5*time.Second, 30*time.Second)

	res, err := p.Submit(ctx, app.Bundle{Brand: brand, Actor: "bench", Files: map[string][]byte{"index.md": []byte(
		"---\ntitle: The huts open on Friday\ntags: [news]\n---\nThe mountain huts open on Friday. Bring a sleeping bag liner.\n\nSee you on the trail.\n")}})
	if err != nil {
		return err
	}
	if err := benchUntil(ctx, 5*time.Minute, func() (bool, error) {
		it, err := db.Item(ctx, res.ItemID)
		return err == nil && it.Status == store.StatusRendered, err
	}); err != nil {
		return fmt.Errorf("rendering the newsletter: %w", err)
	}
	cpu0 := benchCPUOf(children)
	start := time.Now()
	sink.start(start)
	if _, err := p.Schedule(ctx, res.ItemID, 0, time.Time{}, "bench"); err != nil {
		return err
	}
	key := store.DeliveryKey(res.ItemID, 1, "email", "newsletter", "")
	var prog store.Progress
	var d *store.Delivery
	lastPrint := time.Now()
	if err := benchUntil(ctx, 4*time.Hour, func() (bool, error) {
		var err error
		if d, err = db.Delivery(ctx, key); err != nil {
			return false, err
		}
		// Counting a long list's recipients is a scan: every 10 s only,
		// so the bench does not slow what it measures.
		if time.Since(lastPrint) > 10*time.Second {
			lastPrint = time.Now()
			if prog, err = p.DeliveryProgress(ctx, d); err != nil {
				return false, err
			}
			fmt.Fprintf(m.Stderr, "  %s: %d sent, %d remaining, %.0f/s\n", time.Since(start).Round(time.Second), prog.Sent, prog.Remaining, prog.PerSecond)
		}
		return d.Status != store.DelSending && d.Status != store.DelPending, nil
	}); err != nil {
		return err
	}
	if prog, err = p.DeliveryProgress(ctx, d); err != nil {
		return err
	}
	elapsed := time.Since(start)
	cpu := benchCPUOf(children) - cpu0
	if *procs == 0 {
		cpu = cpuTime() - cpu0 // the sink's share included
	}
	st := sink.stats()

	fmt.Fprintf(m.Stdout, "crosscast bench send: %d recipients, sink latency %s, 451 every %d messages, workers %s (concurrency %d, %d connections each), rate %g/s, batches of %d, %s, GOMAXPROCS %d\n\n",
		*n, *latency, *failEvery, where, *conc, *conns, *rateFlag, *batch, db.Kind(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(m.Stdout, "delivery             %s (%s)\n", d.Status, d.Error)
	fmt.Fprintf(m.Stdout, "ledger               %d sent, %d failed, %d unknown, %d remaining\n", prog.Sent, prog.Failed, prog.Unknown, prog.Remaining)
	if prog.Failed+prog.Unknown > 0 {
		rs, err := db.DeliveryRecipients(ctx, d)
		if err != nil {
			return err
		}
		shown := 0
		for _, r := range rs {
			if r.Status != store.DelSent && shown < 3 {
				fmt.Fprintf(m.Stdout, "  %s %s: %s\n", r.Address, r.Status, r.Error)
				shown++
			}
		}
	}
	fmt.Fprintf(m.Stdout, "sink                 %d accepted, %d distinct, %d received twice or more, %d answered 451\n", st.accepted, st.distinct, st.doubled, st.refused)
	fmt.Fprintf(m.Stdout, "schedule → final     %s\n", elapsed.Round(time.Millisecond))
	fmt.Fprintf(m.Stdout, "messages/s           %.0f overall, %.0f sustained (median second, first to last message)\n", float64(st.accepted)/elapsed.Seconds(), st.sustained)
	fmt.Fprintf(m.Stdout, "parallel connections %.1f effective (time inside DATA / wall time), %d at most\n", st.effective, st.maxConc)
	if st.accepted > 0 {
		fmt.Fprintf(m.Stdout, "CPU per 1,000 msgs   %.0f ms (%s)\n", float64(cpu.Milliseconds())*1000/float64(st.accepted),
			map[bool]string{true: "worker processes", false: "this process, sink included"}[*procs > 0])
	}
	fmt.Fprintf(m.Stdout, "peak RSS             this process %s", rssOf(os.Getpid()))
	for _, c := range children {
		fmt.Fprintf(m.Stdout, ", worker %d %s", c.Process.Pid, rssOf(c.Process.Pid))
	}
	fmt.Fprintln(m.Stdout)
	if prog.Sent != *n || st.distinct != *n || st.doubled > 0 {
		return fmt.Errorf("bench send: %d recipients, %d sent in the ledger, %d distinct at the sink, %d doubled", *n, prog.Sent, st.distinct, st.doubled)
	}
	return nil
}

// benchCPUOf sums the CPU time of the worker processes.
func benchCPUOf(cs []*exec.Cmd) time.Duration {
	if len(cs) == 0 {
		return cpuTime()
	}
	var t time.Duration
	for _, c := range cs {
		t += cpuOf(c.Process.Pid)
	}
	return t
}

// benchUntil polls cond every 200 ms until it holds or d passes.
func benchUntil(ctx context.Context, d time.Duration, cond func() (bool, error)) error {
	end := time.Now().Add(d)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(end) {
			return fmt.Errorf("not done after %s", d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// benchSubscribers puts n confirmed subscribers on brand's list, in
// imports of 5,000.
func benchSubscribers(ctx context.Context, db *store.DB, brand string, n int) error {
	const chunk = 5000
	for i := 0; i < n; i += chunk {
		rows := make([]store.ImportRow, 0, chunk)
		for j := i; j < min(i+chunk, n); j++ {
			rows = append(rows, store.ImportRow{Line: j + 1, Join: store.Join{BrandID: brand, Address: fmt.Sprintf("reader%07d@example.net", j),
				Confirmed: true, Consent: store.Consent{Source: store.ConsentAPI, Wording: "bench"}}})
		}
		res, err := db.ImportSubscribers(ctx, rows, false)
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("subscribers: %v", res.Errors[0])
		}
	}
	return nil
}

// benchSink is a loopback submission server (STARTTLS, no AUTH) that
// accepts every message after a delay, answers every failEvery-th with
// 451, and counts each recipient by a 64-bit hash of the address, so a
// million recipients cost a few tens of MB.
type benchSink struct {
	srv       *smtp.Server
	addr      string
	certPEM   []byte
	latency   time.Duration
	failEvery int

	mu       sync.Mutex
	seen     map[uint64]uint8
	perSec   []int
	began    time.Time
	first    time.Time
	last     time.Time
	refused  int
	inData   atomic.Int64 // nanoseconds spent inside DATA, summed over sessions
	conc     atomic.Int64
	maxConc  atomic.Int64
	messages atomic.Int64
}

func newBenchSink(latency time.Duration, failEvery int) (*benchSink, error) {
	cert, certPEM, err := benchCert()
	if err != nil {
		return nil, err
	}
	s := &benchSink{certPEM: certPEM, latency: latency, failEvery: failEvery, seen: map[uint64]uint8{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &benchSession{s: s}, nil }))
	s.srv.Domain = "127.0.0.1"
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.MaxRecipients = 1
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = l.Addr().String()
	go s.srv.Serve(l)
	return s, nil
}

func (s *benchSink) start(t time.Time) {
	s.mu.Lock()
	s.began = t
	s.mu.Unlock()
}

type benchSinkStats struct {
	accepted, distinct, doubled, refused int
	sustained, effective                 float64
	maxConc                              int64
}

func (s *benchSink) stats() benchSinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := benchSinkStats{refused: s.refused, maxConc: s.maxConc.Load()}
	for _, c := range s.seen {
		st.accepted += int(c)
		st.distinct++
		if c > 1 {
			st.doubled++
		}
	}
	if s.first.IsZero() {
		return st
	}
	// The seconds from the first message to the last, whole ones only.
	lo, hi := int(s.first.Sub(s.began)/time.Second)+1, int(s.last.Sub(s.began)/time.Second)
	if hi > lo && hi <= len(s.perSec) {
		secs := slices.Clone(s.perSec[lo:hi])
		slices.Sort(secs)
		st.sustained = float64(secs[len(secs)/2])
	} else if d := s.last.Sub(s.first).Seconds(); d > 0 {
		st.sustained = float64(st.accepted) / d
	}
	if wall := s.last.Sub(s.began).Seconds(); wall > 0 {
		st.effective = time.Duration(s.inData.Load()).Seconds() / wall
	}
	return st
}

type benchSession struct {
	s  *benchSink
	to string
}

func (x *benchSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *benchSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}

func (x *benchSession) Data(r io.Reader) error {
	s := x.s
	began := time.Now()
	c := s.conc.Add(1)
	for m := s.maxConc.Load(); c > m && !s.maxConc.CompareAndSwap(m, c); m = s.maxConc.Load() {
	}
	defer func() {
		s.conc.Add(-1)
		s.inData.Add(int64(time.Since(began)))
	}()
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	time.Sleep(s.latency) // the relay's work
	if k := s.messages.Add(1); s.failEvery > 0 && k%int64(s.failEvery) == 0 {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy, try again later"}
	}
	h := fnv.New64a()
	h.Write([]byte(x.to))
	now := time.Now()
	s.mu.Lock()
	s.seen[h.Sum64()]++
	if s.first.IsZero() {
		s.first = now
	}
	s.last = now
	if !s.began.IsZero() {
		sec := int(now.Sub(s.began) / time.Second)
		for len(s.perSec) <= sec {
			s.perSec = append(s.perSec, 0)
		}
		s.perSec[sec]++
	}
	s.mu.Unlock()
	return nil
}

func (x *benchSession) Reset()        { x.to = "" }
func (x *benchSession) Logout() error { return nil }

// benchCert makes a self-signed certificate for 127.0.0.1.
func benchCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "crosscast bench SMTP sink"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:        true, BasicConstraintsValid: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		return tls.Certificate{}, nil, errors.Join(errors.New("bench sink certificate"), err)
	}
	return cert, certPEM, nil
}
