package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// Writers add versions only to items they started, and only until one
// is published; editors to any. The store checks it where the version is
// made, so every way in (API, editor, CLI) gets the same answer.
func TestWritersChangeOnlyTheirUnpublishedItems(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		as := func(source, actor, role string) error {
			sub := submission("guide", source, nil)
			sub.Actor, sub.Role = actor, role
			_, err := db.Submit(ctx, sub, plan("critical"))
			return err
		}
		if err := as("v1", "user:ann", store.RoleWriter); err != nil {
			t.Fatal(err)
		}
		if err := as("v2", "user:ann", store.RoleWriter); err != nil {
			t.Errorf("the author's second version: %v", err)
		}
		for _, other := range []string{"user:bob", "token:ann", "token:bob"} {
			if err := as("by "+other, other, store.RoleWriter); !errors.Is(err, store.ErrForbidden) {
				t.Errorf("writer %s changed ann's item: %v", other, err)
			}
		}
		if err := db.MayAddVersion(ctx, "guide", "user:bob", store.RoleWriter); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("MayAddVersion for another writer: %v", err)
		}
		if err := as("v3 by an editor", "user:eve", store.RoleEditor); err != nil {
			t.Errorf("an editor's version: %v", err)
		}
		// Still ann's after an editor's version.
		if err := as("v4", "user:ann", store.RoleWriter); err != nil {
			t.Errorf("the author after an editor's version: %v", err)
		}
		if vs, _ := db.Versions(ctx, "guide"); len(vs) != 4 {
			t.Fatalf("versions: %+v", vs)
		}

		// Render version 4, schedule it: a scheduled publication still
		// lets the author change it.
		for _, ch := range channels {
			k := store.RenderKey{ItemID: "guide", Version: 4, Channel: ch}
			if _, err := db.StartRendering(ctx, k, "b1"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FinishRendering(ctx, k, "b1", store.RenderResult{Files: []store.FileData{{Name: "index.html", MediaType: "text/html", Data: []byte("x")}}}, indexPlan); err != nil {
				t.Fatal(err)
			}
		}
		task := func(gen int) (store.Task, error) {
			return store.Task{Type: "pub:start", ID: "pub:guide:4", Queue: "critical", Payload: []byte(`{}`)}, nil
		}
		if _, _, err := db.Schedule(ctx, store.ScheduleRequest{ItemID: "guide", Version: 4, At: time.Now().Add(time.Hour), Actor: "user:eve", Task: task}); err != nil {
			t.Fatal(err)
		}
		if err := db.MayAddVersion(ctx, "guide", "user:ann", store.RoleWriter); err != nil {
			t.Errorf("scheduled, not yet published: %v", err)
		}
		// Once it has started going out, only editors change it.
		if _, err := db.StartPublication(ctx, "guide", 4, 1); err != nil {
			t.Fatal(err)
		}
		if err := as("v5 after publishing", "user:ann", store.RoleWriter); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("the author changed a published item: %v", err)
		}
		if err := as("v5 by an editor", "user:eve", store.RoleEditor); err != nil {
			t.Errorf("an editor changes a published item: %v", err)
		}
		// A writer's brand-new item is theirs.
		sub := submission("fresh", "x", nil)
		sub.Actor, sub.Role = "token:bob", store.RoleWriter
		if _, err := db.Submit(ctx, sub, plan("critical")); err != nil {
			t.Errorf("a new item: %v", err)
		}
	})
}
