package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// mapEnv is an environment for tests: what it lacks is unset.
func mapEnv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

func TestConfigDefaults(t *testing.T) {
	c := loadConfig(mapEnv(nil))
	want := Config{
		Addr: ":8080", Workers: runtime.NumCPU(), LogLevel: slog.LevelInfo, Server: "http://localhost:8080",
		ReconcileInterval: time.Minute, ImageCacheMB: 64, Sites: "data/sites",
		Bounce: BounceConfig{Vars: map[string]string{}, SoftLimit: 3, SoftWindow: 14 * 24 * time.Hour, POP3Interval: time.Minute},
	}
	got := c
	got.Getenv, got.fromEnv = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	if got := c.databaseDSN(); got != defaultDatabase {
		t.Errorf("database: %q, want %q", got, defaultDatabase)
	}
	if got := c.publicURLFor(":9090"); got != "http://localhost:9090" {
		t.Errorf("serve's public URL: %q", got)
	}
	if got := c.publicURLFor(""); got != "" {
		t.Errorf("a worker's public URL: %q, want none", got)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	c := loadConfig(mapEnv(map[string]string{
		envRedis: "redis://queue:6379/2", envDatabase: "postgres://db/cc", envAddr: "127.0.0.1:9000",
		envBrands: "/etc/brands", envWorkers: "0", envLogLevel: "DEBUG", envLogFormat: "1", envToken: "cc_x",
		envServer: "https://cc.example", envReconcile: "30s", envRetryDelay: "200ms", envImageCache: "64",
		envSites: "/srv/sites", envPublicURL: "https://cc.example/", envSMTPCA: "/etc/ca.pem",
	}))
	if c.RedisURL != "redis://queue:6379/2" || c.databaseDSN() != "postgres://db/cc" || c.Addr != "127.0.0.1:9000" ||
		c.Brands != "/etc/brands" || c.Workers != 0 || c.LogLevel != slog.LevelDebug || !c.LogJSON || c.Token != "cc_x" ||
		c.Server != "https://cc.example" || c.ReconcileInterval != 30*time.Second || c.RetryDelay != 200*time.Millisecond ||
		c.ImageCacheMB != 64 || c.Sites != "/srv/sites" || c.PublicURL != "https://cc.example" || c.SMTPCA != "/etc/ca.pem" {
		t.Errorf("from the environment: %+v", c)
	}
	if got := c.publicURLFor(c.Addr); got != "https://cc.example" {
		t.Errorf("public URL: %q, want CROSSCAST_PUBLIC_URL without its slash", got)
	}
	if len(c.Ignored) != 0 {
		t.Errorf("ignored: %q", c.Ignored)
	}
}

// The bounce settings reach bounce.FromEnv and bounce.POP3FromEnv
// through the Config, not the process environment.
func TestConfigBounce(t *testing.T) {
	c := loadConfig(mapEnv(map[string]string{
		"CROSSCAST_BOUNCE_PIPE_SECRET": "pipe-secret-0123456789", "CROSSCAST_BOUNCE_MAILGUN_KEY": "mg-key",
		"CROSSCAST_BOUNCE_POP3_ADDR": "mail.example.com:995", "CROSSCAST_BOUNCE_POP3_USER": "bounces",
		"CROSSCAST_BOUNCE_POP3_PASSWORD": "pw", envBounceSoftLimit: "4", envBounceSoftWindow: "72h", envBouncePOP3Every: "5m",
	}))
	if c.Bounce.SoftLimit != 4 || c.Bounce.SoftWindow != 72*time.Hour || c.Bounce.POP3Interval != 5*time.Minute {
		t.Errorf("bounce policy: %+v", c.Bounce)
	}
	b, err := newBounces(c, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if b.handler == nil || b.config.PipeSecret != "pipe-secret-0123456789" || b.config.Mailgun == nil || b.config.SES != nil {
		t.Errorf("bounce config: %+v", b.config)
	}
	if b.pop3 == nil || b.pop3.Addr != "mail.example.com:995" || b.pop3.Username != "bounces" {
		t.Errorf("mailbox: %+v", b.pop3)
	}
	if b, err := newBounces(loadConfig(mapEnv(nil)), nil, slog.New(slog.DiscardHandler)); err != nil || b.handler != nil || b.pop3 != nil {
		t.Errorf("unconfigured: %+v, %v; want no endpoints and no mailbox", b, err)
	}
	bad := loadConfig(mapEnv(map[string]string{"CROSSCAST_BOUNCE_PIPE_SECRET": "short"}))
	if _, err := newBounces(bad, nil, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a short pipe secret was taken")
	}
	if c := loadConfig(mapEnv(map[string]string{envBounceSoftLimit: "0"})); c.Bounce.SoftLimit != 3 || len(c.Ignored) != 1 {
		t.Errorf("soft limit 0: %d, ignored %q", c.Bounce.SoftLimit, c.Ignored)
	}
}

// A value that does not parse keeps the default, as it always has, and
// is reported instead of passing in silence.
func TestConfigIgnoresUnreadableValues(t *testing.T) {
	c := loadConfig(mapEnv(map[string]string{envWorkers: "lots", envReconcile: "-1m", envLogLevel: "loud", envRetryDelay: "soon"}))
	if c.Workers != runtime.NumCPU() || c.ReconcileInterval != time.Minute || c.LogLevel != slog.LevelInfo || c.RetryDelay != 0 {
		t.Errorf("unreadable values did not keep their defaults: %+v", c)
	}
	if len(c.Ignored) != 4 {
		t.Fatalf("ignored: %q, want 4 notes", c.Ignored)
	}
	for _, name := range []string{envWorkers, envReconcile, envLogLevel, envRetryDelay} {
		if !strings.Contains(strings.Join(c.Ignored, "\n"), name) {
			t.Errorf("no note names %s: %q", name, c.Ignored)
		}
	}
}

func TestConfigRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"data/crosscast.db", "data/crosscast.db"},
		{"/var/lib/cc/my data.db", "/var/lib/cc/my data.db"},
		{"redis://queue:6379/0", "redis://queue:6379/0"},
		{"redis://:hunter2@queue:6379/0", "redis://:xxxxx@queue:6379/0"},
		{"rediss://user:hunter2@queue:6380", "rediss://user:xxxxx@queue:6380"},
		{"postgres://cc:hunter2@db:5432/cc?sslmode=require", "postgres://cc:xxxxx@db:5432/cc?sslmode=require"},
		{"postgres://cc@db/cc?password=hunter2&sslmode=disable", "postgres://cc@db/cc?password=xxxxx&sslmode=disable"},
		{"postgres://cc:a%2Fb@db/cc", "postgres://cc:xxxxx@db/cc"},
		{"postgres://cc:hun ter%zz@db", "(hidden: not a URL, may hold a password)"},
	} {
		if got := redactURL(c.in); got != c.want {
			t.Errorf("redactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// `crosscast config` prints every setting in effect and no secret.
func TestConfigCommand(t *testing.T) {
	var out, errs bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errs, Getenv: mapEnv(map[string]string{
		envRedis:                         "redis://:hunter2@queue:6379/0",
		envDatabase:                      "postgres://cc:s3cret@db:5432/cc?sslmode=disable",
		envToken:                         "cc_tokensecret",
		envAddr:                          "127.0.0.1:9000",
		envWorkers:                       "many",
		"CROSSCAST_BOUNCE_PIPE_SECRET":   "pipesecret-0123456789",
		"CROSSCAST_BOUNCE_MAILGUN_KEY":   "mailgunsecret",
		"CROSSCAST_BOUNCE_POP3_PASSWORD": "pop3secret",
		"CROSSCAST_BOUNCE_POP3_ADDR":     "mail.example.com:995",
		envBounceSoftLimit:               "5",
	})}
	if code := m.Run(context.Background(), []string{"config"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, secret := range []string{"hunter2", "s3cret", "tokensecret", "pipesecret", "mailgunsecret", "pop3secret"} {
		if strings.Contains(out.String()+errs.String(), secret) {
			t.Errorf("the output shows the secret %q:\n%s", secret, out.String())
		}
	}
	for _, want := range []string{
		"REDIS_URL redis://:xxxxx@queue:6379/0",
		"postgres://cc:xxxxx@db:5432/cc?sslmode=disable",
		"CROSSCAST_TOKEN (set, hidden)",
		"CROSSCAST_ADDR 127.0.0.1:9000",
		"CROSSCAST_PUBLIC_URL (serve: http://localhost:9000)",
		"CROSSCAST_SITES data/sites",
		"CROSSCAST_BOUNCE_PIPE_SECRET (set, hidden) environment",
		"CROSSCAST_BOUNCE_MAILGUN_KEY (set, hidden) environment",
		"CROSSCAST_BOUNCE_POP3_PASSWORD (set, hidden) environment",
		"CROSSCAST_BOUNCE_POP3_ADDR mail.example.com:995 environment",
		"CROSSCAST_BOUNCE_SOFT_LIMIT 5 environment",
		"CROSSCAST_BOUNCE_SOFT_WINDOW 336h0m0s default",
		"CROSSCAST_BOUNCE_SENDGRID_KEY (none) default",
	} {
		// Columns are padded to the longest name: compare words.
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, envAddr) && !strings.HasSuffix(line, "environment") ||
			strings.HasPrefix(line, envSites) && !strings.HasSuffix(line, "default") {
			t.Errorf("wrong source: %q", line)
		}
	}
	if !strings.Contains(errs.String(), envWorkers+`="many"`) {
		t.Errorf("stderr does not warn of the unreadable %s: %q", envWorkers, errs.String())
	}
}

// Commands that run workers set a soft memory limit that grows with
// their concurrency, unless CROSSCAST_MEMORY_LIMIT_MB or GOMEMLIMIT says
// otherwise.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want int64 // MiB; 0: left alone
	}{
		{map[string]string{}, []string{"--concurrency", "2"}, 128 + 2*64 + 64},
		{map[string]string{}, []string{"--concurrency", "8"}, 128 + 8*64 + 64},
		{map[string]string{"CROSSCAST_MEMORY_LIMIT_MB": "900"}, nil, 900},
		{map[string]string{"CROSSCAST_IMAGE_CACHE_MB": "16"}, []string{"--concurrency", "1"}, 128 + 64 + 16},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, nil, 0},
	} {
		var got int64
		getenv := func(k string) string { return tc.env[k] }
		m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: getenv, SetMemoryLimit: func(n int64) int64 { got = n; return n }}
		cfg := loadConfig(getenv)
		fset := flag.NewFlagSet("worker", flag.ContinueOnError)
		fset.IntVar(&cfg.Workers, "concurrency", cfg.Workers, "")
		if err := fset.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		m.limitMemory(cfg)
		if got != tc.want<<20 {
			t.Errorf("%v %v: limit %d MiB, want %d", tc.env, tc.args, got>>20, tc.want)
		}
	}
}
