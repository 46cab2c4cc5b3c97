package worker

import (
	"errors"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the pipeline's Prometheus figures. The zero registry (nil)
// collects them without exposing them.
type Metrics struct {
	renderSeconds *prometheus.HistogramVec
	renders       *prometheus.CounterVec
	reenqueues    *prometheus.CounterVec
	gcBytes       prometheus.Counter
}

// NewMetrics makes the pipeline's metrics and registers them with reg,
// unless reg is nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		renderSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "crosscast", Name: "render_duration_seconds",
			Help:    "Time to render one channel of one item version.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"channel"}),
		renders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "crosscast", Name: "renders_total",
			Help: "Renderings finished, by channel and outcome (rendered or failed).",
		}, []string{"channel", "status"}),
		reenqueues: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "crosscast", Name: "reenqueues_total",
			Help: "Tasks the reconciler put back in the queue, by what it found (outbox, lost, orphaned).",
		}, []string{"reason"}),
		gcBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "crosscast", Name: "gc_deleted_bytes_total",
			Help: "Bytes of stored blobs (superseded index files, replaced renderings, stale derivatives) garbage collection deleted.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.renderSeconds, m.renders, m.reenqueues, m.gcBytes)
	}
	return m
}

func (m *Metrics) observe(channel, status string, d time.Duration) {
	m.renders.WithLabelValues(channel, status).Inc()
	if d > 0 {
		m.renderSeconds.WithLabelValues(channel).Observe(d.Seconds())
	}
}

// QueueCollector exports asynq's queue figures (sizes by state, latency,
// processed and failed counts) to Prometheus, read from Redis at scrape
// time.
type QueueCollector struct {
	inspector *asynq.Inspector
	log       *slog.Logger
}

// NewQueueCollector returns a collector over the pipeline's queues.
func (p *Pipeline) NewQueueCollector() *QueueCollector {
	return &QueueCollector{inspector: p.inspector, log: p.log}
}

var (
	queueTasksDesc = prometheus.NewDesc("asynq_tasks_enqueued_total",
		"Tasks in a queue, by state.", []string{"queue", "state"}, nil)
	queueLatencyDesc = prometheus.NewDesc("asynq_queue_latency_seconds",
		"Age of the oldest pending task in a queue.", []string{"queue"}, nil)
	queueProcessedDesc = prometheus.NewDesc("asynq_tasks_processed_today_total",
		"Tasks processed today (UTC), successful or not.", []string{"queue"}, nil)
	queueFailedDesc = prometheus.NewDesc("asynq_tasks_failed_today_total",
		"Tasks that failed today (UTC).", []string{"queue"}, nil)
)

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueTasksDesc
	ch <- queueLatencyDesc
	ch <- queueProcessedDesc
	ch <- queueFailedDesc
}

// Collect implements prometheus.Collector.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	for _, q := range slices.Sorted(maps.Keys(Queues())) {
		info, err := c.inspector.GetQueueInfo(q)
		if errors.Is(err, asynq.ErrQueueNotFound) {
			continue
		}
		if err != nil {
			c.log.Warn("queue metrics", "queue", q, "err", err)
			continue
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived, "completed": info.Completed} {
			ch <- prometheus.MustNewConstMetric(queueTasksDesc, prometheus.GaugeValue, float64(n), q, state)
		}
		ch <- prometheus.MustNewConstMetric(queueLatencyDesc, prometheus.GaugeValue, info.Latency.Seconds(), q)
		ch <- prometheus.MustNewConstMetric(queueProcessedDesc, prometheus.CounterValue, float64(info.Processed), q)
		ch <- prometheus.MustNewConstMetric(queueFailedDesc, prometheus.CounterValue, float64(info.Failed), q)
	}
}
