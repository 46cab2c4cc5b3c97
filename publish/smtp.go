package publish

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/crosscast/crosscast/bounce"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/mailhdr"
	"github.com/crosscast/crosscast/renderers/email"
)

// SMTP sends email through one submission server.
type SMTP struct {
	Host     string
	Port     int    // 0: 587 for STARTTLS, 465 for implicit TLS
	Implicit bool   // TLS from the first byte (port 465) rather than STARTTLS
	Username string // empty: no AUTH
	Password string
	// TLSConfig is for tests with their own CA; nil verifies against the
	// system roots with Host as the server name.
	TLSConfig *tls.Config
	HelloName string        // "": localhost
	Timeout   time.Duration // per connection and per message; 0: 60 s
}

// SMTPConn is an open, authenticated submission session. It is not safe
// for concurrent use.
type SMTPConn struct {
	c       *smtp.Client
	conn    net.Conn
	timeout time.Duration
	// pipelining: the server offers PIPELINING (RFC 2920), so MAIL, RCPT
	// and DATA go out together and their answers are read after.
	pipelining bool
}

// Pipelining reports whether messages go out pipelined on this session.
func (sc *SMTPConn) Pipelining() bool { return sc.pipelining }

// Dial connects, secures the connection and authenticates. It never
// sends credentials or mail over an unencrypted connection: a server
// without STARTTLS is refused.
func (s *SMTP) Dial(ctx context.Context) (*SMTPConn, error) {
	port, timeout := s.Port, s.Timeout
	if port == 0 {
		port = 587
		if s.Implicit {
			port = 465
		}
	}
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	cfg := s.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	} else {
		cfg = cfg.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = s.Host
		}
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	d := &net.Dialer{Timeout: timeout}
	var conn net.Conn
	var err error
	if s.Implicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: cfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp: connect to %s: %w", addr, err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return nil, smtpError("greeting", err)
	}
	sc := &SMTPConn{c: c, conn: conn, timeout: timeout}
	hello := s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		sc.Close()
		return nil, smtpError("EHLO", err)
	}
	if !s.Implicit {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			sc.Close()
			return nil, permanent(fmt.Errorf("smtp: %s offers no STARTTLS; refusing to send in the clear", addr))
		}
		if err := c.StartTLS(cfg); err != nil {
			sc.Close()
			return nil, smtpError("STARTTLS", err)
		}
	}
	if s.Username != "" {
		// PlainAuth refuses to run without TLS, which holds here.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			sc.Close()
			return nil, smtpError("AUTH", err)
		}
	}
	sc.pipelining, _ = c.Extension("PIPELINING")
	return sc, nil
}

// Send submits one message to one recipient. A 4xx answer is temporary
// (the message was not taken; send it later), a 5xx permanent for that
// recipient.
func (sc *SMTPConn) Send(from, to string, msg []byte) error {
	// The envelope takes the same single addresses as the headers: a
	// list or a display name is refused before the server sees it.
	for _, a := range []struct{ what, addr string }{{"sender", from}, {"recipient", to}} {
		if _, err := mailhdr.Address(a.addr); err != nil {
			return permanent(fmt.Errorf("smtp: %s %q %w", a.what, a.addr, err))
		}
	}
	sc.conn.SetDeadline(time.Now().Add(sc.timeout))
	if sc.pipelining {
		return sc.sendPipelined(from, to, msg)
	}
	if err := sc.c.Mail(from); err != nil {
		sc.c.Reset()
		return smtpError("MAIL FROM", err)
	}
	if err := sc.c.Rcpt(to); err != nil {
		sc.c.Reset()
		return smtpError("RCPT TO <"+to+">", err)
	}
	w, err := sc.c.Data()
	if err != nil {
		sc.c.Reset()
		return smtpError("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpError("DATA", err)
	}
	if err := w.Close(); err != nil {
		if SMTPCode(err) == 0 {
			// The message went out but the answer did not come back: the
			// server may have taken it.
			return fmt.Errorf("%w: smtp end of DATA: %w", ErrAmbiguous, err)
		}
		sc.c.Reset()
		return smtpError("end of DATA", err)
	}
	return nil
}

// sendPipelined sends MAIL, RCPT and DATA in one go and then reads the
// three answers, in order, saving two round trips a message (net/smtp
// waits for each). The answers mean what they mean unpipelined.
func (sc *SMTPConn) sendPipelined(from, to string, msg []byte) error {
	t := sc.c.Text
	mail := "MAIL FROM:<%s>"
	if ok, _ := sc.c.Extension("8BITMIME"); ok {
		mail += " BODY=8BITMIME"
	}
	if ok, _ := sc.c.Extension("SMTPUTF8"); ok {
		mail += " SMTPUTF8"
	}
	// A write error leaves the server without the message: temporary,
	// with no reply code, so the caller drops the connection.
	var ids [3]uint
	var err error
	for i, cmd := range []struct {
		format string
		arg    []any
	}{{mail, []any{from}}, {"RCPT TO:<%s>", []any{to}}, {"DATA", nil}} {
		if ids[i], err = t.Cmd(cmd.format, cmd.arg...); err != nil {
			return fmt.Errorf("smtp pipelined commands: %w", err)
		}
	}
	answer := func(id uint, code int) error {
		t.StartResponse(id)
		defer t.EndResponse(id)
		_, _, err := t.ReadResponse(code)
		return err
	}
	errMail, errRcpt, errData := answer(ids[0], 250), answer(ids[1], 25), answer(ids[2], 354)
	for _, e := range []error{errMail, errRcpt, errData} {
		if e != nil && SMTPCode(e) == 0 {
			return fmt.Errorf("smtp pipelined answers: %w", e) // the connection broke
		}
	}
	if errMail != nil || errRcpt != nil {
		if errData == nil {
			// A server that took DATA after refusing the envelope gets an
			// empty message, which has nobody to go to.
			w := t.DotWriter()
			w.Close()
			if _, _, err := t.ReadResponse(250); err != nil && SMTPCode(err) == 0 {
				return fmt.Errorf("smtp end of empty DATA: %w", err)
			}
		}
		sc.c.Reset()
		if errMail != nil {
			return smtpError("MAIL FROM", errMail)
		}
		return smtpError("RCPT TO <"+to+">", errRcpt)
	}
	if errData != nil {
		sc.c.Reset()
		return smtpError("DATA", errData)
	}
	w := t.DotWriter()
	if _, err := w.Write(msg); err != nil {
		return smtpError("DATA", err)
	}
	if err := w.Close(); err != nil {
		return smtpError("DATA", err)
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		if SMTPCode(err) == 0 {
			// The message went out but the answer did not come back: the
			// server may have taken it.
			return fmt.Errorf("%w: smtp end of DATA: %w", ErrAmbiguous, err)
		}
		sc.c.Reset()
		return smtpError("end of DATA", err)
	}
	return nil
}

// Reset aborts any transaction under way (RSET), as before a
// connection taken from a pool is used again; an error means the
// session is unusable.
func (sc *SMTPConn) Reset() error {
	sc.conn.SetDeadline(time.Now().Add(sc.timeout))
	return sc.c.Reset()
}

// Close ends the session politely.
func (sc *SMTPConn) Close() error {
	sc.c.Quit()
	return sc.conn.Close()
}

// SMTPCode returns the reply code of an SMTP error, or 0.
func SMTPCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func smtpError(step string, err error) error {
	err = fmt.Errorf("smtp %s: %w", step, err)
	if c := SMTPCode(err); c >= 500 {
		return permanent(err)
	}
	return err
}

// SMTPPublisher sends the email rendering to its recipients, each with
// their own unsubscribe link, through the target's submission server.
type SMTPPublisher struct {
	// TLS verifies the servers; nil means the system roots.
	TLS *tls.Config

	mu       sync.Mutex
	limiters map[string]*rate.Limiter

	// Batch sending (smtp_batch.go): the per-process pace, connection
	// pools, adaptive rates, domain back-offs and prepared messages.
	local     LocalLimiter
	pools     map[string]*smtpPool
	adapt     map[string]*adaptive
	backoff   map[string]time.Time
	templates map[string]*preparedEmail
}

// Kind is content.TargetSMTP.
func (s *SMTPPublisher) Kind() string { return content.TargetSMTP }

// Deliver sends the message to every recipient not yet sent. Each
// recipient is claimed before its message goes out, so a crash mid-send
// leaves that one recipient unknown and sends the rest.
func (s *SMTPPublisher) Deliver(ctx context.Context, j Job) (*Posted, error) {
	t := j.Target
	srv, err := s.server(&j)
	if err != nil {
		return nil, err
	}
	returnPath, err := returnPather(j)
	if err != nil {
		return nil, err
	}
	msg, err := trackedEmail(ctx, j)
	if err != nil {
		return nil, err
	}
	if err := j.Track.Save(ctx); err != nil {
		return nil, err
	}
	var addrs []string
	if t.To != content.ToSubscribers {
		addrs = []string{t.To}
	}
	rcpts, err := j.Recipients.List(ctx, addrs, t.To == content.ToSubscribers)
	if err != nil {
		return nil, err
	}
	var conn *SMTPConn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	limiter := s.limiter(j.Brand.ID, t.Rate)
	// Outcomes that must be recorded however the task ends are written
	// without its cancellation.
	keep := context.WithoutCancel(ctx)
	for _, r := range rcpts {
		if r.Status != StatusPending && r.Status != StatusSending {
			continue
		}
		ok, err := j.Recipients.Claim(ctx, r.Address)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		unsub := recipientUnsubscribe(j.Links.Unsubscribe, r.Token)
		// Date is when the message goes out, not the item's date: a
		// message dated months back sorts out of sight and looks forged.
		m := msg
		if q := j.LinkQuery; q != nil {
			m = msg.WithLinkQuery(q.Prefix, q.For(r.Address))
		}
		body, err := m.ForRecipient(r.Address, unsub, j.Now())
		if err != nil {
			j.Recipients.Finish(ctx, r.Address, StatusFailed, "", err.Error())
			continue
		}
		if err := limiter.Wait(ctx); err != nil {
			j.Recipients.Finish(keep, r.Address, StatusPending, "", err.Error())
			return nil, err
		}
		if conn == nil {
			if conn, err = srv.Dial(ctx); err != nil {
				j.Recipients.Finish(keep, r.Address, StatusPending, "", err.Error())
				return nil, err
			}
		}
		from, err := returnPath(r.Address)
		if err != nil {
			j.Recipients.Finish(ctx, r.Address, StatusFailed, "", err.Error())
			continue
		}
		err = conn.Send(from, r.Address, body)
		switch {
		case err == nil:
			err = j.Recipients.Finish(ctx, r.Address, StatusSent, msg.MessageID(), "")
		case errors.Is(err, ErrAmbiguous):
			conn.Close()
			conn = nil
			err = j.Recipients.Finish(ctx, r.Address, StatusUnknown, "", err.Error())
		case IsPermanent(err):
			err = j.Recipients.Finish(ctx, r.Address, StatusFailed, "", err.Error())
		default:
			// Temporary (4xx, connection lost before the message): it was
			// not taken; the task's retry sends it.
			j.Recipients.Finish(keep, r.Address, StatusPending, "", err.Error())
			return nil, err
		}
		if err != nil {
			return nil, err
		}
	}
	final, err := j.Recipients.All(ctx)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	var firstErr string
	for _, r := range final {
		count[r.Status]++
		if r.Error != "" && firstErr == "" {
			firstErr = r.Address + ": " + r.Error
		}
	}
	summary := fmt.Sprintf("%d sent, %d failed, %d unknown, %d suppressed", count[StatusSent], count[StatusFailed], count[StatusUnknown], count[StatusSuppressed])
	switch {
	case count[StatusUnknown] > 0:
		return &Posted{ID: msg.MessageID()}, fmt.Errorf("%w: %s", ErrAmbiguous, summary)
	case count[StatusSent] == 0 && count[StatusFailed] > 0:
		return nil, ErrPermanentf("%s; %s", summary, firstErr)
	}
	return &Posted{ID: msg.MessageID(), URL: j.Links.Canonical}, nil
}

// returnPather returns the envelope sender of each recipient's message:
// the brand's from address, or with return_path set a VERP address whose
// token maps a bounce back to the brand, the delivery and the recipient.
func returnPather(j Job) (func(rcpt string) (string, error), error) {
	t := j.Target
	if t.ReturnPath == "" {
		return func(string) (string, error) { return j.Brand.Email.FromAddress, nil }, nil
	}
	keyText, err := j.secret("verp_key_env", t.VERPKeyEnv)
	if err != nil {
		return nil, err
	}
	keys := bounce.ParseKeys(keyText)
	if len(keys) == 0 {
		return nil, ErrPermanentf("target %s: %s holds no key", t.ID, t.VERPKeyEnv)
	}
	if len(j.Delivery.KeyHash) < 16 {
		return nil, ErrPermanentf("target %s: delivery %q has no key hash for its return path", t.ID, j.Delivery.Key)
	}
	ref := bounce.Ref{Brand: j.Brand.ID, Delivery: j.Delivery.KeyHash[:16]}
	// A key the signer refuses (too short) is refused once, here, rather
	// than for every recipient.
	if _, err := bounce.Sign(keys[0], bounce.Ref{Brand: ref.Brand, Delivery: ref.Delivery, Recipient: "check@example.com"}); err != nil {
		return nil, ErrPermanentf("target %s: %v", t.ID, err)
	}
	return func(rcpt string) (string, error) {
		r := ref
		r.Recipient = rcpt
		return bounce.ReturnPath(t.ReturnPath, keys[0], r)
	}, nil
}

// server reads the submission server's settings a target names.
func (s *SMTPPublisher) server(j *Job) (*SMTP, error) {
	t := j.Target
	host, err := j.secret("host_env", t.HostEnv)
	if err != nil {
		return nil, err
	}
	if host == "" {
		return nil, ErrPermanentf("target %s: host_env is required", t.ID)
	}
	portText, err := j.secret("port_env", t.PortEnv)
	if err != nil {
		return nil, err
	}
	port := 0
	if portText != "" {
		if port, err = strconv.Atoi(portText); err != nil || port < 1 || port > 65535 {
			return nil, ErrPermanentf("target %s: %s=%q is not a port number", t.ID, t.PortEnv, portText)
		}
	}
	user, err := j.secret("username_env", t.UsernameEnv)
	if err != nil {
		return nil, err
	}
	pass, err := j.secret("password_env", t.PasswordEnv)
	if err != nil {
		return nil, err
	}
	return &SMTP{Host: host, Port: port, Implicit: t.TLS == "implicit", Username: user, Password: pass, TLSConfig: s.TLS}, nil
}

// SendOne sends one message that is not a newsletter (a sign-up's
// confirmation) to one address through target t's submission server,
// under the brand's rate limit. secret reads the target's settings.
func (s *SMTPPublisher) SendOne(ctx context.Context, b *content.Brand, t content.Target, secret func(string) string, to string, msg []byte) error {
	j := Job{Target: t, Brand: b, Secret: secret}
	srv, err := s.server(&j)
	if err != nil {
		return err
	}
	if err := s.limiter(b.ID, t.Rate).Wait(ctx); err != nil {
		return err
	}
	conn, err := srv.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	from := b.Email.FromAddress
	if from == "" {
		from = "newsletter@" + b.Domain()
	}
	return conn.Send(from, to, msg)
}

// limiter returns the brand's email rate limiter (per process: each
// worker machine keeps its own).
func (s *SMTPPublisher) limiter(brand string, perSecond float64) *rate.Limiter {
	if perSecond <= 0 {
		perSecond = 10
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limiters == nil {
		s.limiters = map[string]*rate.Limiter{}
	}
	l, ok := s.limiters[brand]
	if !ok || l.Limit() != rate.Limit(perSecond) {
		l = rate.NewLimiter(rate.Limit(perSecond), 1)
		s.limiters[brand] = l
	}
	return l
}

// trackedEmail reads the rendered .eml with its links made tracked.
func trackedEmail(ctx context.Context, j Job) (*email.Message, error) {
	// An A/B variant's delivery sends that variant's email.
	eml, err := j.File(ctx, email.Channel, email.VariantOf(j.Delivery.Variant).EML())
	if err != nil {
		return nil, err
	}
	msg, err := email.ParseEML(eml, j.Links.Unsubscribe)
	if err != nil {
		return nil, ErrPermanentf("%v", err)
	}
	msg.RewriteLinks(j.Track.URL)
	return msg, nil
}

// recipientUnsubscribe is a recipient's own unsubscribe link: the
// brand's, followed by their token.
func recipientUnsubscribe(base, token string) string {
	if token == "" || base == "" {
		return base
	}
	return strings.TrimRight(base, "/") + "/" + token
}
