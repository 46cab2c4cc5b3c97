package bounce

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// POP3 reads a bounce mailbox (RFC 1939) over TLS: implicit (port 995)
// or STLS (RFC 2595) on port 110; it never logs in over a plain
// connection. Each poll reads at most MaxMessages, hands each to a
// function, and deletes those it took.
type POP3 struct {
	Addr               string // host:port
	Username, Password string
	// STLS upgrades a plain connection instead of starting with TLS.
	STLS bool
	// TLSConfig is for tests with their own CA; nil verifies against
	// the system roots.
	TLSConfig *tls.Config
	// MaxMessages bounds the messages read per poll; 0: 100.
	MaxMessages int
	// MaxSize skips (and leaves) messages larger than this; 0: 4 MiB.
	MaxSize int
	// Timeout bounds each command; 0: 30 s.
	Timeout time.Duration
}

// POP3FromEnv configures a reader from CROSSCAST_BOUNCE_POP3_ADDR,
// _USER, _PASSWORD and _STLS (true for STLS on port 110). It returns nil
// when no address is set.
func POP3FromEnv(getenv func(string) string) (*POP3, error) {
	addr := getenv("CROSSCAST_BOUNCE_POP3_ADDR")
	if addr == "" {
		return nil, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("bounce: CROSSCAST_BOUNCE_POP3_ADDR=%q is not host:port", addr)
	}
	p := &POP3{Addr: addr, Username: getenv("CROSSCAST_BOUNCE_POP3_USER"), Password: getenv("CROSSCAST_BOUNCE_POP3_PASSWORD")}
	if p.Username == "" || p.Password == "" {
		return nil, errors.New("bounce: CROSSCAST_BOUNCE_POP3_USER and CROSSCAST_BOUNCE_POP3_PASSWORD are required with CROSSCAST_BOUNCE_POP3_ADDR")
	}
	if v := getenv("CROSSCAST_BOUNCE_POP3_STLS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("bounce: CROSSCAST_BOUNCE_POP3_STLS=%q is not true or false", v)
		}
		p.STLS = b
	}
	return p, nil
}

// PollStats says what one poll did.
type PollStats struct {
	Read, Deleted, Skipped, Failed int
}

// Poll reads the mailbox once. handle gets each message; a message it
// takes is deleted, and so is one it can never take (ErrNotReport: an
// auto-reply; ErrTooLarge: over a parse limit), which would otherwise be
// read again at every poll. One it fails otherwise (the recorder was
// away) is left for the next poll, and so is a message over MaxSize,
// which is not even read. POP3
// deletes only at the end of a session, so a poll cut short deletes
// nothing and the next one reads the same messages again.
func (p *POP3) Poll(ctx context.Context, handle func(ctx context.Context, raw []byte) error) (PollStats, error) {
	var st PollStats
	c, err := p.dial(ctx)
	if err != nil {
		return st, err
	}
	defer c.close()
	if err := c.login(p.Username, p.Password); err != nil {
		return st, err
	}
	sizes, err := c.list()
	if err != nil {
		return st, err
	}
	maxMsgs, maxSize := p.MaxMessages, p.MaxSize
	if maxMsgs <= 0 {
		maxMsgs = 100
	}
	if maxSize <= 0 {
		maxSize = 4 << 20
	}
	for _, m := range sizes {
		// Skipped ones do not count: a pile of them must not keep new
		// reports from being read.
		if st.Read >= maxMsgs {
			break
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if m.size > maxSize {
			st.Skipped++
			continue
		}
		raw, err := c.retr(m.n, maxSize)
		if err != nil {
			return st, err
		}
		st.Read++
		if err := handle(ctx, raw); err != nil && !errors.Is(err, ErrNotReport) && !errors.Is(err, ErrTooLarge) {
			st.Failed++
			continue
		}
		if err := c.cmd("DELE " + strconv.Itoa(m.n)); err != nil {
			return st, err
		}
		st.Deleted++
	}
	// QUIT commits the deletions.
	if err := c.cmd("QUIT"); err != nil {
		st.Deleted = 0
		return st, err
	}
	return st, nil
}

// Run polls every interval until ctx ends, handing each message to
// c.Ingest.
func (p *POP3) Run(ctx context.Context, interval time.Duration, c *Config) {
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		st, err := p.Poll(ctx, func(ctx context.Context, raw []byte) error {
			_, err := c.Ingest(ctx, raw, "")
			if err != nil && !errors.Is(err, ErrNotReport) {
				log.WarnContext(ctx, "bounce: mailbox message", "addr", p.Addr, "err", err)
			}
			return err
		})
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "bounce: mailbox poll", "addr", p.Addr, "err", err)
		} else if st.Read > 0 || st.Skipped > 0 {
			log.InfoContext(ctx, "bounce: mailbox poll", "read", st.Read, "deleted", st.Deleted, "skipped", st.Skipped, "failed", st.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type pop3Conn struct {
	stop    func() bool
	conn    net.Conn
	tp      *textproto.Conn
	timeout time.Duration
}

func (p *POP3) dial(ctx context.Context) (*pop3Conn, error) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	host, _, err := net.SplitHostPort(p.Addr)
	if err != nil {
		return nil, fmt.Errorf("bounce: POP3 address %q: %w", p.Addr, err)
	}
	cfg := p.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	d := &net.Dialer{Timeout: timeout}
	var conn net.Conn
	if p.STLS {
		conn, err = d.DialContext(ctx, "tcp", p.Addr)
	} else {
		conn, err = (&tls.Dialer{NetDialer: d, Config: cfg}).DialContext(ctx, "tcp", p.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("bounce: POP3 connect to %s: %w", p.Addr, err)
	}
	c := &pop3Conn{conn: conn, tp: textproto.NewConn(conn), timeout: timeout}
	// A cancelled context ends the session at once.
	c.stop = context.AfterFunc(ctx, func() { conn.Close() })
	if _, err := c.reply(); err != nil {
		c.close()
		return nil, err
	}
	if p.STLS {
		if err := c.cmd("STLS"); err != nil {
			c.close()
			return nil, fmt.Errorf("bounce: POP3 server refuses STLS; not logging in over a plain connection: %w", err)
		}
		tc := tls.Client(conn, cfg)
		tc.SetDeadline(time.Now().Add(timeout))
		if err := tc.HandshakeContext(ctx); err != nil {
			c.close()
			return nil, fmt.Errorf("bounce: POP3 STLS: %w", err)
		}
		c.conn, c.tp = tc, textproto.NewConn(tc)
	}
	return c, nil
}

func (c *pop3Conn) close() {
	c.stop()
	c.conn.Close()
}

// reply reads a status line: "+OK ..." or "-ERR ...".
func (c *pop3Conn) reply() (string, error) {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	line, err := c.tp.ReadLine()
	if err != nil {
		return "", fmt.Errorf("bounce: POP3: %w", err)
	}
	if rest, ok := strings.CutPrefix(line, "+OK"); ok {
		return strings.TrimSpace(rest), nil
	}
	return "", fmt.Errorf("bounce: POP3 server said %q", clip(line, 200))
}

func (c *pop3Conn) cmd(line string) error {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	if err := c.tp.PrintfLine("%s", line); err != nil {
		return fmt.Errorf("bounce: POP3: %w", err)
	}
	_, err := c.reply()
	return err
}

func (c *pop3Conn) login(user, pass string) error {
	if strings.ContainsAny(user+pass, "\r\n") {
		return errors.New("bounce: POP3 credentials hold a line break")
	}
	if err := c.cmd("USER " + user); err != nil {
		return err
	}
	if err := c.cmd("PASS " + pass); err != nil {
		return errors.New("bounce: POP3 login refused") // the reply may echo the password
	}
	return nil
}

type msgSize struct{ n, size int }

// list returns the messages and their sizes, at most 10,000 listed.
func (c *pop3Conn) list() ([]msgSize, error) {
	if err := c.cmd("LIST"); err != nil {
		return nil, err
	}
	var out []msgSize
	for {
		c.conn.SetDeadline(time.Now().Add(c.timeout))
		line, err := c.tp.ReadLine()
		if err != nil {
			return nil, fmt.Errorf("bounce: POP3 LIST: %w", err)
		}
		if line == "." {
			return out, nil
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		n, err1 := strconv.Atoi(f[0])
		size, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil && len(out) < 10000 {
			out = append(out, msgSize{n, size})
		}
	}
}

// retr reads message n, dot-unstuffed, failing past max bytes.
func (c *pop3Conn) retr(n, max int) ([]byte, error) {
	if err := c.cmd("RETR " + strconv.Itoa(n)); err != nil {
		return nil, err
	}
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	b, err := io.ReadAll(io.LimitReader(c.tp.DotReader(), int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("bounce: POP3 RETR %d: %w", n, err)
	}
	if len(b) > max {
		return nil, fmt.Errorf("bounce: POP3 message %d is larger than LIST said", n)
	}
	return b, nil
}
