// Package metrics defines the operator's Prometheus metrics, served on the
// manager's metrics endpoint with controller-runtime's own.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Metrics are the operator's collectors.
type Metrics struct {
	// VendorCalls counts calls sent to vendors by vendor, operation and result
	// (an HTTP status class, or "error").
	VendorCalls *prometheus.CounterVec
	// VendorCallDuration observes the calls' latency by vendor.
	VendorCallDuration *prometheus.HistogramVec
	// RateLimited counts HTTP 429 answers by vendor and connection.
	RateLimited *prometheus.CounterVec
	// BudgetWaits counts calls held back by a connection's budget, by reason
	// (budget, paused).
	BudgetWaits *prometheus.CounterVec
	// PauseSeconds adds up the pauses after 429s, by connection.
	PauseSeconds *prometheus.CounterVec
	// DriftCorrections counts LMS objects written back after a change made there
	// by hand, by kind.
	DriftCorrections *prometheus.CounterVec
	// ReconcileErrors counts reconcile failures by kind and condition reason.
	ReconcileErrors *prometheus.CounterVec
}

// New returns the collectors, unregistered.
func New() *Metrics {
	return &Metrics{
		VendorCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lms_vendor_requests_total", Help: "Calls sent to LMS vendors, by vendor, operation and result.",
		}, []string{"vendor", "operation", "result"}),
		VendorCallDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lms_vendor_request_duration_seconds", Help: "Latency of calls to LMS vendors.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
		}, []string{"vendor"}),
		RateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lms_vendor_rate_limited_total", Help: "HTTP 429 answers from LMS vendors.",
		}, []string{"vendor", "connection"}),
		BudgetWaits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lms_budget_waits_total", Help: "Calls held back by a connection's request budget, by reason (budget, paused).",
		}, []string{"vendor", "connection", "reason"}),
		PauseSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lms_budget_pause_seconds_total", Help: "Seconds a connection was paused after HTTP 429.",
		}, []string{"vendor", "connection"}),
		DriftCorrections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lms_drift_corrections_total", Help: "LMS objects written back after a change made in the LMS.",
		}, []string{"kind"}),
		ReconcileErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lms_reconcile_errors_total", Help: "Reconciles that ended in an error condition, by kind and reason.",
		}, []string{"kind", "reason"}),
	}
}

// Register adds the collectors to controller-runtime's registry.
func (m *Metrics) Register() error {
	for _, c := range []prometheus.Collector{m.VendorCalls, m.VendorCallDuration, m.RateLimited,
		m.BudgetWaits, m.PauseSeconds, m.DriftCorrections, m.ReconcileErrors} {
		if err := ctrlmetrics.Registry.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// An Observer reports one connection's calls; it implements budget.Observer.
type Observer struct {
	M          *Metrics
	Vendor     string
	Connection string
}

// Sent implements budget.Observer.
func (o Observer) Sent(op string, status int, d time.Duration) {
	result := "error"
	if status > 0 {
		result = strconv.Itoa(status/100) + "xx"
	}
	o.M.VendorCalls.WithLabelValues(o.Vendor, op, result).Inc()
	o.M.VendorCallDuration.WithLabelValues(o.Vendor).Observe(d.Seconds())
	if status == 429 {
		o.M.RateLimited.WithLabelValues(o.Vendor, o.Connection).Inc()
	}
}

// Held implements budget.Observer.
func (o Observer) Held(_ string, paused bool) {
	reason := "budget"
	if paused {
		reason = "paused"
	}
	o.M.BudgetWaits.WithLabelValues(o.Vendor, o.Connection, reason).Inc()
}

// Paused implements budget.Observer.
func (o Observer) Paused(d time.Duration) {
	o.M.PauseSeconds.WithLabelValues(o.Vendor, o.Connection).Add(d.Seconds())
}
