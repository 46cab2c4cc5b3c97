package publish

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/crosscast/crosscast/content"
)

// Publisher delivers one channel's rendering of an item version to one
// kind of target. A publisher may be called again with the same Job
// after a failure; it passes the job's idempotency key on to the target
// where the target takes one.
type Publisher interface {
	// Kind is the target kind it serves (content.TargetSite, ...).
	Kind() string
	// Deliver sends the job. An error wrapping ErrPermanent is not worth
	// retrying, one wrapping ErrAmbiguous may have been sent; any other
	// is retried with the same job. Posted may come with ErrAmbiguous.
	Deliver(ctx context.Context, j Job) (*Posted, error)
}

// Job is everything one delivery needs. The worker builds it from the
// ledger and the store; publishers see nothing of either.
type Job struct {
	// Delivery is the ledger row's identity.
	Delivery Delivery
	Target   content.Target
	Brand    *content.Brand
	Item     *content.Item
	Links    *content.LinkPlan
	// PublishAt is the publication's time: the same on every retry, so
	// anything stamped with it (a webhook's timestamp, a Bluesky post's
	// createdAt) comes out the same.
	PublishAt time.Time

	// File returns one rendered file of the delivery's version; a file
	// the rendering lacks is a permanent error.
	File func(ctx context.Context, channel, name string) ([]byte, error)
	// Files returns every rendered file of one channel of the version,
	// by name.
	Files func(ctx context.Context, channel string) (map[string][]byte, error)
	// Published returns the file name of channel of every item of the
	// brand now on its site, by item id (the site's index is built from
	// the catalog entries).
	Published func(ctx context.Context, channel, name string) (map[string][]byte, error)
	// Secret reads a secret a target names (an environment variable);
	// "" when it is not set.
	Secret func(name string) string
	// FormerPages returns the site folders the item's page was published
	// at before (a slug since changed); nil: none.
	FormerPages func(ctx context.Context) ([]string, error)
	// Track makes the delivery's links tracked.
	Track Tracker
	// Recipients is the ledger of an email delivery's recipients.
	Recipients Recipients
	// Now is the clock a message's send time comes from.
	Now func() time.Time
	// LinkQuery, when set, gives each email recipient their own query on
	// the tracked links (an A/B test's click token); the message is
	// rendered and parsed once either way.
	LinkQuery *LinkQuery
}

// LinkQuery is a query each recipient gets on every tracked link: links
// under Prefix (the public server's /r/) get For(address).
type LinkQuery struct {
	Prefix string
	For    func(addr string) string
}

// Delivery names one ledger row: an item version's channel (and A/B
// variant) to one target.
type Delivery struct {
	ItemID  string
	Version int
	Channel string
	Variant string
	// Key is the ledger key; KeyHash is its short hash, the idempotency
	// key targets see (Mastodon's Idempotency-Key, the webhook-id).
	Key, KeyHash string
}

// Tracker turns links into tracked ones (/r/<code> on the public
// server) and stores them; Save must succeed before anything carrying a
// tracked link goes out.
type Tracker interface {
	URL(u string) string
	Save(ctx context.Context) error
}

// Recipients is one email delivery's recipients in the ledger. Each is
// claimed before its message is handed over and finished after, so a
// crash in between leaves that one recipient unknown.
type Recipients interface {
	// List returns the delivery's recipients, adding addrs the first
	// time, or the brand's subscribers when subscribers is set.
	List(ctx context.Context, addrs []string, subscribers bool) ([]Recipient, error)
	// Claim marks a recipient sending; false means it must be skipped
	// (another attempt has it, or a crash left it unknown).
	Claim(ctx context.Context, addr string) (bool, error)
	// Finish records a recipient's outcome; messageID is set when sent.
	Finish(ctx context.Context, addr, status, messageID, errText string) error
	// All returns the recipients as they stand.
	All(ctx context.Context) ([]Recipient, error)
}

// Recipient is one address of an email delivery.
type Recipient struct {
	Address string
	Status  string // one of the Status constants
	Error   string
	// Token is a subscriber's unsubscribe token ("" for a fixed address).
	Token string
}

// The states of a recipient, as the ledger names them.
const (
	StatusPending    = "pending"
	StatusSending    = "sending"
	StatusSent       = "sent"
	StatusFailed     = "failed"
	StatusUnknown    = "unknown"
	StatusSuppressed = "suppressed"
)

// secret reads the secret a target field names; a named secret that is
// not set is a permanent error, a field left empty gives "".
func (j *Job) secret(field, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	v := j.Secret(name)
	if v == "" {
		return "", ErrPermanentf("target %s: %s names %s, which is not set on this worker", j.Target.ID, field, name)
	}
	return v, nil
}

// Publishers finds the publisher of a target kind.
type Publishers struct {
	byKind map[string]Publisher
}

// NewPublishers registers ps by their kinds; two for one kind is a
// wiring mistake and panics.
func NewPublishers(ps ...Publisher) *Publishers {
	r := &Publishers{byKind: map[string]Publisher{}}
	for _, p := range ps {
		if _, dup := r.byKind[p.Kind()]; dup {
			panic(fmt.Sprintf("publish: two publishers for target kind %q", p.Kind()))
		}
		r.byKind[p.Kind()] = p
	}
	return r
}

// Lookup returns the publisher of kind.
func (r *Publishers) Lookup(kind string) (Publisher, bool) {
	p, ok := r.byKind[kind]
	return p, ok
}

// Kinds lists the registered kinds.
func (r *Publishers) Kinds() []string { return slices.Sorted(maps.Keys(r.byKind)) }

// logger returns l, or one that discards.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
