// Package worker will hold the asynq task types, payloads, handlers and
// the reconciler that render and publish items (see docs/architecture.md
// and the pipeline issue). It is empty until that work lands.
package worker
