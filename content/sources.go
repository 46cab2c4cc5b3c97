package content

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Source kinds: where a brand's items come from besides its writers.
const (
	SourceFeed   = "feed"   // an RSS 2.0, Atom 1.0 or JSON Feed 1.1 URL
	SourceFolder = "folder" // a local Hugo or Jekyll content tree
)

// Source policies: what happens to an item a source brings in.
const (
	PolicyDraft        = "draft"         // it waits for an editor's approval
	PolicyAutoPublish  = "auto_publish"  // it is published once rendered
	PolicyPublishAfter = "publish_after" // it is published PublishAfter after it is rendered, unless an editor stops it
)

// Source is one place a brand's items are imported from, declared under
// sources: in brand.yaml by its id.
type Source struct {
	ID   string `yaml:"-"`
	Kind string `yaml:"kind"`
	URL  string `yaml:"url"`  // feed
	Path string `yaml:"path"` // folder: an absolute path on the worker's machine
	// Compat is the folder's dialect (hugo or jekyll); empty means the
	// brand's, else hugo.
	Compat string `yaml:"compat"`
	// Policy is draft (the default), auto_publish or publish_after.
	Policy string `yaml:"policy"`
	// PublishAfter, like 2h, is the delay for policy publish_after;
	// setting it alone implies that policy.
	PublishAfter string `yaml:"publish_after"`
	// Channels and Targets narrow what a published item goes to; empty
	// means all of the brand's.
	Channels []string `yaml:"channels"`
	Targets  []string `yaml:"targets"`
	// Tags keeps only entries carrying one of them; empty keeps all.
	Tags []string `yaml:"tags"`
	// Since, a date (2026-01-02) or RFC 3339 time, skips older entries,
	// so an existing archive is not re-posted on the first run.
	Since string `yaml:"since"`
	// Every is how often a feed is polled (default 30m, at least 1m).
	Every string `yaml:"every"`
	// AllowHosts lets a feed (and its images) be fetched from hosts on
	// private, loopback or link-local addresses, as for targets.
	AllowHosts []string `yaml:"allow_hosts"`

	// Parsed from the fields above by validation.
	Delay     time.Duration `yaml:"-"`
	SinceTime time.Time     `yaml:"-"`
	Interval  time.Duration `yaml:"-"`
}

// DefaultSourceEvery is how often a feed is polled when every: is unset.
const DefaultSourceEvery = 30 * time.Minute

// MaxSources bounds the sources one brand declares.
const MaxSources = 50

var sourceIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// SourceList returns the brand's sources by id.
func (b *Brand) SourceList() []Source {
	out := make([]Source, 0, len(b.SourceConf))
	for _, id := range slices.Sorted(maps.Keys(b.SourceConf)) {
		s := b.SourceConf[id]
		s.ID = id
		out = append(out, s)
	}
	return out
}

// Source returns the source id, or false.
func (b *Brand) Source(id string) (Source, bool) {
	s, ok := b.SourceConf[id]
	s.ID = id
	return s, ok
}

// Wants reports whether a published item from s goes to channel on
// target.
func (s Source) Wants(channel, target string) bool {
	return (len(s.Channels) == 0 || slices.Contains(s.Channels, channel)) &&
		(len(s.Targets) == 0 || slices.Contains(s.Targets, target))
}

// KeepsTags reports whether an entry with tags passes the tag filter.
func (s Source) KeepsTags(tags []string) bool {
	if len(s.Tags) == 0 {
		return true
	}
	for _, t := range tags {
		if slices.ContainsFunc(s.Tags, func(w string) bool { return strings.EqualFold(w, t) }) {
			return true
		}
	}
	return false
}

// validateSources checks sources: and fills in the parsed fields.
func (b *Brand) validateSources(fail func(field, format string, args ...any)) {
	if len(b.SourceConf) > MaxSources {
		fail("sources", "declares %d sources; the limit is %d", len(b.SourceConf), MaxSources)
		return
	}
	targets := map[string]bool{SiteTarget: true}
	for id := range b.TargetConf {
		targets[id] = true
	}
	for _, id := range slices.Sorted(maps.Keys(b.SourceConf)) {
		s := b.SourceConf[id]
		f := func(name string) string { return "sources." + id + "." + name }
		if !sourceIDRE.MatchString(id) {
			fail("sources."+id, "source names are lower-case letters, digits and dashes (at most 40), not %q", id)
		}
		switch s.Kind {
		case SourceFeed:
			u, err := url.Parse(s.URL)
			if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil {
				fail(f("url"), "must be an absolute http(s) URL without credentials, not %q", s.URL)
			}
			if s.Path != "" {
				fail(f("path"), "is for folder sources; a feed has a url")
			}
		case SourceFolder:
			if !strings.HasPrefix(s.Path, "/") || strings.Contains(s.Path, "\x00") {
				fail(f("path"), "must be an absolute path to a Hugo or Jekyll content folder, not %q", s.Path)
			}
			if s.URL != "" {
				fail(f("url"), "is for feed sources; a folder has a path")
			}
			if len(s.AllowHosts) > 0 {
				fail(f("allow_hosts"), "is for feed sources")
			}
		case "":
			fail(f("kind"), "is required: feed or folder")
		default:
			fail(f("kind"), "must be feed or folder, not %q", s.Kind)
		}
		if s.Compat != "" && s.Compat != CompatHugo && s.Compat != CompatJekyll {
			fail(f("compat"), "must be hugo or jekyll, not %q", s.Compat)
		}
		if s.Compat == "" && s.Kind == SourceFolder {
			s.Compat = b.Compat
			if s.Compat == "" {
				s.Compat = CompatHugo
			}
		}
		if s.PublishAfter != "" {
			d, err := time.ParseDuration(s.PublishAfter)
			if err != nil || d <= 0 || d > 30*24*time.Hour {
				fail(f("publish_after"), "must be a duration like 2h or 30m, at most 720h, not %q", s.PublishAfter)
			}
			s.Delay = d
			if s.Policy == "" {
				s.Policy = PolicyPublishAfter
			}
		}
		switch s.Policy {
		case "":
			s.Policy = PolicyDraft
		case PolicyDraft, PolicyAutoPublish:
			if s.PublishAfter != "" {
				fail(f("publish_after"), "is only used with policy publish_after, and this source's policy is %s", s.Policy)
			}
		case PolicyPublishAfter:
			if s.PublishAfter == "" {
				fail(f("publish_after"), "is required with policy publish_after: how long an editor has to stop it, like 2h")
			}
		default:
			fail(f("policy"), "must be draft, auto_publish or publish_after, not %q", s.Policy)
		}
		for _, ch := range s.Channels {
			if !slices.Contains([]string{ChanEmail, ChanSocial, ChanPortal, ChanCatalog}, ch) {
				fail(f("channels"), "entries are email, social, portal or catalog, not %q", ch)
			}
		}
		for _, t := range s.Targets {
			if !targets[t] {
				msg := fmt.Sprintf("names target %q, which the brand does not declare", t)
				if sg := suggest(t, slices.Collect(maps.Keys(targets))); sg != "" {
					msg += ", did you mean `" + sg + "`?"
				}
				fail(f("targets"), "%s", msg)
			}
		}
		if s.Since != "" {
			t, err := time.Parse(time.RFC3339, s.Since)
			if err != nil {
				t, err = time.Parse("2006-01-02", s.Since)
			}
			if err != nil {
				fail(f("since"), "must be a date like 2026-01-31 or an RFC 3339 time, not %q", s.Since)
			}
			s.SinceTime = t
		}
		s.Interval = DefaultSourceEvery
		if s.Every != "" {
			d, err := time.ParseDuration(s.Every)
			if err != nil || d < time.Minute || d > 7*24*time.Hour {
				fail(f("every"), "must be a duration between 1m and 168h, like 30m, not %q", s.Every)
			}
			s.Interval = d
		}
		for _, h := range s.AllowHosts {
			if h == "" || strings.ContainsAny(h, "/ ") {
				fail(f("allow_hosts"), "entries are host names or addresses, not %q", h)
			}
		}
		b.SourceConf[id] = s
	}
}
