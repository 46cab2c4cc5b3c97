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
	"time"

	"github.com/crosscast/crosscast/internal/mailhdr"
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
}

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
