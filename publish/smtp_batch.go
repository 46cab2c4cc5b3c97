package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/email"
)

// Defaults of a target's batch sending.
const (
	DefaultBatch       = 500
	DefaultConnections = 10
	DefaultRate        = 10
)

// Outcome is one recipient's result for the ledger. Status pending puts
// a claimed recipient back: its message surely did not go out.
type Outcome struct {
	Address, Status, MessageID, Error string
}

// BatchLedger records one batch's recipients, a message at a time.
type BatchLedger interface {
	// Step records done (nil: nothing) and claims next ("": nothing) in
	// one go, reporting whether next was claimed; false means it must be
	// skipped (no longer pending).
	Step(ctx context.Context, done *Outcome, next string) (bool, error)
}

// Batch is one batch of an email delivery to send.
type Batch struct {
	Job
	// Recipients are the batch's recipients still pending, in order.
	Recipients []Recipient
	Ledger     BatchLedger
	// Limiter paces the target's and its domains' rates; nil: this
	// publisher's own, per process.
	Limiter Limiter
	// Stop is when to stop claiming recipients (the run's deadline
	// near); the rest are left for another run. Zero: never.
	Stop time.Time
}

// BatchResult counts what a run of a batch did.
type BatchResult struct {
	Sent, Failed, Unknown int
	Left                  int // not sent this run (deadline, 4xx retries used up); still pending
	Conns                 int // connections it sent over at once
}

// PoolSize is the connections each process keeps to target t's server.
func PoolSize(t content.Target) int {
	if t.Connections > 0 {
		return t.Connections
	}
	return DefaultConnections
}

// BatchSize is how many recipients one batch of target t holds.
func BatchSize(t content.Target) int {
	if t.Batch > 0 {
		return t.Batch
	}
	return DefaultBatch
}

// maxTempRetries is how often one message is tried again on a 4xx or a
// dropped connection before it is left for the batch's next run.
const maxTempRetries = 4

// SendBatch sends a batch over up to the target's connections at once,
// from this process's pool. Each recipient is claimed just before its
// message goes out and recorded with the next claim, so a crash leaves
// unknown only the messages in flight. The message is prepared once per
// delivery and process; each recipient's is written into one buffer.
// A 4xx slows the connection (exponential back-off), the recipient's
// domain and the target's rate; the message is tried again a few times.
// An error (the server or the rate limiter unreachable) stops the run;
// what was not sent stays pending.
func (s *SMTPPublisher) SendBatch(ctx context.Context, b Batch) (BatchResult, error) {
	var res BatchResult
	t := b.Target
	srv, err := s.server(&b.Job)
	if err != nil {
		return res, err
	}
	returnPath, err := returnPather(b.Job)
	if err != nil {
		return res, err
	}
	tpl, err := s.template(ctx, b.Job)
	if err != nil {
		return res, err
	}
	lim := b.Limiter
	if lim == nil {
		lim = &s.local
	}
	pool := s.pool(b.Brand.ID, t, srv)
	keep, parent := context.WithoutCancel(ctx), ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	work := make(chan Recipient)
	go func() {
		defer close(work)
		for _, r := range b.Recipients {
			select {
			case work <- r:
			case <-ctx.Done():
				return
			}
		}
	}()
	var sent, failed, unknown, pending, handled atomic.Int64
	tally := func(st string) {
		switch st {
		case StatusSent:
			sent.Add(1)
		case StatusFailed:
			failed.Add(1)
		case StatusUnknown:
			unknown.Add(1)
		case StatusPending:
			pending.Add(1)
		}
	}
	rateKey := "smtp:" + b.Brand.ID + "/" + t.ID
	perSecond := t.Rate
	if perSecond <= 0 {
		perSecond = DefaultRate
	}
	ad := s.adaptive(rateKey)
	conns := min(PoolSize(t), len(b.Recipients))
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &batchConn{pool: pool}
			defer c.release()
			var done *Outcome
			defer func() {
				if done != nil {
					if _, err := b.Ledger.Step(keep, done, ""); err != nil {
						cancel(err)
					}
					tally(done.Status)
				}
			}()
			var buf bytes.Buffer
			for r := range work {
				if ctx.Err() != nil || (!b.Stop.IsZero() && time.Now().After(b.Stop)) {
					continue // left pending for the next run
				}
				// The connection first, then the pace, then the claim: a
				// recipient is claimed only when its message can go out at
				// once, so a crash leaves unknown no more than one message
				// per open connection.
				if _, err := c.get(ctx); err != nil {
					cancel(err)
					continue
				}
				domain := domainOf(r.Address)
				if err := s.pace(ctx, lim, rateKey, perSecond*ad.factor(), t, domain); err != nil {
					cancel(err)
					continue
				}
				claimed, err := b.Ledger.Step(ctx, done, r.Address)
				if err != nil {
					cancel(err)
					continue
				}
				if done != nil {
					tally(done.Status)
				}
				done = nil
				handled.Add(1)
				if !claimed {
					continue
				}
				o, err := s.sendOne(ctx, c, &buf, b.Job, tpl, returnPath, r, ad, domain)
				done = &o
				if err != nil {
					cancel(err)
				}
			}
		}()
	}
	wg.Wait()
	res.Sent, res.Failed, res.Unknown = int(sent.Load()), int(failed.Load()), int(unknown.Load())
	// Left: never reached, or claimed and put back (4xx retries used up).
	res.Left = len(b.Recipients) - int(handled.Load()) + int(pending.Load())
	res.Conns = conns
	if err := parent.Err(); err != nil {
		return res, err
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	return res, nil
}

// batchConn is one sending goroutine's connection from the pool.
type batchConn struct {
	pool *smtpPool
	c    *SMTPConn
}

func (bc *batchConn) get(ctx context.Context) (*SMTPConn, error) {
	if bc.c == nil {
		c, err := bc.pool.get(ctx)
		if err != nil {
			return nil, err
		}
		bc.c = c
	}
	return bc.c, nil
}

// drop closes a connection that cannot be trusted any more.
func (bc *batchConn) drop() {
	if bc.c != nil {
		bc.pool.put(bc.c, false)
		bc.c = nil
	}
}

func (bc *batchConn) release() {
	if bc.c != nil {
		bc.pool.put(bc.c, true)
		bc.c = nil
	}
}

// sendOne sends one claimed recipient's message and says how it ended.
// An error means the run must stop (the server cannot be reached); the
// outcome is then pending, as the message surely did not go out.
func (s *SMTPPublisher) sendOne(ctx context.Context, c *batchConn, buf *bytes.Buffer, j Job, tpl *preparedEmail,
	returnPath func(string) (string, error), r Recipient, ad *adaptive, domain string) (Outcome, error) {
	o := Outcome{Address: r.Address}
	unsub := recipientUnsubscribe(j.Links.Unsubscribe, r.Token)
	buf.Reset()
	// Date is when the message goes out, not the item's date.
	query := ""
	if j.LinkQuery != nil {
		query = j.LinkQuery.For(r.Address)
	}
	if err := tpl.t.WriteFor(buf, r.Address, unsub, j.Now(), query); err != nil {
		o.Status, o.Error = StatusFailed, err.Error()
		return o, nil
	}
	from, err := returnPath(r.Address)
	if err != nil {
		o.Status, o.Error = StatusFailed, err.Error()
		return o, nil
	}
	var last error
	for attempt := range maxTempRetries + 1 {
		if attempt > 0 {
			// Back off on this connection: 100 ms, 200 ms, 400 ms, …
			if err := sleepCtx(ctx, time.Duration(100<<(attempt-1))*time.Millisecond); err != nil {
				o.Status, o.Error = StatusPending, err.Error()
				return o, err
			}
		}
		if err := s.domainWait(ctx, domain); err != nil {
			o.Status, o.Error = StatusPending, err.Error()
			return o, err
		}
		conn, err := c.get(ctx)
		if err != nil {
			// A permanent error (no STARTTLS, a refused login) stops the
			// run as any other does: no run can send.
			o.Status, o.Error = StatusPending, err.Error()
			return o, err
		}
		err = conn.Send(from, r.Address, buf.Bytes())
		switch {
		case err == nil:
			ad.ok()
			o.Status, o.MessageID = StatusSent, tpl.id
			return o, nil
		case errors.Is(err, ErrAmbiguous):
			c.drop()
			o.Status, o.Error = StatusUnknown, err.Error()
			return o, nil
		case IsPermanent(err):
			o.Status, o.Error = StatusFailed, err.Error()
			return o, nil
		}
		last = err
		if code := SMTPCode(err); code >= 400 {
			// The server is busy or limiting us: slow down everywhere.
			ad.slow()
			s.domainBackoff(domain, time.Duration(200<<attempt)*time.Millisecond)
			if code == 421 {
				c.drop() // 421 closes the session
			}
		} else {
			c.drop() // the connection broke before the message went out
		}
	}
	o.Status, o.Error = StatusPending, last.Error()
	return o, nil
}

// pace waits for the target's rate, and the recipient's domain's cap
// where the target sets one.
func (s *SMTPPublisher) pace(ctx context.Context, lim Limiter, key string, perSecond float64, t content.Target, domain string) error {
	if err := lim.Wait(ctx, key, perSecond); err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if r, ok := t.DomainRates[domain]; ok {
		if err := lim.Wait(ctx, key+"@"+domain, r); err != nil {
			return fmt.Errorf("rate limit for %s: %w", domain, err)
		}
	}
	return nil
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return strings.ToLower(d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// adaptive scales a target's rate in this process: down by a third on
// every 4xx, back up slowly with each message taken, so a relay that
// pushes back is sent to more slowly instead of being hammered until
// tasks time out.
type adaptive struct {
	mu sync.Mutex
	f  float64
}

func (a *adaptive) factor() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.f
}

func (a *adaptive) slow() {
	a.mu.Lock()
	a.f = max(a.f*2/3, 0.05)
	a.mu.Unlock()
}

func (a *adaptive) ok() {
	a.mu.Lock()
	a.f = min(a.f+0.002, 1)
	a.mu.Unlock()
}

// maxKeys bounds the per-target and per-domain state a process keeps.
const maxKeys = 10_000

func (s *SMTPPublisher) adaptive(key string) *adaptive {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adapt == nil || len(s.adapt) >= maxKeys {
		s.adapt = map[string]*adaptive{}
	}
	a, ok := s.adapt[key]
	if !ok {
		a = &adaptive{f: 1}
		s.adapt[key] = a
	}
	return a
}

// domainBackoff holds messages to domain for d (longer holds win).
func (s *SMTPPublisher) domainBackoff(domain string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.backoff == nil || len(s.backoff) >= maxKeys {
		s.backoff = map[string]time.Time{}
	}
	if until := time.Now().Add(d); until.After(s.backoff[domain]) {
		s.backoff[domain] = until
	}
}

// domainWait waits out a back-off on domain.
func (s *SMTPPublisher) domainWait(ctx context.Context, domain string) error {
	s.mu.Lock()
	until := s.backoff[domain]
	s.mu.Unlock()
	if d := time.Until(until); d > 0 {
		return sleepCtx(ctx, d)
	}
	return nil
}

// pool returns this process's connection pool to the target's server.
func (s *SMTPPublisher) pool(brand string, t content.Target, srv *SMTP) *smtpPool {
	key := brand + "/" + t.ID + "/" + srv.Host + ":" + strconv.Itoa(srv.Port) + "/" + srv.Username + "/" + strconv.FormatBool(srv.Implicit)
	size := PoolSize(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pools == nil {
		s.pools = map[string]*smtpPool{}
	}
	p, ok := s.pools[key]
	if ok && cap(p.slots) == size && p.srv.Password == srv.Password {
		return p
	}
	if ok {
		p.close() // settings changed: new connections from now on
	}
	p = newSMTPPool(srv, size)
	s.pools[key] = p
	return p
}

// Close ends the idle pooled connections.
func (s *SMTPPublisher) Close() {
	s.mu.Lock()
	pools := s.pools
	s.pools = nil
	s.mu.Unlock()
	for _, p := range pools {
		p.close()
	}
}

// preparedEmail is a delivery's message, prepared once per process.
type preparedEmail struct {
	t  *email.Template
	id string // Message-ID
}

// maxTemplates bounds the prepared messages a process keeps.
const maxTemplates = 32

// template returns the delivery's message with its links tracked, made
// (and its tracked links stored) on first use in this process.
func (s *SMTPPublisher) template(ctx context.Context, j Job) (*preparedEmail, error) {
	key := j.Delivery.Key + "\x00" + strconv.Itoa(j.Delivery.Version)
	s.mu.Lock()
	p, ok := s.templates[key]
	s.mu.Unlock()
	if ok {
		return p, nil
	}
	msg, err := trackedEmail(ctx, j)
	if err != nil {
		return nil, err
	}
	if err := j.Track.Save(ctx); err != nil {
		return nil, err
	}
	prefix := ""
	if j.LinkQuery != nil {
		prefix = j.LinkQuery.Prefix
	}
	p = &preparedEmail{t: msg.Template(prefix), id: msg.MessageID()}
	s.mu.Lock()
	if s.templates == nil || len(s.templates) >= maxTemplates {
		s.templates = map[string]*preparedEmail{}
	}
	s.templates[key] = p
	s.mu.Unlock()
	return p, nil
}
