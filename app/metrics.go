package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/crosscast/crosscast/store"
)

// Metrics are the service's Prometheus figures. The zero registry (nil)
// collects them without exposing them.
type Metrics struct {
	renderSeconds *prometheus.HistogramVec
	renders       *prometheus.CounterVec
	reenqueues    *prometheus.CounterVec
	gcBytes       prometheus.Counter
	tests         *prometheus.CounterVec
	clicks        *prometheus.CounterVec
	// Email batches (deliver_batch.go).
	recipients   *prometheus.CounterVec
	batchSeconds prometheus.Histogram
	batchConns   prometheus.Gauge
	progress     *prometheus.GaugeVec
}

// NewMetrics makes the service's metrics and registers them with reg,
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
		tests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "crosscast", Name: "ab_tests_total",
			Help: "Email A/B tests ended, by how (auto, editor, too_small, stopped) and what won (default, variant, none).",
		}, []string{"how", "winner"}),
		clicks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "crosscast", Name: "clicks_total",
			Help: "Clicks on tracked links (/r/), by brand id and channel (email, a social network, catalog, print, portal-share, other).",
		}, []string{"brand", "channel"}),
		recipients: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "crosscast", Name: "email_recipients_total",
			Help: "Email recipients a batch run finished, by brand, target and outcome (sent, failed, unknown).",
		}, []string{"brand", "target", "status"}),
		batchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "crosscast", Name: "email_batch_duration_seconds",
			Help:    "Time one run of an email batch took.",
			Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
		}),
		batchConns: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "crosscast", Name: "email_batch_connections",
			Help: "SMTP connections the last batch run sent over at once.",
		}),
		progress: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "crosscast", Name: "delivery_progress",
			Help: "Email deliveries under way: recipients by state (sent, failed, unknown, remaining), messages per second over the last minute (rate) and seconds left at it (eta). Gone when the delivery is final.",
		}, []string{"delivery", "state"}),
	}
	if reg != nil {
		reg.MustRegister(m.renderSeconds, m.renders, m.reenqueues, m.gcBytes, m.tests, m.clicks, m.recipients, m.batchSeconds, m.batchConns, m.progress)
	}
	return m
}

func (m *Metrics) observe(channel, status string, d time.Duration) {
	m.renders.WithLabelValues(channel, status).Inc()
	if d > 0 {
		m.renderSeconds.WithLabelValues(channel).Observe(d.Seconds())
	}
}

// testOutcome counts an ended A/B test.
func (m *Metrics) testOutcome(e *store.Experiment) {
	winner := "default"
	switch {
	case e.State == store.ExpStopped:
		winner = "none"
	case e.Winner != "":
		winner = "variant"
	}
	m.tests.WithLabelValues(e.How, winner).Inc()
}

func (m *Metrics) batch(d *store.Delivery, r batchRun, took time.Duration) {
	for st, n := range map[string]int{"sent": r.Sent, "failed": r.Failed, "unknown": r.Unknown} {
		if n > 0 {
			m.recipients.WithLabelValues(d.BrandID, d.Target, st).Add(float64(n))
		}
	}
	m.batchSeconds.Observe(took.Seconds())
	if r.Conns > 0 {
		m.batchConns.Set(float64(r.Conns))
	}
}

func (m *Metrics) setProgress(key string, p store.Progress) {
	for st, v := range map[string]float64{"sent": float64(p.Sent), "failed": float64(p.Failed), "unknown": float64(p.Unknown),
		"remaining": float64(p.Remaining), "rate": p.PerSecond, "eta": p.ETA.Seconds()} {
		m.progress.WithLabelValues(key, st).Set(v)
	}
}

func (m *Metrics) dropProgress(key string) {
	m.progress.DeletePartialMatch(prometheus.Labels{"delivery": key})
}
