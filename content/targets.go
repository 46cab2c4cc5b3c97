package content

import (
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Target kinds: where a channel's rendering goes when an item is published.
const (
	TargetSite     = "site" // the brand's static site: portal pages, catalog, feeds
	TargetSMTP     = "smtp"
	TargetMastodon = "mastodon"
	TargetBluesky  = "bluesky"
	TargetWebhook  = "webhook"
)

// SiteTarget is the id of the implicit static-site target every brand has.
const SiteTarget = "site"

// Target is one place a brand publishes to. Secrets and hosts of mail
// servers are never in the brand file: the *_env fields name environment
// variables the publishing worker reads them from.
type Target struct {
	ID   string `yaml:"-"`
	Kind string `yaml:"kind"`
	// Channel is what a webhook receives: email, social, portal or
	// catalog. SMTP sends email; Mastodon and Bluesky post social.
	Channel string `yaml:"channel"`
	// Network picks the social network whose posts a webhook receives
	// (linkedin, x, threads, facebook); Mastodon and Bluesky imply theirs.
	Network string `yaml:"network"`

	// SMTP.
	HostEnv     string `yaml:"host_env"`
	PortEnv     string `yaml:"port_env"`
	UsernameEnv string `yaml:"username_env"`
	PasswordEnv string `yaml:"password_env"`
	// TLS is starttls (port 587, the default) or implicit (port 465).
	TLS string `yaml:"tls"`
	// To is a list address or an ESP relay address, or "subscribers" for
	// the brand's subscriber list kept in the store.
	To string `yaml:"to"`
	// Rate bounds messages per second for this brand (default 10),
	// across every worker process.
	Rate float64 `yaml:"rate"`
	// Batch is how many recipients one task sends (default 500).
	Batch int `yaml:"batch"`
	// Connections is how many SMTP connections each worker process keeps
	// to the server (default 10).
	Connections int `yaml:"connections"`
	// DomainRates caps messages per second to recipients at a domain
	// (gmail.com: 50), under Rate.
	DomainRates map[string]float64 `yaml:"domain_rates"`
	// Window, like "08:00-20:00", is the time of day (UTC) messages may
	// go out; outside it batches wait. Empty: any time.
	Window string `yaml:"window"`
	// Warmup ramps a new sender's daily volume up: day i of the
	// schedule allows Daily[i] messages across every worker process.
	// Nil, or outside the schedule: no daily cap.
	Warmup *Warmup `yaml:"warmup"`
	// ReturnPath, like bounce@bounces.example.com, turns on VERP: each
	// message's envelope sender becomes bounce+<token>@bounces.example.com,
	// the token signed with the key in VERPKeyEnv, so a bounce maps back
	// to its brand, delivery and recipient. Empty: the envelope sender is
	// the brand's from address.
	ReturnPath string `yaml:"return_path"`
	// VERPKeyEnv names the variable holding the signing key (at least 16
	// bytes; several separated by commas, the first signing, while a key
	// is rotated).
	VERPKeyEnv string `yaml:"verp_key_env"`

	// Mastodon.
	Instance string `yaml:"instance"`
	TokenEnv string `yaml:"token_env"`

	// Bluesky: the PDS (default https://bsky.social), the account handle
	// or DID, and an app password in PasswordEnv.
	Service    string `yaml:"service"`
	Identifier string `yaml:"identifier"`

	// Webhook.
	URL       string `yaml:"url"`
	SecretEnv string `yaml:"secret_env"`

	// AllowHosts lets this target reach hosts on private, loopback or
	// link-local addresses, which outbound requests otherwise refuse.
	AllowHosts []string `yaml:"allow_hosts"`
}

// ToSubscribers is the To value that sends to the stored subscriber list.
const ToSubscribers = "subscribers"

// MaxBatch bounds a target's batch: a task holds its batch in memory.
const MaxBatch = 10_000

var domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// ParseWindow reads a sending window, "HH:MM-HH:MM" in UTC, as minutes
// after midnight; an empty one is the whole day (0, 0). A window may
// wrap past midnight (22:00-06:00).
func ParseWindow(w string) (from, to int, err error) {
	if w == "" {
		return 0, 0, nil
	}
	var h1, m1, h2, m2 int
	if n, _ := fmt.Sscanf(w, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); n != 4 || len(w) != len("08:00-20:00") ||
		h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0 {
		return 0, 0, fmt.Errorf("must be HH:MM-HH:MM in UTC, like 08:00-20:00, not %q", w)
	}
	from, to = h1*60+m1, h2*60+m2
	if from == to {
		return 0, 0, fmt.Errorf("%q is empty: from and to are the same", w)
	}
	return from, to, nil
}

var (
	targetIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	envNameRE  = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,127}$`)
)

// EnvPrefix is how the names of the environment variables brand id's
// targets may read begin: CROSSCAST_, the id upper-cased with - as _, and
// a double underscore, as in CROSSCAST_KESTREL_OUTLET__SMTP_PASSWORD.
// The double underscore keeps brands apart: brand "kestrel" may not read
// CROSSCAST_KESTREL_OUTLET__…, which would be "kestrel-outlet"'s with a
// single one.
func EnvPrefix(brandID string) string {
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, brandID)
	return "CROSSCAST_" + id + "__"
}

// envRestRE is what follows a brand's prefix: no leading, trailing or
// double underscore, so a name belongs to exactly one brand.
var envRestRE = regexp.MustCompile(`^[A-Z0-9]+(_[A-Z0-9]+)*$`)

// BrandEnvAllowed reports whether brand id's targets may read the
// environment variable name. Without this rule an admin of one brand
// could send any of the server's variables, another brand's token
// included, to a host of their choosing.
func BrandEnvAllowed(brandID, name string) bool {
	rest, ok := strings.CutPrefix(name, EnvPrefix(brandID))
	return ok && envRestRE.MatchString(rest)
}

// Targets returns the brand's targets in a fixed order (by id), the
// static site first.
func (b *Brand) Targets() []Target {
	out := []Target{{ID: SiteTarget, Kind: TargetSite}}
	for _, id := range slices.Sorted(maps.Keys(b.TargetConf)) {
		t := b.TargetConf[id]
		t.ID = id
		out = append(out, t)
	}
	return out
}

// Channels returns the channels a target receives.
func (t Target) Channels() []string {
	switch t.Kind {
	case TargetSite:
		return []string{ChanPortal, ChanCatalog}
	case TargetSMTP:
		return []string{ChanEmail}
	case TargetMastodon, TargetBluesky:
		return []string{"social"}
	default:
		return []string{t.Channel}
	}
}

// validateTargets checks targets: kinds, required fields, env var names.
func (b *Brand) validateTargets(fail func(field, format string, args ...any)) {
	for id, t := range b.TargetConf {
		f := func(name string) string { return "targets." + id + "." + name }
		if !targetIDRE.MatchString(id) || id == SiteTarget {
			fail("targets."+id, "target names are lower-case letters, digits and dashes, and %q is reserved", SiteTarget)
		}
		env := func(name, v string, required bool) {
			switch {
			case v == "" && required:
				fail(f(name), "is required: the name of an environment variable holding it")
			case v != "" && !envNameRE.MatchString(v):
				// The value is not echoed: it may be the secret itself.
				fail(f(name), "must name an environment variable, like %sSMTP_PASSWORD (upper-case letters, digits, _); never put the secret itself here", EnvPrefix(b.ID))
			case v != "" && !BrandEnvAllowed(b.ID, v):
				fail(f(name), "names %s, which is not one of this brand's variables: a brand's targets may read only variables named %s<NAME>, like %sSMTP_PASSWORD", v, EnvPrefix(b.ID), EnvPrefix(b.ID))
			}
		}
		web := func(name, v string, required bool) {
			if v == "" && !required {
				return
			}
			u, err := url.Parse(v)
			if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil {
				fail(f(name), "must be an absolute http(s) URL without credentials, not %q", v)
			}
		}
		switch t.Kind {
		case TargetSMTP:
			env("host_env", t.HostEnv, true)
			env("port_env", t.PortEnv, false)
			env("username_env", t.UsernameEnv, false)
			env("password_env", t.PasswordEnv, false)
			if t.TLS != "" && t.TLS != "starttls" && t.TLS != "implicit" {
				fail(f("tls"), "must be starttls or implicit, not %q", t.TLS)
			}
			if t.To != ToSubscribers {
				if a, err := mail.ParseAddress(t.To); err != nil || a.Name != "" || strings.ContainsAny(t.To, "\r\n<>") {
					fail(f("to"), "must be %q or one plain address (a list or an ESP relay), not %q", ToSubscribers, t.To)
				}
			}
			if t.ReturnPath != "" {
				if a, err := mail.ParseAddress(t.ReturnPath); err != nil || a.Address != t.ReturnPath || strings.Contains(t.ReturnPath, "+") {
					fail(f("return_path"), "must be one plain address without a + (the token goes after one), like bounce@bounces.example.com, not %q", t.ReturnPath)
				}
				env("verp_key_env", t.VERPKeyEnv, true)
			} else if t.VERPKeyEnv != "" {
				fail(f("verp_key_env"), "is only used with return_path")
			}
			if t.Rate < 0 || t.Rate > 100_000 {
				fail(f("rate"), "must be between 0 and 100000 messages a second, not %g", t.Rate)
			}
			if t.Batch < 0 || t.Batch > MaxBatch {
				fail(f("batch"), "must be between 1 and %d recipients, not %d", MaxBatch, t.Batch)
			}
			if t.Connections < 0 || t.Connections > 100 {
				fail(f("connections"), "must be between 1 and 100, not %d", t.Connections)
			}
			if len(t.DomainRates) > 100 {
				fail(f("domain_rates"), "names %d domains; at most 100", len(t.DomainRates))
			}
			for _, d := range slices.Sorted(maps.Keys(t.DomainRates)) {
				if r := t.DomainRates[d]; !domainRE.MatchString(d) || r <= 0 || r > 100_000 {
					fail(f("domain_rates"), "%q: %g must be a lower-case domain with a rate between 0 and 100000 messages a second", d, r)
				}
			}
			if _, _, err := ParseWindow(t.Window); err != nil {
				fail(f("window"), "%v", err)
			}
			if t.Warmup != nil {
				t.Warmup.check(f("warmup"), fail)
			}
			if b.Email.FromAddress == "" {
				fail("email.from_address", "is required to send email (target %s)", id)
			}
		case TargetMastodon:
			web("instance", t.Instance, true)
			env("token_env", t.TokenEnv, true)
		case TargetBluesky:
			web("service", t.Service, false)
			if t.Identifier == "" {
				fail(f("identifier"), "is required: the account's handle or DID")
			}
			env("password_env", t.PasswordEnv, true)
		case TargetWebhook:
			web("url", t.URL, true)
			env("secret_env", t.SecretEnv, true)
			switch t.Channel {
			case ChanEmail, ChanPortal, ChanCatalog:
			case "social":
				if t.Network == "" {
					fail(f("network"), "is required for social: which network's posts (x, linkedin, threads, facebook, mastodon, bluesky)")
				}
			default:
				fail(f("channel"), "must be email, social, portal or catalog, not %q", t.Channel)
			}
		default:
			fail(f("kind"), "must be smtp, mastodon, bluesky or webhook, not %q", t.Kind)
		}
		if (t.ReturnPath != "" || t.VERPKeyEnv != "") && t.Kind != TargetSMTP {
			fail(f("return_path"), "is only for smtp targets")
		}
		if t.Warmup != nil && t.Kind != TargetSMTP {
			fail(f("warmup"), "is only for smtp targets")
		}
		if t.Network != "" && t.Kind != TargetWebhook {
			fail(f("network"), "is only for webhooks")
		}
		for _, h := range t.AllowHosts {
			if h == "" || strings.ContainsAny(h, "/ ") {
				fail(f("allow_hosts"), "entries are host names or addresses, not %q", h)
			}
		}
	}
}

// TargetNetwork is the social network whose posts t receives, "" for
// targets of other channels.
func (t Target) TargetNetwork() string {
	switch t.Kind {
	case TargetMastodon:
		return NetMastodon
	case TargetBluesky:
		return NetBluesky
	}
	return t.Network
}

func (t Target) String() string { return fmt.Sprintf("%s (%s)", t.ID, t.Kind) }
