package worker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/tasks"
)

// ServerConfig tunes a worker server.
type ServerConfig struct {
	// Concurrency is the number of tasks run at once; 0 means one per CPU.
	Concurrency int
	// ShutdownTimeout is how long renders in flight may take to finish on
	// shutdown before asynq puts them back in the queue.
	ShutdownTimeout time.Duration
	// TaskCheckInterval is how often an idle worker looks for work. The
	// default (20ms) picks up a submission in milliseconds instead of
	// asynq's second, at the cost of ~50 cheap Redis calls a second.
	TaskCheckInterval time.Duration
	// RetryDelay overrides asynq's exponential backoff (tests use a short one).
	RetryDelay func(n int) time.Duration
}

// NewServer returns an asynq server that runs h's tasks. Start it with
// Start(h.Mux()) and stop it with Shutdown.
func (h *Handler) NewServer(redis asynq.RedisConnOpt, cfg ServerConfig) *asynq.Server {
	if cfg.TaskCheckInterval <= 0 {
		cfg.TaskCheckInterval = 20 * time.Millisecond
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 25 * time.Second
	}
	retry := asynq.DefaultRetryDelayFunc
	if cfg.RetryDelay != nil {
		retry = func(n int, _ error, _ *asynq.Task) time.Duration { return cfg.RetryDelay(n) }
	}
	return asynq.NewServer(redis, asynq.Config{
		Concurrency:              cfg.Concurrency,
		Queues:                   tasks.Queues(),
		TaskCheckInterval:        cfg.TaskCheckInterval,
		DelayedTaskCheckInterval: time.Second,
		RetryDelayFunc:           retry,
		ShutdownTimeout:          cfg.ShutdownTimeout,
		ErrorHandler:             asynq.ErrorHandlerFunc(h.onError),
		Logger:                   asynqLogger{h.log},
		LogLevel:                 asynq.WarnLevel,
	})
}

// asynqLogger sends asynq's own log lines to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }

// Fatal is asynq's "cannot go on" (it cannot reach Redis at start-up, say).
func (a asynqLogger) Fatal(args ...any) {
	a.l.Log(context.Background(), slog.LevelError+4, fmt.Sprint(args...), "component", "asynq")
	os.Exit(1)
}
