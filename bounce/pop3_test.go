package bounce

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// pop3Server is a POP3 server for the test: implicit TLS or STLS, one
// mailbox, deletions applied at QUIT as RFC 1939 says.
type pop3Server struct {
	addr      string
	stls      bool
	user, pw  string
	mu        sync.Mutex
	msgs      []string // "" once deleted
	plainAuth bool     // a login was tried before TLS
	roots     *x509.CertPool
}

func newPOP3Server(t *testing.T, stls bool, msgs []string) *pop3Server {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pop3 test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	s := &pop3Server{stls: stls, user: "bounces", pw: "mailbox-pass", msgs: msgs, roots: x509.NewCertPool()}
	s.roots.AddCert(cert)
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c, cfg)
		}
	}()
	return s
}

func (s *pop3Server) serve(c net.Conn, cfg *tls.Config) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	secure := !s.stls
	if secure {
		c = tls.Server(c, cfg)
	}
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(f string, a ...any) { fmt.Fprintf(w, f+"\r\n", a...); w.Flush() }
	say("+OK POP3 ready")
	var authed bool
	deleted := map[int]bool{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		s.mu.Lock()
		switch strings.ToUpper(cmd) {
		case "STLS":
			say("+OK begin TLS")
			c = tls.Server(c, cfg)
			r, w = bufio.NewReader(c), bufio.NewWriter(c)
			secure = true
		case "USER":
			if !secure {
				s.plainAuth = true
			}
			say("+OK")
		case "PASS":
			if !secure {
				s.plainAuth = true
			}
			authed = arg == s.pw
			if authed {
				say("+OK logged in")
			} else {
				say("-ERR invalid password %s", arg)
			}
		case "LIST":
			if !authed {
				say("-ERR not logged in")
				break
			}
			say("+OK")
			for i, m := range s.msgs {
				if m != "" && !deleted[i+1] {
					say("%d %d", i+1, len(m))
				}
			}
			say(".")
		case "RETR":
			var n int
			fmt.Sscan(arg, &n)
			if n < 1 || n > len(s.msgs) || s.msgs[n-1] == "" {
				say("-ERR no such message")
				break
			}
			say("+OK")
			for _, l := range strings.Split(strings.TrimSuffix(strings.ReplaceAll(s.msgs[n-1], "\r\n", "\n"), "\n"), "\n") {
				if strings.HasPrefix(l, ".") {
					l = "." + l
				}
				say("%s", l)
			}
			say(".")
		case "DELE":
			var n int
			fmt.Sscan(arg, &n)
			deleted[n] = true
			say("+OK")
		case "QUIT":
			for n := range deleted {
				s.msgs[n-1] = ""
			}
			s.mu.Unlock()
			say("+OK bye")
			return
		default:
			say("-ERR unknown")
		}
		s.mu.Unlock()
	}
}

func (s *pop3Server) left() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.msgs {
		if m != "" {
			n++
		}
	}
	return n
}

func TestPOP3Mailbox(t *testing.T) {
	ref := Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	dsn := string(sample(t, "dsn-hard.eml", ref))
	arf := string(sample(t, "arf-redacted.eml", ref))
	reply := string(sample(t, "not-report.eml", ref))
	// A line starting with a dot survives the dot-stuffing.
	dsn = strings.Replace(dsn, "This is the mail system", ".This is the mail system", 1)
	for _, stls := range []bool{false, true} {
		t.Run(fmt.Sprintf("stls=%v", stls), func(t *testing.T) {
			// The oversized one comes first: skipped, it does not use up
			// MaxMessages.
			srv := newPOP3Server(t, stls, []string{strings.Repeat("x", 5000), dsn, reply, arf})
			env := map[string]string{"CROSSCAST_BOUNCE_POP3_ADDR": srv.addr, "CROSSCAST_BOUNCE_POP3_USER": srv.user,
				"CROSSCAST_BOUNCE_POP3_PASSWORD": srv.pw, "CROSSCAST_BOUNCE_POP3_STLS": fmt.Sprint(stls)}
			p, err := POP3FromEnv(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			p.TLSConfig = &tls.Config{RootCAs: srv.roots}
			p.MaxSize, p.MaxMessages = 4000, 3
			rec := &collect{}
			c := &Config{Recorder: rec, Keys: testKeys}
			st, err := p.Poll(context.Background(), func(ctx context.Context, raw []byte) error {
				_, err := c.Ingest(ctx, raw, "")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if st != (PollStats{Read: 3, Deleted: 3, Skipped: 1}) {
				t.Errorf("stats %+v", st)
			}
			evs := rec.take()
			if len(evs) != 2 || evs[0].Kind != Hard || evs[1].Kind != Complaint || evs[1].Address() != "reader@example.org" {
				t.Fatalf("events %+v", evs)
			}
			if n := srv.left(); n != 1 {
				t.Errorf("%d messages left, want the oversized one", n)
			}
			if srv.plainAuth {
				t.Error("credentials went over a plain connection")
			}
		})
	}
}

// A message whose recording fails stays for the next poll; a wrong
// password is an error that does not echo the server's reply.
func TestPOP3KeepsFailures(t *testing.T) {
	ref := Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	srv := newPOP3Server(t, false, []string{string(sample(t, "dsn-hard.eml", ref))})
	p := &POP3{Addr: srv.addr, Username: srv.user, Password: srv.pw, TLSConfig: &tls.Config{RootCAs: srv.roots}}
	rec := &collect{err: errors.New("store is away")}
	handle := func(ctx context.Context, raw []byte) error {
		_, err := (&Config{Recorder: rec, Keys: testKeys}).Ingest(ctx, raw, "")
		return err
	}
	st, err := p.Poll(context.Background(), handle)
	if err != nil || st.Failed != 1 || st.Deleted != 0 || srv.left() != 1 {
		t.Fatalf("%+v %v, %d left", st, err, srv.left())
	}
	rec.err = nil
	if st, err := p.Poll(context.Background(), handle); err != nil || st.Deleted != 1 || srv.left() != 0 {
		t.Fatalf("second poll %+v %v", st, err)
	}
	p.Password = "guess"
	if _, err := p.Poll(context.Background(), handle); err == nil || strings.Contains(err.Error(), "guess") {
		t.Errorf("wrong password: %v", err)
	}
	// STLS expected but the server speaks TLS at once: refused, and no
	// login goes out in the clear.
	bad := &POP3{Addr: srv.addr, Username: srv.user, Password: srv.pw, STLS: true, Timeout: 500 * time.Millisecond}
	if _, err := bad.Poll(context.Background(), handle); err == nil {
		t.Error("STLS against an implicit-TLS server worked")
	}
	if p, err := POP3FromEnv(func(string) string { return "" }); p != nil || err != nil {
		t.Errorf("no address: %v %v", p, err)
	}
	if _, err := POP3FromEnv(func(k string) string { return map[string]string{"CROSSCAST_BOUNCE_POP3_ADDR": "mail.example:995"}[k] }); err == nil {
		t.Error("address without credentials accepted")
	}
}

// Run polls until its context ends, and records through the config.
func TestPOP3Run(t *testing.T) {
	ref := Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"}
	srv := newPOP3Server(t, false, []string{string(sample(t, "dsn-hard.eml", ref))})
	p := &POP3{Addr: srv.addr, Username: srv.user, Password: srv.pw, TLSConfig: &tls.Config{RootCAs: srv.roots}}
	rec := &collect{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		p.Run(ctx, 10*time.Millisecond, &Config{Recorder: rec, Keys: testKeys})
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for srv.left() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if evs := rec.take(); len(evs) != 1 || srv.left() != 0 {
		t.Fatalf("events %+v, %d left", evs, srv.left())
	}
}
