package publish_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/fakes"
	"github.com/crosscast/crosscast/publish"
)

// memBatch is a BatchLedger in memory that checks what the store
// guarantees: a recipient is claimed once, and recorded only while it is
// claimed.
type memBatch struct {
	mu     sync.Mutex
	status map[string]string
	errs   []string
}

func (l *memBatch) Step(_ context.Context, done *publish.Outcome, next string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if done != nil {
		if l.status[done.Address] != publish.StatusSending {
			l.errs = append(l.errs, fmt.Sprintf("%s recorded %s while %s", done.Address, done.Status, l.status[done.Address]))
		}
		l.status[done.Address] = done.Status
	}
	if next == "" || l.status[next] != publish.StatusPending {
		return false, nil
	}
	l.status[next] = publish.StatusSending
	return true, nil
}

func (l *memBatch) get(a string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status[a]
}

// A batch goes out over several pooled connections at once; every
// message is claimed before the server sees it; 451s are tried again on
// the same run; a 550 fails only its recipient; nobody gets two.
func TestSMTPBatch(t *testing.T) {
	srv := fakes.NewSMTP(t)
	srv.Fail451 = 3
	srv.Reject550["gone@example.net"] = true
	var mu sync.Mutex
	inFlight, most := 0, 0
	l := &memBatch{status: map[string]string{}}
	srv.OnData = func(to []string) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		if st := l.get(to[0]); st != publish.StatusSending {
			t.Errorf("%s reached the server while %s in the ledger", to[0], st)
		}
		time.Sleep(5 * time.Millisecond) // the relay's work, so sessions overlap
		mu.Lock()
		inFlight--
		mu.Unlock()
	}
	pub := &publish.SMTPPublisher{TLS: srv.TLSConfig()}
	defer pub.Close()
	j := smtpJob(srv, "subscribers", map[string]string{})
	j.Target.Connections = 4
	var rs []publish.Recipient
	for i := range 40 {
		a := fmt.Sprintf("r%02d@example.net", i)
		if i == 7 {
			a = "gone@example.net"
		}
		rs = append(rs, publish.Recipient{Address: a, Status: publish.StatusPending})
		l.status[a] = publish.StatusPending
	}
	res, err := pub.SendBatch(context.Background(), publish.Batch{Job: j, Recipients: rs, Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 39 || res.Failed != 1 || res.Unknown != 0 || res.Left != 0 || res.Conns != 4 {
		t.Errorf("result %+v", res)
	}
	if len(l.errs) > 0 {
		t.Error(l.errs)
	}
	got := map[string]int{}
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != m.To[0] {
			t.Errorf("message to %s has To %v (%v)", m.To[0], to, err)
		}
		got[m.To[0]]++
	}
	for _, r := range rs {
		want := 1
		if r.Address == "gone@example.net" {
			want = 0
		}
		if got[r.Address] != want {
			t.Errorf("%s received %d messages", r.Address, got[r.Address])
		}
	}
	if l.get("gone@example.net") != publish.StatusFailed {
		t.Errorf("gone@: %s", l.get("gone@example.net"))
	}
	if most < 2 {
		t.Errorf("at most %d messages in flight at once over 4 connections", most)
	}

	// A run already past its stop time claims nobody and leaves them all.
	more := []publish.Recipient{{Address: "late@example.net", Status: publish.StatusPending}}
	l.status["late@example.net"] = publish.StatusPending
	res, err = pub.SendBatch(context.Background(), publish.Batch{Job: j, Recipients: more, Ledger: l, Stop: time.Now().Add(-time.Second)})
	if err != nil || res.Left != 1 || res.Sent != 0 || l.get("late@example.net") != publish.StatusPending {
		t.Errorf("past its stop: %+v %v, late@ %s", res, err, l.get("late@example.net"))
	}
}

// The local limiter paces one key at its rate.
func TestLocalLimiterPaces(t *testing.T) {
	var l publish.LocalLimiter
	start := time.Now()
	for range 11 {
		if err := l.Wait(context.Background(), "k", 100); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("11 messages at 100/s took %s", d)
	}
}

// The local allowance hands out one key's daily cap once among many
// takers; a new day starts from nothing, and a clock behind on the old
// day gets none.
func TestLocalAllowance(t *testing.T) {
	var a publish.LocalAllowance
	ctx := context.Background()
	var mu sync.Mutex
	got := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				n, err := a.Take(ctx, "k", "2026-12-01", 100, 3)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				got += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got != 100 {
		t.Fatalf("took %d, want the cap 100", got)
	}
	if err := a.Give(ctx, "k", "2026-12-01", 4); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Take(ctx, "k", "2026-12-01", 100, 10); n != 4 {
		t.Errorf("after 4 given back: took %d", n)
	}
	if n, _ := a.Take(ctx, "k", "2026-12-02", 200, 150); n != 150 {
		t.Errorf("the next day: took %d, want 150", n)
	}
	if n, _ := a.Take(ctx, "k", "2026-12-01", 100, 10); n != 0 {
		t.Errorf("the day before, once the next began: took %d", n)
	}
	if n, _ := a.Take(ctx, "other", "2026-12-02", 5, 10); n != 5 {
		t.Errorf("another key: took %d, want its own cap 5", n)
	}
}

// A server offering PIPELINING gets MAIL, RCPT and DATA in one go; a
// refused recipient among them fails that message only, and the session
// goes on.
func TestSMTPPipelining(t *testing.T) {
	srv := fakes.NewSMTP(t)
	srv.Reject550["gone@example.net"] = true
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	c, err := (&publish.SMTP{Host: host, Port: p, Username: srv.Username, Password: srv.Password, TLSConfig: srv.TLSConfig()}).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Pipelining() {
		t.Fatal("the server offers PIPELINING; the session does not use it")
	}
	if err := c.Send("news@kestrel.example", "gone@example.net", []byte(testEML)); !publish.IsPermanent(err) || publish.SMTPCode(err) != 550 {
		t.Errorf("refused recipient: %v", err)
	}
	for _, to := range []string{"ann@example.net", "bob@example.net"} {
		if err := c.Send("news@kestrel.example", to, []byte(testEML)); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Messages(); len(got) != 2 || got[1].To[0] != "bob@example.net" || !bytes.Equal(got[0].Data, []byte(testEML)) {
		t.Errorf("messages %+v", got)
	}
}
