package worker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/store"
)

// Pipeline holds what the submit path, the task handlers and the
// reconciler share. It is safe for concurrent use.
type Pipeline struct {
	db            *store.DB
	client        *asynq.Client
	inspector     *asynq.Inspector
	probe         redis.UniversalClient // for Ping, which needs a context the inspector does not take; nil if the options make another kind
	renderers     map[string]renderers.Renderer
	catalog       publish.IndexRenderer // builds brand indexes; nil without the catalog channel
	brands        *Brands
	metrics       *Metrics
	log           *slog.Logger
	maxRetry      int
	renderTimeout time.Duration // a render task's deadline

	validateTimeout time.Duration
	gc              store.GCLimits
	isolation       *isolation

	publishers *publish.Publishers    // one per target kind
	site       *publish.SitePublisher // also unpublishes
	publicURL  string
	getenv     func(string) string
	now        func() time.Time
}

// Config holds a pipeline's parts.
type Config struct {
	Store     *store.DB
	Redis     asynq.RedisConnOpt
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
	// RenderTimeout is a render task's deadline, in whole seconds; 0
	// means 2 minutes. A
	// render that runs past it twice is given up. Web nodes and workers
	// should agree: the web node sets it when it enqueues.
	RenderTimeout time.Duration
	// MaxRetry bounds retries of a task that fails for a passing reason
	// (the database or Redis away); 0 means 8.
	MaxRetry int
	// Now is the clock a sent message's Date comes from; nil means
	// time.Now.
	Now func() time.Time
	// ValidateTimeout bounds validating one submission or draft, which
	// runs inside an HTTP request; 0 means DefaultValidateTimeout.
	ValidateTimeout time.Duration
	// GC bounds the reconciler's garbage collection per pass; zero
	// fields take store.GCLimits' defaults.
	GC store.GCLimits
}

// New returns a pipeline. Close it to release its Redis connections.
func New(cfg Config) *Pipeline {
	p := &Pipeline{
		db:            cfg.Store,
		client:        asynq.NewClient(cfg.Redis),
		inspector:     asynq.NewInspector(cfg.Redis),
		renderers:     map[string]renderers.Renderer{},
		brands:        NewBrands(cfg.Store),
		metrics:       cfg.Metrics,
		log:           cfg.Logger,
		maxRetry:      cfg.MaxRetry,
		renderTimeout: cfg.RenderTimeout,

		validateTimeout: cfg.ValidateTimeout,
		gc:              cfg.GC,
		isolation:       newIsolation(),

		publicURL: strings.TrimRight(cfg.PublicURL, "/"),
		getenv:    cfg.Getenv,
		now:       cfg.Now,
	}
	if p.getenv == nil {
		p.getenv = os.Getenv
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.validateTimeout <= 0 {
		p.validateTimeout = DefaultValidateTimeout
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.renderTimeout <= 0 {
		p.renderTimeout = 2 * time.Minute
	}
	p.renderTimeout = max(p.renderTimeout.Truncate(time.Second), time.Second) // asynq counts whole seconds
	if p.maxRetry <= 0 {
		p.maxRetry = 8
	}
	if p.metrics == nil {
		p.metrics = NewMetrics(nil)
	}
	for _, r := range cfg.Renderers {
		p.renderers[r.Channel()] = r
		if ir, ok := r.(publish.IndexRenderer); ok {
			p.catalog = ir
		}
	}
	p.publishers, p.site = p.newPublishers(cfg)
	p.probe, _ = cfg.Redis.MakeRedisClient().(redis.UniversalClient)
	return p
}

// Close releases the Redis connections.
func (p *Pipeline) Close() error {
	err := errors.Join(p.client.Close(), p.inspector.Close())
	if p.probe != nil {
		err = errors.Join(err, p.probe.Close())
	}
	return err
}

// Channels lists the channels this pipeline renders.
func (p *Pipeline) Channels() []string {
	return slices.Sorted(maps.Keys(p.renderers))
}

// Inspector gives the queue monitor and health checks access to Redis.
func (p *Pipeline) Inspector() *asynq.Inspector { return p.inspector }

// Ping checks Redis answers before ctx ends. asynq's inspector takes no
// context, so the probe uses a go-redis client of its own, made once from
// the same connection options and reused by every probe. That client does
// not honour ctx deadlines on reads either (asynq leaves
// ContextTimeoutEnabled off), so the probe runs aside and Ping returns
// when ctx ends; the probe then ends within its own dial and read
// timeouts.
func (p *Pipeline) Ping(ctx context.Context) error {
	if p.probe == nil {
		return errors.New("redis: the connection options make no go-redis client to probe with")
	}
	done := make(chan error, 1)
	go func() { done <- p.probe.Ping(ctx).Err() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Plan returns the work for an item version on queue: one rendering per
// channel and the fan-out task that enqueues them.
func (p *Pipeline) Plan(queue string) store.PlanFunc {
	return func(itemID string, version int, brandHash string) (store.Plan, error) {
		var plan store.Plan
		for _, ch := range p.Channels() {
			plan.Renderings = append(plan.Renderings, store.NewRendering{
				Channel: ch, Queue: queue, TaskID: RenderTaskID(itemID, version, ch, brandHash),
			})
		}
		t, err := NewItemRenderTask(ItemRenderPayload{ItemID: itemID, Version: version, BrandHash: brandHash}, queue)
		if err != nil {
			return store.Plan{}, err
		}
		plan.Tasks = []store.Task{t}
		return plan, nil
	}
}

// Dispatch enqueues committed outbox tasks and deletes each row once its
// task is in Redis. A task already there (same ID) counts as enqueued. A
// failure leaves the row for the reconciler.
func (p *Pipeline) Dispatch(ctx context.Context, tasks []store.Task) error {
	var errs []error
	for _, t := range tasks {
		if err := p.enqueue(ctx, t); err != nil {
			errs = append(errs, err)
			continue
		}
		if t.OutboxID != 0 {
			if err := p.db.DeleteOutbox(ctx, t.OutboxID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (p *Pipeline) enqueue(ctx context.Context, t store.Task) error {
	opts := []asynq.Option{
		asynq.TaskID(t.ID), asynq.Queue(t.Queue), asynq.Timeout(p.timeout(t.Type)), asynq.MaxRetry(p.maxRetry),
	}
	if !t.ProcessAt.IsZero() {
		opts = append(opts, asynq.ProcessAt(t.ProcessAt))
	}
	_, err := p.client.EnqueueContext(ctx, asynq.NewTask(t.Type, t.Payload), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", t.ID, err)
	}
	return nil
}
