package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
)

// Environment variables. Flags, where a command has them, win.
const (
	envRedis      = "REDIS_URL"          // redis://[:password@]host:port/db; empty: in-process Redis
	envDatabase   = "DATABASE_URL"       // postgres://…; empty: SQLite at ./data/crosscast.db
	envAddr       = "CROSSCAST_ADDR"     // serve's listen address, default :8080
	envBrands     = "CROSSCAST_BRANDS"   // folder of brand kits serve imports at start
	envWorkers    = "CROSSCAST_WORKERS"  // tasks run at once per process, default one per CPU
	envLogLevel   = "CROSSCAST_LOG"      // debug, info (default), warn, error
	envLogFormat  = "CROSSCAST_LOG_JSON" // 1: JSON log lines
	envToken      = "CROSSCAST_TOKEN"    // submit's API token
	envServer     = "CROSSCAST_SERVER"   // submit's server, default http://localhost:8080
	envReconcile  = "CROSSCAST_RECONCILE_INTERVAL"
	envRetryDelay = "CROSSCAST_RETRY_DELAY" // fixed retry delay instead of exponential backoff (tests)
	envImageCache = "CROSSCAST_IMAGE_CACHE_MB"
	envMemory     = "CROSSCAST_MEMORY_LIMIT_MB" // soft memory limit of serve, worker and bench; 0: derived
	envSites      = "CROSSCAST_SITES"           // folder of published brand sites, default ./data/sites
	envPublicURL  = "CROSSCAST_PUBLIC_URL"      // where the server is reached, for /r/ links; serve defaults to http://localhost:<port>
	envSMTPCA     = "CROSSCAST_SMTP_CA"         // PEM file of extra CAs SMTP servers may be signed by
	envMetrics    = "CROSSCAST_METRICS_ADDR"    // worker's /metrics and /healthz listen address; empty: none
)

const defaultDatabase = "data/crosscast.db"

// Config is every setting crosscast takes from its environment. Run reads
// it once, with loadConfig, and hands it to the commands that need it;
// their flags, where they have them, then override fields, and the
// commands pass the parts what they need by hand.
type Config struct {
	RedisURL          string        // REDIS_URL; empty: serve runs an in-process Redis
	DatabaseURL       string        // DATABASE_URL; empty: the SQLite file defaultDatabase
	Addr              string        // CROSSCAST_ADDR: serve's listen address
	Brands            string        // CROSSCAST_BRANDS: the brand kits serve imports at start
	Workers           int           // CROSSCAST_WORKERS: tasks run at once per process
	LogLevel          slog.Level    // CROSSCAST_LOG
	LogJSON           bool          // CROSSCAST_LOG_JSON=1
	Token             string        // CROSSCAST_TOKEN: submit's API token; a secret
	Server            string        // CROSSCAST_SERVER: the server submit talks to
	ReconcileInterval time.Duration // CROSSCAST_RECONCILE_INTERVAL
	RetryDelay        time.Duration // CROSSCAST_RETRY_DELAY; 0: exponential backoff
	ImageCacheMB      int           // CROSSCAST_IMAGE_CACHE_MB
	MemoryLimitMB     int           // CROSSCAST_MEMORY_LIMIT_MB; 0: memoryLimitMB derives it
	Sites             string        // CROSSCAST_SITES: where brands' static sites are published
	PublicURL         string        // CROSSCAST_PUBLIC_URL, without a trailing slash; empty: derived from the listen address
	SMTPCA            string        // CROSSCAST_SMTP_CA: a PEM file of extra CAs for SMTP servers
	MetricsAddr       string        // CROSSCAST_METRICS_ADDR: where a worker serves /metrics and /healthz; empty: nowhere
	Bounce            BounceConfig  // CROSSCAST_BOUNCE_*: bounce and complaint handling

	// Getenv reads, at delivery time, the secrets brand kits' targets
	// name (CROSSCAST_<BRAND>__<NAME>): they are not known in advance.
	Getenv func(string) string

	// Ignored describes values that could not be read; their settings
	// keep their defaults.
	Ignored []string

	fromEnv map[string]bool // settings the environment set
}

// loadConfig reads the configuration through getenv. A value it cannot
// read leaves the setting at its default, as an unset one does, and is
// noted in Ignored.
func loadConfig(getenv func(string) string) Config {
	r := envReader{getenv: getenv, set: map[string]bool{}}
	c := Config{
		RedisURL:          r.str(envRedis, ""),
		DatabaseURL:       r.str(envDatabase, ""),
		Addr:              r.str(envAddr, ":8080"),
		Brands:            r.str(envBrands, ""),
		Workers:           r.int(envWorkers, runtime.NumCPU()),
		LogLevel:          r.level(envLogLevel),
		LogJSON:           r.str(envLogFormat, "") == "1",
		Token:             r.str(envToken, ""),
		Server:            r.str(envServer, "http://localhost:8080"),
		ReconcileInterval: r.duration(envReconcile, time.Minute),
		RetryDelay:        r.duration(envRetryDelay, 0),
		ImageCacheMB:      r.int(envImageCache, 64),
		MemoryLimitMB:     r.int(envMemory, 0),
		Sites:             r.str(envSites, filepath.Join("data", "sites")),
		PublicURL:         strings.TrimRight(r.str(envPublicURL, ""), "/"),
		SMTPCA:            r.str(envSMTPCA, ""),
		MetricsAddr:       r.str(envMetrics, ""),
		Getenv:            getenv,
	}
	c.Bounce = r.bounce()
	c.Ignored, c.fromEnv = r.ignored, r.set
	return c
}

// envReader reads settings, noting which were set and which ignored.
type envReader struct {
	getenv  func(string) string
	set     map[string]bool
	ignored []string
}

func (r *envReader) str(name, def string) string {
	if v := r.getenv(name); v != "" {
		r.set[name] = true
		return v
	}
	return def
}

func (r *envReader) int(name string, def int) int {
	s := r.str(name, "")
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		r.ignore(name, s, "a whole number")
		return def
	}
	return v
}

func (r *envReader) duration(name string, def time.Duration) time.Duration {
	s := r.str(name, "")
	if s == "" {
		return def
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		r.ignore(name, s, "a positive duration such as 30s")
		return def
	}
	return v
}

func (r *envReader) level(name string) slog.Level {
	switch s := strings.ToLower(r.str(name, "")); s {
	case "", "info":
		return slog.LevelInfo
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		r.ignore(name, s, "debug, info, warn or error")
		return slog.LevelInfo
	}
}

func (r *envReader) ignore(name, value, want string) {
	delete(r.set, name)
	r.ignored = append(r.ignored, fmt.Sprintf("%s=%q is not %s; using the default", name, value, want))
}

// databaseDSN is the database to open: DATABASE_URL or the SQLite file.
func (c Config) databaseDSN() string {
	if c.DatabaseURL == "" {
		return defaultDatabase
	}
	return c.DatabaseURL
}

// publicURLFor is where links in published messages reach this server:
// CROSSCAST_PUBLIC_URL, else the local port of addr (serve's listen
// address; empty for a worker, which serves nothing).
func (c Config) publicURLFor(addr string) string {
	if c.PublicURL != "" || addr == "" {
		return c.PublicURL
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return "http://localhost:" + port
}

// setting is one line of the shown configuration.
type setting struct {
	name, value string
	set         bool // by the environment, not a default
}

// settings is the configuration as `crosscast config` prints it and
// serve and worker log it: secrets hidden, passwords in URLs masked.
func (c Config) settings() []setting {
	none := func(v, instead string) string {
		if v == "" {
			return "(" + instead + ")"
		}
		return v
	}
	token := "(none)"
	if c.Token != "" {
		token = "(set, hidden)"
	}
	retry := "(exponential backoff)"
	if c.RetryDelay > 0 {
		retry = c.RetryDelay.String()
	}
	logJSON := "off"
	if c.LogJSON {
		logJSON = "1"
	}
	public := c.PublicURL
	if public == "" {
		public = "(serve: " + c.publicURLFor(c.Addr) + ")"
	}
	out := []setting{
		{name: envRedis, value: none(redactURL(c.RedisURL), "in-process Redis; serve only")},
		{name: envDatabase, value: redactURL(c.databaseDSN())},
		{name: envAddr, value: c.Addr},
		{name: envBrands, value: none(c.Brands, "none")},
		{name: envWorkers, value: strconv.Itoa(c.Workers)},
		{name: envLogLevel, value: strings.ToLower(c.LogLevel.String())},
		{name: envLogFormat, value: logJSON},
		{name: envToken, value: token},
		{name: envServer, value: redactURL(c.Server)},
		{name: envReconcile, value: c.ReconcileInterval.String()},
		{name: envRetryDelay, value: retry},
		{name: envImageCache, value: strconv.Itoa(c.ImageCacheMB)},
		{name: envMemory, value: strconv.Itoa(c.memoryLimitMB())},
		{name: envSites, value: c.Sites},
		{name: envPublicURL, value: redactURL(public)},
		{name: envSMTPCA, value: none(c.SMTPCA, "system roots")},
		{name: envMetrics, value: none(c.MetricsAddr, "none")},
	}
	out = append(out, c.Bounce.settings()...)
	for i := range out {
		out[i].set = c.fromEnv[out[i].name]
	}
	return out
}

// redactURL masks the password in a URL (user:password@, or a query
// parameter such as PostgreSQL's password=). Anything else, a SQLite
// path among them, is shown as it is.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if strings.Contains(s, "@") {
			return "(hidden: not a URL, may hold a password)"
		}
		return s
	}
	masked := false
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		masked = true
	}
	q, inQuery := u.Query(), false
	for k := range q {
		if secretParam(k) {
			q.Set(k, "xxxxx")
			inQuery = true
		}
	}
	if inQuery {
		u.RawQuery, masked = q.Encode(), true
	}
	if !masked {
		return s
	}
	return u.String()
}

// secretParam reports whether a URL query parameter may hold a secret.
func secretParam(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "password") || strings.Contains(name, "secret") || strings.Contains(name, "token")
}

// logTo logs the configuration at debug level, and what was ignored as
// warnings.
func (c Config) logTo(log *slog.Logger) {
	var attrs []any
	for _, s := range c.settings() {
		attrs = append(attrs, slog.String(s.name, s.value))
	}
	log.Debug("configuration", attrs...)
	for _, w := range c.Ignored {
		log.Warn("configuration: " + w)
	}
}

// config implements `crosscast config`: the effective configuration,
// with secrets masked.
func (m *Main) config(cfg Config, args []string) error {
	fset := flag.NewFlagSet("config", flag.ContinueOnError)
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tFROM")
	for _, s := range cfg.settings() {
		from := "default"
		if s.set {
			from = "environment"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.name, s.value, from)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "\nFlags (serve --addr, --brands, --workers; worker --concurrency; submit --server) win over these.\n"+
		"Publishing targets' secrets (CROSSCAST_<BRAND>__<NAME>) are read when delivering and are not listed.")
	for _, w := range cfg.Ignored {
		fmt.Fprintln(m.Stderr, "crosscast: warning:", w)
	}
	return nil
}

func (m *Main) logger(cfg Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var w io.Writer = m.Stderr
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// channelRenderers builds every channel's renderer over one image cache:
// CROSSCAST_IMAGE_CACHE_MB (default 256) in memory, backed by the store,
// which every worker process shares.
func channelRenderers(cfg Config, db *store.DB, log *slog.Logger) ([]renderers.Renderer, error) {
	rs, err := allRenderers(&images.Cache{MaxBytes: int64(cfg.ImageCacheMB) << 20, Shared: app.SharedDerivatives(db, log)})
	return testHooks(rs, cfg.Getenv), err
}

// allRenderers makes one renderer per channel, sharing cache.
func allRenderers(cache *images.Cache) ([]renderers.Renderer, error) {
	shared, err := sharedParts(cache)
	if err != nil {
		return nil, err
	}
	var rs []renderers.Renderer
	all := channels()
	for _, name := range mapKeys(all) {
		r, err := all[name](shared)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// memoryLimitMB is the soft memory limit of a process that runs workers:
// the configured one, else a base for the process and its caches plus
// enough for each task at once to hold a decoded 2400×1600 photo with its
// halvings and outputs. Go's collector works harder as the heap nears
// it, instead of letting the heap double past what is live (the bench's
// peak RSS: 434 MB without it, 374 MB with it, at the same throughput);
// it is soft, so a process that truly needs more still gets it.
func (c Config) memoryLimitMB() int {
	if c.MemoryLimitMB > 0 {
		return c.MemoryLimitMB
	}
	return 128 + 64*max(c.Workers, 1) + max(c.ImageCacheMB, 0)
}
