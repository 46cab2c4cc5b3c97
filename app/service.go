// Package app is crosscast's application service: the one layer through
// which every change of domain state goes. It submits and validates
// items, previews drafts, imports brand kits, renders a channel of an
// item version, builds a brand's index, schedules, cancels and starts
// publications, delivers to targets, unpublishes, reconciles the store
// with the queue and collects garbage. It holds the store, the
// renderers, the publishers of every target kind and a Queue; it does not
// know which queue that is (the worker package runs its tasks over
// asynq, and gives it the Queue).
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/digest"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// Service is the application service. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	queue     Queue
	renderers map[string]renderers.Renderer
	catalog   publish.IndexRenderer // builds brand indexes; nil without the catalog channel
	digest    *digest.Renderer      // renders digests' emails; nil without the email channel
	brands    *Brands
	metrics   *Metrics
	log       *slog.Logger

	validateTimeout time.Duration
	gc              store.GCLimits

	publishers *publish.Publishers    // one per target kind
	site       *publish.SitePublisher // also unpublishes
	smtp       *publish.SMTPPublisher // also sends batches
	limiter    publish.Limiter        // paces email across processes; nil: per process
	allowance  publish.Allowance      // warm-up caps, across processes or per process
	progress   progressGauges
	publicURL  string
	getenv     func(string) string
	now        func() time.Time

	keyMu  sync.Mutex
	subKey []byte // see subscriberKey

	sources *sourceParts // feed clients and the HTML converter
}

// Config holds a service's parts.
type Config struct {
	Store *store.DB
	// Queue carries the tasks the service plans.
	Queue     Queue
	Renderers []renderers.Renderer
	Metrics   *Metrics // nil: not collected
	Logger    *slog.Logger
	// Site is where brands' static sites are published; nil: no site.
	Site *publish.Site
	// PublicURL is where this installation's server is reachable
	// (https://crosscast.example.com): tracked links point at its /r/.
	// Empty leaves links untracked.
	PublicURL string
	// Getenv reads the secrets targets name; nil means os.Getenv.
	Getenv func(string) string
	// HTTPClient makes the outbound client for a target; nil means
	// publish.NewHTTPClient with the target's allowed hosts. One client
	// is made per distinct allow-list and kept.
	HTTPClient func(allow []string) *http.Client
	// SMTPTLS verifies SMTP servers; nil means the system roots.
	SMTPTLS *tls.Config
	// Now is the clock a sent message's Date, and the day of a target's
	// warm-up schedule, come from; nil means time.Now.
	Now func() time.Time
	// ValidateTimeout bounds validating one submission or draft, which
	// runs inside an HTTP request; 0 means DefaultValidateTimeout.
	ValidateTimeout time.Duration
	// GC bounds the reconciler's garbage collection per pass; zero
	// fields take store.GCLimits' defaults.
	GC store.GCLimits
	// Limiter paces email per target and domain across every worker
	// process (the worker's Redis bucket); nil paces each process alone.
	Limiter publish.Limiter
	// Allowance holds targets' warm-up daily caps across every worker
	// process (the worker's Redis count); nil holds them per process.
	Allowance publish.Allowance
}

// New returns a service.
func New(cfg Config) *Service {
	s := &Service{
		db:        cfg.Store,
		queue:     cfg.Queue,
		renderers: map[string]renderers.Renderer{},
		brands:    NewBrands(cfg.Store),
		metrics:   cfg.Metrics,
		log:       cfg.Logger,

		validateTimeout: cfg.ValidateTimeout,
		gc:              cfg.GC,

		publicURL: strings.TrimRight(cfg.PublicURL, "/"),
		getenv:    cfg.Getenv,
		now:       cfg.Now,
		limiter:   cfg.Limiter,
		allowance: cfg.Allowance,
	}
	if s.allowance == nil {
		s.allowance = &publish.LocalAllowance{}
	}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.validateTimeout <= 0 {
		s.validateTimeout = DefaultValidateTimeout
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(nil)
	}
	for _, r := range cfg.Renderers {
		s.renderers[r.Channel()] = r
		if ir, ok := r.(publish.IndexRenderer); ok {
			s.catalog = ir
		}
		if er, ok := r.(*email.Renderer); ok {
			s.digest = digest.New(er)
		}
	}
	s.publishers, s.site = s.newPublishers(cfg)
	s.sources = newSourceParts(cfg)
	return s
}

// Channels lists the channels this service renders.
func (s *Service) Channels() []string {
	return slices.Sorted(maps.Keys(s.renderers))
}

// BuildsIndexes reports whether this service builds brand indexes (it
// has the catalog channel).
func (s *Service) BuildsIndexes() bool { return s.catalog != nil }

// Ping checks the queue answers before ctx ends.
func (s *Service) Ping(ctx context.Context) error { return s.queue.Ping(ctx) }

// Plan returns the work for an item version on queue: one rendering per
// channel and the fan-out task that enqueues them.
func (s *Service) Plan(queue string) store.PlanFunc {
	return func(itemID string, version int, brandHash string) (store.Plan, error) {
		var plan store.Plan
		for _, ch := range s.Channels() {
			plan.Renderings = append(plan.Renderings, store.NewRendering{
				Channel: ch, Queue: queue, TaskID: tasks.RenderTaskID(itemID, version, ch, brandHash),
			})
		}
		t, err := tasks.NewItemRenderTask(tasks.ItemRenderPayload{ItemID: itemID, Version: version, BrandHash: brandHash}, queue)
		if err != nil {
			return store.Plan{}, err
		}
		plan.Tasks = []store.Task{t}
		return plan, nil
	}
}

// Dispatch enqueues committed outbox tasks and deletes each row once its
// task is in the queue. A task already there (same ID) counts as
// enqueued. A failure leaves the row for the reconciler.
func (s *Service) Dispatch(ctx context.Context, ts []store.Task) error {
	var errs []error
	for _, t := range ts {
		if err := s.queue.Enqueue(ctx, t); err != nil {
			errs = append(errs, err)
			continue
		}
		// Deleted at once, not with the rest: a row left behind is
		// enqueued again by the reconciler, and once its task has run
		// (asynq keeps no finished tasks) that runs it a second time.
		if t.OutboxID != 0 {
			if err := s.db.DeleteOutbox(ctx, t.OutboxID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
