package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/bounce"
	"github.com/crosscast/crosscast/publish"
)

// The bounce settings (docs/bounces.md). Those marked secret are shown
// by `crosscast config` only as set or not.
var bounceVars = []struct {
	name   string
	secret bool
}{
	{"CROSSCAST_BOUNCE_PIPE_SECRET", true},
	{"CROSSCAST_BOUNCE_SES_TOPICS", false},
	{"CROSSCAST_BOUNCE_POSTMARK_USER", false},
	{"CROSSCAST_BOUNCE_POSTMARK_PASSWORD", true},
	{"CROSSCAST_BOUNCE_POSTMARK_TOKEN", true},
	{"CROSSCAST_BOUNCE_SENDGRID_KEY", false}, // a public key
	{"CROSSCAST_BOUNCE_MAILGUN_KEY", true},
	{"CROSSCAST_BOUNCE_POP3_ADDR", false},
	{"CROSSCAST_BOUNCE_POP3_USER", false},
	{"CROSSCAST_BOUNCE_POP3_PASSWORD", true},
	{"CROSSCAST_BOUNCE_POP3_STLS", false},
}

const (
	envBounceSoftLimit  = "CROSSCAST_BOUNCE_SOFT_LIMIT"    // soft bounces that suppress, default 3
	envBounceSoftWindow = "CROSSCAST_BOUNCE_SOFT_WINDOW"   // within this long, default 336h
	envBouncePOP3Every  = "CROSSCAST_BOUNCE_POP3_INTERVAL" // how often the mailbox is read, default 1m
)

// BounceConfig is the bounce settings: the providers' and the mailbox's
// as bounce.FromEnv and bounce.POP3FromEnv read them, and the policy.
type BounceConfig struct {
	Vars         map[string]string // the bounceVars that are set
	SoftLimit    int
	SoftWindow   time.Duration
	POP3Interval time.Duration
}

func (r *envReader) bounce() BounceConfig {
	c := BounceConfig{
		Vars:         map[string]string{},
		SoftLimit:    r.int(envBounceSoftLimit, 3),
		SoftWindow:   r.duration(envBounceSoftWindow, 14*24*time.Hour),
		POP3Interval: r.duration(envBouncePOP3Every, time.Minute),
	}
	if c.SoftLimit < 1 {
		r.ignore(envBounceSoftLimit, strconv.Itoa(c.SoftLimit), "a positive whole number")
		c.SoftLimit = 3
	}
	for _, v := range bounceVars {
		if s := r.str(v.name, ""); s != "" {
			c.Vars[v.name] = s
		}
	}
	return c
}

// getenv reads the bounce settings the way bounce.FromEnv asks for them.
func (c BounceConfig) getenv(name string) string { return c.Vars[name] }

func (c BounceConfig) settings() []setting {
	out := []setting{
		{name: envBounceSoftLimit, value: strconv.Itoa(c.SoftLimit)},
		{name: envBounceSoftWindow, value: c.SoftWindow.String()},
		{name: envBouncePOP3Every, value: c.POP3Interval.String()},
	}
	for _, v := range bounceVars {
		val, ok := c.Vars[v.name]
		switch {
		case !ok:
			val = "(none)"
		case v.secret:
			val = "(set, hidden)"
		}
		out = append(out, setting{name: v.name, value: val})
	}
	return out
}

// bounceParts are the bounce handling serve and worker run: the HTTP
// endpoints (nil when no provider is configured) and the mailbox poller
// (nil without a mailbox).
type bounceParts struct {
	handler http.Handler
	config  *bounce.Config
	pop3    *bounce.POP3
}

// newBounces configures bounce handling from cfg over svc.
func newBounces(cfg Config, svc *app.Service, log *slog.Logger) (bounceParts, error) {
	client := publish.NewHTTPClient(publish.HTTPOptions{Timeout: 10 * time.Second, MaxBody: 64 << 10})
	bc, err := bounce.FromEnv(cfg.Bounce.getenv, client)
	if err != nil {
		return bounceParts{}, err
	}
	bc.Recorder = svc.Bounces(bounce.Policy{SoftLimit: cfg.Bounce.SoftLimit, Window: cfg.Bounce.SoftWindow})
	bc.Keys = svc.VERPKeys
	bc.Logger = log
	p := bounceParts{config: &bc}
	if p.pop3, err = bounce.POP3FromEnv(cfg.Bounce.getenv); err != nil {
		return bounceParts{}, err
	}
	if bc.PipeSecret != "" || bc.SES != nil || bc.Postmark != nil || bc.SendGrid != nil || bc.Mailgun != nil {
		p.handler = bounce.Handler(bc)
	}
	return p, nil
}

// pop3Part reads the bounce mailbox every interval until ctx ends.
func (b bounceParts) pop3Part(interval time.Duration, log *slog.Logger) part {
	return part{"bounce mailbox", func(ctx context.Context) error {
		log.Info("reading the bounce mailbox", "addr", b.pop3.Addr, "every", interval)
		b.pop3.Run(ctx, interval, b.config)
		if ctx.Err() == nil {
			return fmt.Errorf("bounce mailbox %s: the poller stopped", b.pop3.Addr)
		}
		return nil
	}}
}
