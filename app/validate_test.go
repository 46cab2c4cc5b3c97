package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

// Validation runs inside an HTTP request: it stops when the client goes
// away, and has a deadline of its own that the writer is told about.
func TestValidationHonoursContextAndDeadline(t *testing.T) {
	src := []byte("---\ntitle: Deadline\nbrand: kestrel\n---\n" + strings.Repeat("A paragraph.\n\n", 5000))
	bundle := app.Bundle{Files: map[string][]byte{"index.md": src}, Actor: "test"}
	for _, s := range pipetest.Setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e := pipetest.NewWith(t, s, func(c *app.Config) { c.ValidateTimeout = time.Nanosecond })
			e.ImportBrand(t, "kestrel")

			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := e.Service.Submit(ctx, bundle); !errors.Is(err, context.Canceled) {
				t.Errorf("Submit with the client gone: %v, want context.Canceled", err)
			}
			if _, err := e.Service.Draft(ctx, bundle); !errors.Is(err, context.Canceled) {
				t.Errorf("Draft with the client gone: %v, want context.Canceled", err)
			}

			for name, call := range map[string]func() error{
				"Submit": func() error { _, err := e.Service.Submit(context.Background(), bundle); return err },
				"Draft":  func() error { _, err := e.Service.Draft(context.Background(), bundle); return err },
			} {
				var ce content.Errors
				if err := call(); !errors.As(err, &ce) || !strings.Contains(ce[0].Message, "took longer than 1ns") || ce[0].File != "index.md" {
					t.Errorf("%s past the deadline: %v, want a content error saying so", name, err)
				}
			}
			if items, err := e.DB.Items(context.Background(), store.ItemFilter{}); err == nil && len(items) != 0 {
				t.Errorf("stored %d items", len(items))
			}
		})
	}
}
