// Package tasks holds every queue task crosscast runs: its type, queue,
// payload, task ID and constructor, and the decoding of a payload. It is
// below both the application service, which writes tasks to the outbox
// in the same transaction as the change that causes them, and the
// worker, which runs them; it knows nothing of the queue itself.
package tasks

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crosscast/crosscast/store"
)

// This file holds every task the worker runs: its type, payload, task ID
// and constructor. Type strings, JSON field names and IDs are a wire
// format: tasks queued by an older version, in Redis or in the outbox,
// must still be handled, so they never change.

// Task types. item:render fans out to one render:<channel> per channel;
// a finished rendering may plan an index:build; publish:item starts an
// approved version and enqueues one deliver:<kind> per other delivery.
const (
	TypeItemRender = "item:render"
	// TypeItemsRender renders every channel of a group of item versions
	// after a brand change, item after item, in the one task.
	TypeItemsRender   = "items:render"
	TypeRenderPrefix  = "render:"
	TypeIndexBuild    = "index:build"
	TypePublishItem   = "publish:item"
	TypeDeliverPrefix = "deliver:"
	// TypeSubscriberConfirm sends a sign-up its confirmation email.
	TypeSubscriberConfirm = "subscriber:confirm"
	// TypeExperimentDecide ends an email A/B test after its wait: it
	// picks the winner and sends it to the rest of the segment.
	TypeExperimentDecide = "experiment:decide"
	// TypeDeliverBatch sends one batch of an email delivery's recipients.
	// It is not a target kind: "batch" cannot name one.
	TypeDeliverBatch = "deliver:batch"
)

// Queues, by urgency: renders of newly submitted items first, then
// publishing, then bulk re-renders after a brand change.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queues returns the queue weights a worker serves.
func Queues() map[string]int {
	return map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}
}

// ItemRenderPayload asks for every channel of one item version.
type ItemRenderPayload struct {
	ItemID    string `json:"item_id"`
	Version   int    `json:"version"`
	BrandHash string `json:"brand_hash"`
}

func (p ItemRenderPayload) Valid() bool { return p.ItemID != "" && p.Version >= 1 }

// ItemRef names one item version.
type ItemRef struct {
	ItemID  string `json:"item_id"`
	Version int    `json:"version"`
}

// ItemsRenderPayload asks for every channel of each of a brand change's
// group of item versions, made with brand version BrandHash.
type ItemsRenderPayload struct {
	BrandHash string    `json:"brand_hash"`
	Items     []ItemRef `json:"items"`
}

func (p ItemsRenderPayload) Valid() bool {
	if p.BrandHash == "" || len(p.Items) == 0 || len(p.Items) > ItemsRenderMax {
		return false
	}
	for _, it := range p.Items {
		if it.ItemID == "" || it.Version < 1 {
			return false
		}
	}
	return true
}

// ItemsRenderMax is the most item versions one items:render task
// renders: a brand change of a thousand items is fifty tasks, not a
// thousand, yet one task holds a worker for seconds, not minutes.
const ItemsRenderMax = 20

// RenderPayload asks for one channel of one item version, made with one
// brand version.
type RenderPayload struct {
	ItemID    string `json:"item_id"`
	Version   int    `json:"version"`
	Channel   string `json:"channel"`
	BrandHash string `json:"brand_hash"`
}

func (p RenderPayload) Valid() bool { return p.ItemID != "" && p.Version >= 1 && p.Channel != "" }

// IndexBuildPayload asks for brand's index as of change Gen.
type IndexBuildPayload struct {
	Brand string `json:"brand"`
	Gen   int    `json:"gen"`
}

func (p IndexBuildPayload) Valid() bool { return p.Brand != "" && p.Gen >= 1 }

// PublishItemPayload starts generation Gen of a publication; a task of
// an older generation (rescheduled since) finds nothing to do.
type PublishItemPayload struct {
	ItemID  string `json:"item_id"`
	Version int    `json:"version"`
	Gen     int    `json:"gen"`
}

func (p PublishItemPayload) Valid() bool { return p.ItemID != "" && p.Version >= 1 && p.Gen >= 1 }

// DeliverPayload sends one ledger row, by its idempotency key.
type DeliverPayload struct {
	Key string `json:"key"`
}

func (p DeliverPayload) Valid() bool { return p.Key != "" }

// SubscriberConfirmPayload sends the confirmation email planned at
// SentAt (Unix microseconds) to the subscriber whose link token Token
// is: the address itself stays out of the queue.
type SubscriberConfirmPayload struct {
	Token  string `json:"token"`
	SentAt int64  `json:"sent_at"`
}

func (p SubscriberConfirmPayload) Valid() bool { return p.Token != "" && p.SentAt > 0 }

// NewSubscriberConfirmTask makes the task that sends one confirmation
// email; its ID names the email, so it is sent at most once.
func NewSubscriberConfirmTask(p SubscriberConfirmPayload) (store.Task, error) {
	// The token is a secret: the ID, which the queue monitor shows, has
	// only enough of it to tell emails apart.
	return newTask(TypeSubscriberConfirm, fmt.Sprintf("confirm:%s:%d", p.Token[:min(6, len(p.Token))], p.SentAt), QueueCritical, p, time.Time{})
}

// ExperimentDecidePayload decides the A/B test of an item version's
// email to one target.
type ExperimentDecidePayload struct {
	ItemID  string `json:"item_id"`
	Version int    `json:"version"`
	Target  string `json:"target"`
}

func (p ExperimentDecidePayload) Valid() bool {
	return p.ItemID != "" && p.Version >= 1 && p.Target != ""
}

// ExperimentDecideTaskID derives the decision's task ID from the test, so
// a test is decided by one task at a time.
func ExperimentDecideTaskID(itemID string, version int, target string) string {
	return fmt.Sprintf("experiment:%s:%d:%s", itemID, version, target)
}

// NewExperimentDecideTask makes the task that decides a test at at.
func NewExperimentDecideTask(p ExperimentDecidePayload, at time.Time) (store.Task, error) {
	return newTask(TypeExperimentDecide, ExperimentDecideTaskID(p.ItemID, p.Version, p.Target), QueueDefault, p, at)
}

// ItemRenderTaskID derives the task ID, so enqueueing the same fan-out
// twice is a no-op.
func ItemRenderTaskID(itemID string, version int, brandHash string) string {
	return fmt.Sprintf("item:%s:%d:%s", itemID, version, brandHash)
}

// ItemsRenderTaskID derives an items:render task's ID from its brand
// version and its item versions (the first by name, all by a digest):
// the groups of one brand change never share one, and a group of a kit
// changed back to an earlier one shares it only with a group of the
// same items, which renders the same.
func ItemsRenderTaskID(brandHash string, items []ItemRef) string {
	if len(items) == 0 {
		return "items:" + brandHash
	}
	h := sha256.New()
	for _, it := range items {
		fmt.Fprintf(h, "%s\x00%d\x00", it.ItemID, it.Version)
	}
	return fmt.Sprintf("items:%s:%s:%d:%x", brandHash, items[0].ItemID, items[0].Version, h.Sum(nil)[:6])
}

// RenderTaskID derives a render task's ID from what it renders; the
// reconciler adds a generation suffix (~2, ~3, …) when the task it
// replaces is lost or orphaned.
func RenderTaskID(itemID string, version int, channel, brandHash string) string {
	return fmt.Sprintf("render:%s:%d:%s:%s", itemID, version, channel, brandHash)
}

// NextGeneration returns the ID of the replacement for task id, the
// enqueues-th task of its rendering.
func NextGeneration(id string, enqueues int) string {
	base, _, _ := strings.Cut(id, "~")
	return fmt.Sprintf("%s~%d", base, enqueues+1)
}

// IndexTaskID derives the task ID from the change it builds, so each
// change is enqueued once; a build covers every change before it.
func IndexTaskID(brand string, gen int) string { return fmt.Sprintf("index:%s:%d", brand, gen) }

// PublishItemTaskID derives a publication's task ID from its generation.
func PublishItemTaskID(itemID string, version, gen int) string {
	return fmt.Sprintf("publish:%s:%d:%d", itemID, version, gen)
}

// DeliverTaskID derives a delivery's task ID from its idempotency key, so
// a delivery is queued at most once at a time.
func DeliverTaskID(key string) string { return "deliver:" + key }

// RedeliverTaskID is the ID of a delivery queued again by an editor after
// attempts runs, distinct from the task that may still be in Redis.
func RedeliverTaskID(key string, attempts int) string {
	return fmt.Sprintf("%s~%d", DeliverTaskID(key), attempts+1)
}

// NewItemRenderTask makes the item:render task that fans out p's version
// on queue.
func NewItemRenderTask(p ItemRenderPayload, queue string) (store.Task, error) {
	return newTask(TypeItemRender, ItemRenderTaskID(p.ItemID, p.Version, p.BrandHash), queue, p, time.Time{})
}

// NewItemsRenderTask makes the items:render task for p on queue.
func NewItemsRenderTask(p ItemsRenderPayload, queue string) (store.Task, error) {
	if !p.Valid() {
		return store.Task{}, fmt.Errorf("%s task: %d item versions: %w", TypeItemsRender, len(p.Items), ErrBadPayload)
	}
	return newTask(TypeItemsRender, ItemsRenderTaskID(p.BrandHash, p.Items), queue, p, time.Time{})
}

// NewRenderTask makes a render:<channel> task on queue. Its ID is the
// one the rendering records: RenderTaskID, or a later generation.
func NewRenderTask(p RenderPayload, queue, id string) (store.Task, error) {
	return newTask(TypeRenderPrefix+p.Channel, id, queue, p, time.Time{})
}

// NewIndexBuildTask makes an index:build task to run at at (now when
// zero).
func NewIndexBuildTask(p IndexBuildPayload, at time.Time) (store.Task, error) {
	return newTask(TypeIndexBuild, IndexTaskID(p.Brand, p.Gen), QueueDefault, p, at)
}

// NewPublishItemTask makes a publish:item task to run at at (now when
// zero).
func NewPublishItemTask(p PublishItemPayload, at time.Time) (store.Task, error) {
	return newTask(TypePublishItem, PublishItemTaskID(p.ItemID, p.Version, p.Gen), QueueDefault, p, at)
}

// NewDeliverTask makes the deliver:<kind> task for a delivery to a
// target of kind.
func NewDeliverTask(kind string, p DeliverPayload) (store.Task, error) {
	return newTask(TypeDeliverPrefix+kind, DeliverTaskID(p.Key), QueueDefault, p, time.Time{})
}

// DeliverBatchPayload sends batch Batch of the delivery Key.
type DeliverBatchPayload struct {
	Key   string `json:"key"`
	Batch int    `json:"batch"`
}

func (p DeliverBatchPayload) Valid() bool { return p.Key != "" && p.Batch >= 0 }

// DeliverBatchTaskID derives a batch task's ID from its delivery and
// number; a continuation or a replacement adds a generation (~2, ~3, …).
func DeliverBatchTaskID(key string, batch int) string {
	return fmt.Sprintf("deliver:batch:%s#%d", key, batch)
}

// BatchTimeout is the deadline of one run of a batch of size messages:
// a minute to start, and a second a message, which a batch sent over
// one connection to a relay answering in a second still meets. A run
// near its deadline hands the rest of its batch to a new task instead
// of being cut off.
func BatchTimeout(size int) time.Duration {
	return time.Minute + time.Duration(max(size, 1))*time.Second
}

// NewDeliverBatchTask makes the task that sends one batch of size
// recipients, with task ID id (DeliverBatchTaskID or a later generation).
func NewDeliverBatchTask(p DeliverBatchPayload, size int, id string) (store.Task, error) {
	t, err := newTask(TypeDeliverBatch, id, QueueDefault, p, time.Time{})
	t.Timeout = BatchTimeout(size)
	return t, err
}

func newTask(typ, id, queue string, p any, at time.Time) (store.Task, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return store.Task{}, fmt.Errorf("%s task %s: %w", typ, id, err)
	}
	return store.Task{Type: typ, ID: id, Queue: queue, Payload: b, ProcessAt: at}, nil
}

// Payload is a task's payload: Valid reports whether a decoded one names
// what its handler needs.
type Payload interface{ Valid() bool }

// ErrBadPayload marks a task whose payload cannot be what its type says:
// retrying cannot fix it.
var ErrBadPayload = errors.New("bad payload")

// Decode reads the payload of a task of type typ. Malformed or
// incomplete JSON is an error wrapping ErrBadPayload; the worker makes
// it permanent.
func Decode[P Payload](typ string, payload []byte) (P, error) {
	var p P
	err := json.Unmarshal(payload, &p)
	if err == nil && !p.Valid() {
		err = errors.New("missing fields")
	}
	if err != nil {
		return p, fmt.Errorf("%s: %w %q: %w", typ, ErrBadPayload, payload, err)
	}
	return p, nil
}

// TypeDigestRun gathers one period of a brand's digest: skipped when
// nothing was published, else the digest's item is submitted.
const TypeDigestRun = "digest:run"

// DigestRunPayload names the run of digest Digest of Brand whose period
// ends at End (Unix seconds, the scheduled time) and starts at Start.
type DigestRunPayload struct {
	Brand  string `json:"brand"`
	Digest string `json:"digest"`
	Start  int64  `json:"start"`
	End    int64  `json:"end"`
}

func (p DigestRunPayload) Valid() bool {
	return p.Brand != "" && p.Digest != "" && p.End > 0 && p.Start > 0 && p.Start < p.End
}

// DigestRunTaskID derives the task ID from the period, so each period's
// run is queued once.
func DigestRunTaskID(brand, digest string, end time.Time) string {
	return fmt.Sprintf("digest:%s:%s:%s", brand, digest, end.UTC().Format("20060102T1504Z"))
}

// NewDigestRunTask makes the digest:run task of p, to run at the period's
// end.
func NewDigestRunTask(p DigestRunPayload) (store.Task, error) {
	end := time.Unix(p.End, 0).UTC()
	return newTask(TypeDigestRun, DigestRunTaskID(p.Brand, p.Digest, end), QueueDefault, p, end)
}

// TypeSourcePoll fetches one brand source (a feed) and imports its
// entries; each run plans the next one.
const TypeSourcePoll = "source:poll"

// SourcePollPayload polls source Source of brand Brand, the run planned
// for At (Unix seconds; a "fetch now" has its own).
type SourcePollPayload struct {
	Brand  string `json:"brand"`
	Source string `json:"source"`
	At     int64  `json:"at"`
}

func (p SourcePollPayload) Valid() bool { return p.Brand != "" && p.Source != "" && p.At > 0 }

// SourcePollTaskID names a poll by its planned time, so the reconciler
// and the run before it enqueueing the same run make one task.
func SourcePollTaskID(brand, source string, at int64) string {
	return fmt.Sprintf("source:%s:%s:%d", brand, source, at)
}

// NewSourcePollTask makes the source:poll task planned for p.At, on the
// low queue: imports wait behind renders and deliveries.
func NewSourcePollTask(p SourcePollPayload) (store.Task, error) {
	return newTask(TypeSourcePoll, SourcePollTaskID(p.Brand, p.Source, p.At), QueueLow, p, time.Unix(p.At, 0))
}
