package publish

import (
	"context"
	"sync"
	"time"
)

// PoolIdle is how long a pooled SMTP connection may sit unused before
// it is closed rather than reused (servers drop idle sessions after a
// few minutes; a dead one would cost a failed message to find out).
const PoolIdle = 30 * time.Second

// smtpPool keeps up to max open connections to one submission server,
// reused across batches. Slots bound the connections open at once,
// idle ones included.
type smtpPool struct {
	srv   *SMTP
	slots chan struct{}
	mu    sync.Mutex
	idle  []pooled
	now   func() time.Time
}

type pooled struct {
	c    *SMTPConn
	used time.Time
}

func newSMTPPool(srv *SMTP, max int) *smtpPool {
	return &smtpPool{srv: srv, slots: make(chan struct{}, max), now: time.Now}
}

// get returns an open connection: an idle one (reset, so no
// transaction of its last user lingers), or a new one. Put it back.
func (p *smtpPool) get(ctx context.Context) (*SMTPConn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		p.mu.Lock()
		var c pooled // a copy: the slot is reused by the next put
		if n := len(p.idle); n > 0 {
			c = p.idle[n-1]
			p.idle = p.idle[:n-1]
		}
		p.mu.Unlock()
		if c.c == nil {
			break
		}
		if p.now().Sub(c.used) < PoolIdle && c.c.Reset() == nil {
			return c.c, nil
		}
		c.c.Close()
	}
	c, err := p.srv.Dial(ctx)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

// put returns a connection; a broken one (ok false) is closed instead.
func (p *smtpPool) put(c *SMTPConn, ok bool) {
	defer func() { <-p.slots }()
	if !ok {
		c.Close()
		return
	}
	now := p.now()
	p.mu.Lock()
	// Connections idle too long go now, the oldest first.
	var stale []*SMTPConn
	for len(p.idle) > 0 && now.Sub(p.idle[0].used) >= PoolIdle {
		stale = append(stale, p.idle[0].c)
		p.idle = p.idle[1:]
	}
	p.idle = append(p.idle, pooled{c: c, used: now})
	p.mu.Unlock()
	for _, s := range stale {
		s.Close()
	}
}

// close ends every idle connection.
func (p *smtpPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.c.Close()
	}
}
