package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/tasks"
)

// Handler runs crosscast's tasks: it decodes each payload, runs a
// suspect task alone, calls the service, and tells asynq whether a
// failure is worth a retry.
type Handler struct {
	svc       *app.Service
	queue     *Queue
	log       *slog.Logger
	isolation *isolation
}

// NewHandler returns the handler of svc's tasks, enqueued on q.
func NewHandler(svc *app.Service, q *Queue, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, queue: q, log: log, isolation: newIsolation()}
}

// Mux returns the handler for every task type the service runs.
func (h *Handler) Mux() asynq.Handler {
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeItemRender, h.handleItemRender)
	mux.HandleFunc(tasks.TypeItemsRender, h.handleItemsRender)
	for _, ch := range h.svc.Channels() {
		mux.HandleFunc(tasks.TypeRenderPrefix+ch, h.handleRender)
	}
	if h.svc.BuildsIndexes() {
		mux.HandleFunc(tasks.TypeIndexBuild, h.handleIndexBuild)
	}
	mux.HandleFunc(tasks.TypePublishItem, h.handlePublishItem)
	for _, k := range h.svc.DeliveryKinds() {
		mux.HandleFunc(tasks.TypeDeliverPrefix+k, h.handleDeliver)
	}
	mux.HandleFunc(tasks.TypeSubscriberConfirm, h.handleSubscriberConfirm)
	mux.HandleFunc(tasks.TypeExperimentDecide, h.handleExperimentDecide)
	mux.HandleFunc(tasks.TypeDigestRun, h.handleDigestRun)
	mux.HandleFunc(tasks.TypeSourcePoll, h.handleSourcePoll)
	mux.HandleFunc(tasks.TypeDeliverBatch, h.handleDeliverBatch)
	return mux
}

// retry maps the service's errors to asynq's: a failure retrying cannot
// fix (the input is bad, a renderer or target refused it) is not retried.
func retry(err error) error {
	if err != nil && app.IsPermanent(err) {
		return permanent(err)
	}
	return err
}

// permanent tells asynq not to retry.
func permanent(err error) error { return fmt.Errorf("%w (%w)", err, asynq.SkipRetry) }

// decode reads t's payload; a payload no handler can use is permanent.
func decode[P tasks.Payload](t *asynq.Task) (P, error) {
	p, err := tasks.Decode[P](t.Type(), t.Payload())
	if err != nil {
		return p, permanent(err)
	}
	return p, nil
}

// lastAttempt reports whether the task ctx runs is on its last retry.
func lastAttempt(ctx context.Context) bool {
	n, ok := asynq.GetRetryCount(ctx)
	if !ok {
		return false
	}
	m, _ := asynq.GetMaxRetry(ctx)
	return n >= m
}

func (h *Handler) handleSubscriberConfirm(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.SubscriberConfirmPayload](t)
	if err != nil {
		return err
	}
	return retry(h.svc.SendConfirmation(ctx, pl))
}

func (h *Handler) handleItemRender(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.ItemRenderPayload](t)
	if err != nil {
		return err
	}
	inline, err := h.svc.FanOut(ctx, pl)
	if err != nil || len(inline) == 0 {
		return retry(err)
	}
	return retry(h.svc.RenderInline(ctx, inline, h.queue.timeout(tasks.TypeRenderPrefix), h.turn))
}

func (h *Handler) handleItemsRender(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.ItemsRenderPayload](t)
	if err != nil {
		return err
	}
	queue, _ := asynq.GetQueueName(ctx)
	if queue == "" {
		queue = tasks.QueueLow
	}
	return retry(h.svc.RenderItems(ctx, pl, queue, h.queue.timeout(tasks.TypeRenderPrefix), h.turn))
}

// turn takes a share of the process for one inline rendering, not for
// the whole task: a suspect waiting to run alone gets its turn between
// two.
func (h *Handler) turn(ctx context.Context) (func(), error) { return h.isolation.enter(ctx, false) }

func (h *Handler) handleRender(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.RenderPayload](t)
	if err != nil {
		return err
	}
	if !h.svc.RendersChannel(pl.Channel) {
		// A worker built without this channel; another worker may have it.
		return fmt.Errorf("this worker does not render channel %q", pl.Channel)
	}
	unended, err := h.svc.RenderSuspect(ctx, pl)
	if err != nil {
		return err
	}
	suspect := unended > 0
	if suspect {
		h.log.Warn("a run of this rendering never ended; running it alone",
			"item", pl.ItemID, "version", pl.Version, "channel", pl.Channel, "unended", unended)
	}
	leave, err := h.isolation.enter(ctx, suspect)
	if err != nil {
		return err
	}
	defer leave()
	return retry(h.svc.Render(ctx, pl))
}

func (h *Handler) handleIndexBuild(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.IndexBuildPayload](t)
	if err != nil {
		return err
	}
	return retry(h.svc.BuildIndex(ctx, pl))
}

func (h *Handler) handleDigestRun(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.DigestRunPayload](t)
	if err != nil {
		return err
	}
	_, err = h.svc.RunDigest(ctx, pl)
	return retry(err)
}

func (h *Handler) handlePublishItem(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.PublishItemPayload](t)
	if err != nil {
		return err
	}
	return retry(h.svc.StartPublication(ctx, pl, lastAttempt(ctx)))
}

func (h *Handler) handleDeliver(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.DeliverPayload](t)
	if err != nil {
		return err
	}
	suspect, err := h.svc.DeliverySuspect(ctx, pl.Key)
	if err != nil {
		return err
	}
	if suspect {
		h.log.Warn("a run of this delivery never ended; running it alone", "key", pl.Key)
	}
	leave, err := h.isolation.enter(ctx, suspect)
	if err != nil {
		return err
	}
	defer leave()
	return retry(h.svc.Deliver(ctx, pl.Key, lastAttempt(ctx)))
}

func (h *Handler) handleExperimentDecide(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.ExperimentDecidePayload](t)
	if err != nil {
		return err
	}
	return retry(h.svc.DecideExperiment(ctx, pl))
}

// onError runs when a task fails. A render task's failure worth a retry
// goes to the service, which gives it up when it has had enough
// (app.Service.RenderFailed); the rest is only logged.
func (h *Handler) onError(ctx context.Context, t *asynq.Task, err error) {
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	if errors.Is(err, tasks.ErrBadPayload) {
		h.log.Error("bad task payload", "type", t.Type(), "payload", string(t.Payload()), "err", err)
		return
	}
	pl, derr := decode[tasks.RenderPayload](t)
	if !strings.HasPrefix(t.Type(), tasks.TypeRenderPrefix) || errors.Is(err, asynq.SkipRetry) || derr != nil {
		h.log.Log(ctx, slog.LevelWarn, "task failed", "type", t.Type(), "retried", retried, "err", err)
		return
	}
	h.svc.RenderFailed(ctx, pl, err, retried, maxRetry, h.queue.timeout(t.Type()))
}

func (h *Handler) handleDeliverBatch(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.DeliverBatchPayload](t)
	if err != nil {
		return err
	}
	return retry(h.svc.DeliverBatch(ctx, pl.Key, pl.Batch, lastAttempt(ctx)))
}
