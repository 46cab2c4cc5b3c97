package main

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
)

// The mailbox part reads the mailbox every interval, survives a
// mailbox that fails, and stops when told to, without an error.
func TestBounceMailboxPart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var dials atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			dials.Add(1)
			c.Close() // not a POP3 server: every poll fails
		}
	}()
	cfg := loadConfig(mapEnv(map[string]string{
		"CROSSCAST_BOUNCE_POP3_ADDR": l.Addr().String(), "CROSSCAST_BOUNCE_POP3_USER": "bounces", "CROSSCAST_BOUNCE_POP3_PASSWORD": "pw",
		envBouncePOP3Every: "20ms",
	}))
	b, err := newBounces(cfg, nil, slog.New(slog.DiscardHandler))
	if err != nil || b.pop3 == nil {
		t.Fatalf("mailbox: %+v, %v", b.pop3, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.pop3Part(cfg.Bounce.POP3Interval, slog.New(slog.DiscardHandler)).run(ctx) }()
	pipetest.WaitFor(t, 10*time.Second, "three polls", func() (bool, string) {
		return dials.Load() >= 3, "polls so far: " + strconv.Itoa(int(dials.Load()))
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the mailbox part did not stop")
	}
}
