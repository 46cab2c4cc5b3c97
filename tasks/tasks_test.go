package tasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// TestTaskWireFormat pins every task's type, ID, queue and payload bytes:
// tasks already queued in Redis or in the outbox by an older version must
// still be understood, so none of these may change.
func TestTaskWireFormat(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		make func() (store.Task, error)
		want store.Task
	}{
		{
			name: "item:render",
			make: func() (store.Task, error) {
				return NewItemRenderTask(ItemRenderPayload{ItemID: "kestrel.en.tent", Version: 3, BrandHash: "b1f2"}, QueueCritical)
			},
			want: store.Task{Type: "item:render", ID: "item:kestrel.en.tent:3:b1f2", Queue: "critical",
				Payload: []byte(`{"item_id":"kestrel.en.tent","version":3,"brand_hash":"b1f2"}`)},
		},
		{
			name: "items:render",
			make: func() (store.Task, error) {
				return NewItemsRenderTask(ItemsRenderPayload{BrandHash: "b1f2", Items: []ItemRef{{ItemID: "kestrel.en.tent", Version: 3}, {ItemID: "kestrel.en.tarp", Version: 1}}}, QueueLow)
			},
			want: store.Task{Type: "items:render", ID: "items:b1f2:kestrel.en.tent:3:09ab5071fa1c", Queue: "low",
				Payload: []byte(`{"brand_hash":"b1f2","items":[{"item_id":"kestrel.en.tent","version":3},{"item_id":"kestrel.en.tarp","version":1}]}`)},
		},
		{
			name: "digest:run",
			make: func() (store.Task, error) {
				return NewDigestRunTask(DigestRunPayload{Brand: "kestrel", Digest: "weekly", Start: at.AddDate(0, 0, -7).Unix(), End: at.Unix()})
			},
			want: store.Task{Type: "digest:run", ID: "digest:kestrel:weekly:20260301T0930Z", Queue: "default", ProcessAt: at,
				Payload: []byte(`{"brand":"kestrel","digest":"weekly","start":1771752600,"end":1772357400}`)},
		},
		{
			name: "render:<channel>",
			make: func() (store.Task, error) {
				p := RenderPayload{ItemID: "kestrel.en.tent", Version: 3, Channel: "email", BrandHash: "b1f2"}
				return NewRenderTask(p, QueueLow, RenderTaskID(p.ItemID, p.Version, p.Channel, p.BrandHash))
			},
			want: store.Task{Type: "render:email", ID: "render:kestrel.en.tent:3:email:b1f2", Queue: "low",
				Payload: []byte(`{"item_id":"kestrel.en.tent","version":3,"channel":"email","brand_hash":"b1f2"}`)},
		},
		{
			name: "render:<channel> replacement",
			make: func() (store.Task, error) {
				p := RenderPayload{ItemID: "kestrel.en.tent", Version: 3, Channel: "social", BrandHash: "b1f2"}
				return NewRenderTask(p, QueueDefault, NextGeneration("render:kestrel.en.tent:3:social:b1f2~2", 2))
			},
			want: store.Task{Type: "render:social", ID: "render:kestrel.en.tent:3:social:b1f2~3", Queue: "default",
				Payload: []byte(`{"item_id":"kestrel.en.tent","version":3,"channel":"social","brand_hash":"b1f2"}`)},
		},
		{
			name: "deliver:batch continuation",
			make: func() (store.Task, error) {
				p := DeliverBatchPayload{Key: "kestrel.en.tent/3/email/newsletter", Batch: 7}
				return NewDeliverBatchTask(p, 500, NextGeneration(DeliverBatchTaskID(p.Key, p.Batch), 2))
			},
			want: store.Task{Type: "deliver:batch", ID: "deliver:batch:kestrel.en.tent/3/email/newsletter#7~3", Queue: "default",
				Payload: []byte(`{"key":"kestrel.en.tent/3/email/newsletter","batch":7}`), Timeout: 9 * time.Minute},
		},
		{
			name: "index:build",
			make: func() (store.Task, error) { return NewIndexBuildTask(IndexBuildPayload{Brand: "kestrel", Gen: 12}, at) },
			want: store.Task{Type: "index:build", ID: "index:kestrel:12", Queue: "default", ProcessAt: at,
				Payload: []byte(`{"brand":"kestrel","gen":12}`)},
		},
		{
			name: "publish:item",
			make: func() (store.Task, error) {
				return NewPublishItemTask(PublishItemPayload{ItemID: "kestrel.en.tent", Version: 3, Gen: 2}, at)
			},
			want: store.Task{Type: "publish:item", ID: "publish:kestrel.en.tent:3:2", Queue: "default", ProcessAt: at,
				Payload: []byte(`{"item_id":"kestrel.en.tent","version":3,"gen":2}`)},
		},
		{
			name: "deliver:<kind>",
			make: func() (store.Task, error) {
				return NewDeliverTask("mastodon", DeliverPayload{Key: "kestrel.en.tent/3/social/fedi"})
			},
			want: store.Task{Type: "deliver:mastodon", ID: "deliver:kestrel.en.tent/3/social/fedi", Queue: "default",
				Payload: []byte(`{"key":"kestrel.en.tent/3/social/fedi"}`)},
		},
		{
			// The ID carries only the start of the secret token.
			name: "subscriber:confirm",
			make: func() (store.Task, error) {
				return NewSubscriberConfirmTask(SubscriberConfirmPayload{Token: "s3cr3tT0kenXYZ", SentAt: 1750000000123456})
			},
			want: store.Task{Type: "subscriber:confirm", ID: "confirm:s3cr3t:1750000000123456", Queue: "critical",
				Payload: []byte(`{"token":"s3cr3tT0kenXYZ","sent_at":1750000000123456}`)},
		},
		{
			name: "experiment:decide",
			make: func() (store.Task, error) {
				return NewExperimentDecideTask(ExperimentDecidePayload{ItemID: "kestrel.en.tent", Version: 3, Target: "newsletter"}, at)
			},
			want: store.Task{Type: "experiment:decide", ID: "experiment:kestrel.en.tent:3:newsletter", Queue: "default", ProcessAt: at,
				Payload: []byte(`{"item_id":"kestrel.en.tent","version":3,"target":"newsletter"}`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.make()
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != tt.want.Type || got.ID != tt.want.ID || got.Queue != tt.want.Queue || !got.ProcessAt.Equal(tt.want.ProcessAt) {
				t.Errorf("got %s %s on %s at %v, want %s %s on %s at %v", got.Type, got.ID, got.Queue, got.ProcessAt, tt.want.Type, tt.want.ID, tt.want.Queue, tt.want.ProcessAt)
			}
			if string(got.Payload) != string(tt.want.Payload) {
				t.Errorf("payload\n got %s\nwant %s", got.Payload, tt.want.Payload)
			}
		})
	}
}

func TestTaskIDs(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{ItemRenderTaskID("a", 1, "h"), "item:a:1:h"},
		{RenderTaskID("a", 1, "portal", "h"), "render:a:1:portal:h"},
		{NextGeneration("render:a:1:portal:h", 1), "render:a:1:portal:h~2"},
		{NextGeneration("render:a:1:portal:h~2", 2), "render:a:1:portal:h~3"},
		{IndexTaskID("kestrel", 4), "index:kestrel:4"},
		{PublishItemTaskID("a", 1, 5), "publish:a:1:5"},
		{DeliverTaskID("a/1/email/list"), "deliver:a/1/email/list"},
		{RedeliverTaskID("a/1/email/list", 2), "deliver:a/1/email/list~3"},
		{RedeliverTaskID("a/1/email/list", 0), "deliver:a/1/email/list~1"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Two groups of one brand version with the same first item but other
// items (an item added between a kit change and its reverting) have
// different IDs; the same group has the same one.
func TestItemsRenderTaskIDNamesItsItems(t *testing.T) {
	a := []ItemRef{{ItemID: "a", Version: 1}, {ItemID: "b", Version: 1}}
	b := []ItemRef{{ItemID: "a", Version: 1}, {ItemID: "ab", Version: 1}, {ItemID: "b", Version: 1}}
	if ItemsRenderTaskID("h", a) == ItemsRenderTaskID("h", b) {
		t.Error("groups of different items share a task ID")
	}
	if ItemsRenderTaskID("h", a) != ItemsRenderTaskID("h", slices.Clone(a)) {
		t.Error("the same group has two task IDs")
	}
}

// A group task names at least one and at most ItemsRenderMax item
// versions, each whole: a payload beyond that is refused, not run.
func TestItemsRenderBounds(t *testing.T) {
	full := ItemsRenderPayload{BrandHash: "h"}
	for i := range ItemsRenderMax {
		full.Items = append(full.Items, ItemRef{ItemID: fmt.Sprint("i", i), Version: 1})
	}
	if _, err := NewItemsRenderTask(full, QueueLow); err != nil {
		t.Fatalf("a full group: %v", err)
	}
	over := full
	over.Items = append(slices.Clone(full.Items), ItemRef{ItemID: "one-too-many", Version: 1})
	for name, p := range map[string]ItemsRenderPayload{
		"empty":        {BrandHash: "h"},
		"no brand":     {Items: full.Items[:1]},
		"too many":     over,
		"no version":   {BrandHash: "h", Items: []ItemRef{{ItemID: "a"}}},
		"no item name": {BrandHash: "h", Items: []ItemRef{{Version: 1}}},
	} {
		if _, err := NewItemsRenderTask(p, QueueLow); !errors.Is(err, ErrBadPayload) {
			t.Errorf("%s: %v, want a bad payload", name, err)
		}
		b, _ := json.Marshal(p)
		if _, err := Decode[ItemsRenderPayload](TypeItemsRender, b); !errors.Is(err, ErrBadPayload) {
			t.Errorf("%s decoded: %v, want a bad payload", name, err)
		}
	}
}

// TestDecode checks that payloads written by an older version decode,
// and that a payload no handler can use is a bad payload (the worker
// makes it permanent).
func TestDecode(t *testing.T) {
	got, err := Decode[RenderPayload]("render:email", []byte(`{"item_id":"a","version":2,"channel":"email","brand_hash":"h"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := (RenderPayload{ItemID: "a", Version: 2, Channel: "email", BrandHash: "h"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for name, err := range map[string]error{
		"not JSON":   errOf(Decode[DeliverPayload]("deliver:smtp", []byte(`key`))),
		"no key":     errOf(Decode[DeliverPayload]("deliver:smtp", []byte(`{}`))),
		"no version": errOf(Decode[ItemRenderPayload]("item:render", []byte(`{"item_id":"a"}`))),
		"no channel": errOf(Decode[RenderPayload]("render:email", []byte(`{"item_id":"a","version":1}`))),
		"no gen":     errOf(Decode[IndexBuildPayload]("index:build", []byte(`{"brand":"kestrel"}`))),
		"gen 0":      errOf(Decode[PublishItemPayload]("publish:item", []byte(`{"item_id":"a","version":1,"gen":0}`))),
		"no target":  errOf(Decode[ExperimentDecidePayload]("experiment:decide", []byte(`{"item_id":"a","version":1}`))),
	} {
		if !errors.Is(err, ErrBadPayload) {
			t.Errorf("%s: got %v, want a bad-payload error", name, err)
		}
	}
}

func errOf[T any](_ T, err error) error { return err }

// source:poll is a wire format like the others.
func TestSourcePollWireFormat(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	got, err := NewSourcePollTask(SourcePollPayload{Brand: "kestrel", Source: "blog", At: at.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Task{Type: "source:poll", ID: "source:kestrel:blog:1772357400", Queue: "low", ProcessAt: at,
		Payload: []byte(`{"brand":"kestrel","source":"blog","at":1772357400}`)}
	if got.Type != want.Type || got.ID != want.ID || got.Queue != want.Queue || !got.ProcessAt.Equal(want.ProcessAt) || string(got.Payload) != string(want.Payload) {
		t.Errorf("got %+v (%s)\nwant %+v (%s)", got, got.Payload, want, want.Payload)
	}
	if _, err := Decode[SourcePollPayload](TypeSourcePoll, []byte(`{"brand":"kestrel"}`)); !errors.Is(err, ErrBadPayload) {
		t.Errorf("incomplete payload: %v", err)
	}
}
