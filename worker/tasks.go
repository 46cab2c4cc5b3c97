// Package worker turns the renderers into queue work: asynq task types and
// payloads, their handlers, the submit path that stores an item and
// enqueues its renders through the outbox, and the reconciler that puts
// back whatever Redis lost.
package worker

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"
)

// Task types. item:render fans out to one render:<channel> per channel.
const (
	TypeItemRender   = "item:render"
	TypeRenderPrefix = "render:"
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

// RenderPayload asks for one channel of one item version, made with one
// brand version.
type RenderPayload struct {
	ItemID    string `json:"item_id"`
	Version   int    `json:"version"`
	Channel   string `json:"channel"`
	BrandHash string `json:"brand_hash"`
}

// ItemRenderTaskID derives the task ID, so enqueueing the same fan-out
// twice is a no-op.
func ItemRenderTaskID(itemID string, version int, brandHash string) string {
	return fmt.Sprintf("item:%s:%d:%s", itemID, version, brandHash)
}

// RenderTaskID derives a render task's ID from what it renders; the
// reconciler adds a generation suffix (~2, ~3, …) when the task it
// replaces is lost or orphaned.
func RenderTaskID(itemID string, version int, channel, brandHash string) string {
	return fmt.Sprintf("render:%s:%d:%s:%s", itemID, version, channel, brandHash)
}

// nextGeneration returns the ID of the replacement for task id, the
// enqueues-th task of its rendering.
func nextGeneration(id string, enqueues int) string {
	base, _, _ := strings.Cut(id, "~")
	return fmt.Sprintf("%s~%d", base, enqueues+1)
}

// NewItemRenderTask makes an item:render task.
func NewItemRenderTask(p ItemRenderPayload) (*asynq.Task, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeItemRender, b), nil
}

// NewRenderTask makes a render:<channel> task.
func NewRenderTask(p RenderPayload) (*asynq.Task, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeRenderPrefix+p.Channel, b), nil
}

// timeout bounds one run of a task of the given type: a fan-out only
// enqueues; a render may resize a dozen large images.
func (p *Pipeline) timeout(taskType string) time.Duration {
	switch {
	case taskType == TypeItemRender:
		return 30 * time.Second
	case strings.HasPrefix(taskType, TypeRenderPrefix):
		return p.renderTimeout
	default:
		return 5 * time.Minute
	}
}
