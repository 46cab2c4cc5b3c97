package worker

import (
	"errors"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/tasks"
)

// A payload no handler can use fails for good: asynq does not retry it.
func TestBadPayloadIsPermanent(t *testing.T) {
	for name, task := range map[string]*asynq.Task{
		"not JSON": asynq.NewTask("deliver:smtp", []byte(`key`)),
		"no key":   asynq.NewTask("deliver:smtp", []byte(`{}`)),
	} {
		_, err := decode[tasks.DeliverPayload](task)
		if !errors.Is(err, asynq.SkipRetry) || !errors.Is(err, tasks.ErrBadPayload) {
			t.Errorf("%s: got %v, want a permanent bad-payload error", name, err)
		}
	}
}
