// Package metrics defines the operator's Prometheus metrics, served on the
// manager's metrics endpoint with controller-runtime's own.
package metrics

import (
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/lmsoperator/lms-operator/internal/lms/budget"
)

// A Type is the Prometheus type of a metric.
type Type string

// The types of the operator's metrics.
const (
	// TypeCounter only goes up.
	TypeCounter Type = "counter"
	// TypeGauge goes up and down.
	TypeGauge Type = "gauge"
	// TypeHistogram is exported as <name>_bucket, <name>_sum and <name>_count.
	TypeHistogram Type = "histogram"
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
	// BudgetUsed is the number of calls a connection sent in the last hour.
	BudgetUsed *prometheus.GaugeVec
	// BudgetLimit is a connection's budget: the calls it may send in an hour.
	BudgetLimit *prometheus.GaugeVec
	// BudgetPaused is 1 while a connection is paused after a 429, else 0.
	BudgetPaused *prometheus.GaugeVec
	// DeletionsHeld is the number of deactivations, deletions, unassignments
	// and member removals a connection's deletion guard holds now.
	DeletionsHeld *prometheus.GaugeVec
	// DeletionsHeldTotal counts the operations the deletion guard has held.
	DeletionsHeldTotal *prometheus.CounterVec
	// DriftCorrections counts LMS objects written back after a change made there
	// by hand, by kind.
	DriftCorrections *prometheus.CounterVec
	// ReconcileErrors counts reconcile failures by kind and condition reason.
	ReconcileErrors *prometheus.CounterVec
	// EnrollmentLearners counts an Enrollment's learners by state.
	EnrollmentLearners *prometheus.GaugeVec

	// families are the names and types of every metric above.
	families map[string]Type
}

// New returns the collectors, unregistered.
func New() *Metrics {
	b := builder{}
	m := &Metrics{families: b}
	m.addVendorMetrics(b)
	m.addBudgetMetrics(b)
	m.addObjectMetrics(b)
	return m
}

// addVendorMetrics makes the collectors of the calls sent to vendors.
func (m *Metrics) addVendorMetrics(b builder) {
	m.VendorCalls = b.counter("lms_vendor_requests_total",
		"Calls sent to LMS vendors, by vendor, operation and result.", "vendor", "operation", "result")
	m.VendorCallDuration = b.histogram("lms_vendor_request_duration_seconds",
		"Latency of calls to LMS vendors.", prometheus.ExponentialBuckets(0.01, 2, 12), "vendor")
	m.RateLimited = b.counter("lms_vendor_rate_limited_total",
		"HTTP 429 answers from LMS vendors.", "vendor", "connection")
}

// addBudgetMetrics makes the collectors of the connections' request budgets
// and deletion guards.
func (m *Metrics) addBudgetMetrics(b builder) {
	m.BudgetWaits = b.counter("lms_budget_waits_total",
		"Calls held back by a connection's request budget, by reason (budget, paused).", "vendor", "connection", "reason")
	m.PauseSeconds = b.counter("lms_budget_pause_seconds_total",
		"Seconds a connection was paused after HTTP 429.", "vendor", "connection")
	m.BudgetUsed = b.gauge("lms_budget_requests_last_hour",
		"Calls a connection sent to its vendor in the last hour: the part of its budget used.", "connection")
	m.BudgetLimit = b.gauge("lms_budget_requests_per_hour",
		"Calls a connection may send in an hour (spec.rateLimit.requestsPerHour).", "connection")
	m.BudgetPaused = b.gauge("lms_budget_paused",
		"1 while a connection sends nothing after an HTTP 429, else 0.", "connection")
	m.DeletionsHeld = b.gauge("lms_deletions_held",
		"Deactivations, deletions, unassignments and member removals the deletion guard holds until approved.", "connection")
	m.DeletionsHeldTotal = b.counter("lms_deletions_held_total",
		"Deactivations, deletions, unassignments and member removals the deletion guard has held.", "connection")
}

// addObjectMetrics makes the collectors of what the reconcilers did and found.
func (m *Metrics) addObjectMetrics(b builder) {
	m.DriftCorrections = b.counter("lms_drift_corrections_total",
		"LMS objects written back after a change made in the LMS.", "kind")
	m.ReconcileErrors = b.counter("lms_reconcile_errors_total",
		"Reconciles that ended in an error condition, by kind and reason.", "kind", "reason")
	m.EnrollmentLearners = b.gauge("lms_enrollment_learners",
		"An Enrollment's learners by state (notStarted, inProgress, completed, overdue); each learner is in one state.",
		"namespace", "enrollment", "state")
}

// collectors returns every collector of m.
func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.VendorCalls, m.VendorCallDuration, m.RateLimited,
		m.BudgetWaits, m.PauseSeconds, m.BudgetUsed, m.BudgetLimit, m.BudgetPaused,
		m.DeletionsHeld, m.DeletionsHeldTotal, m.DriftCorrections, m.ReconcileErrors, m.EnrollmentLearners}
}

// Register adds the collectors to controller-runtime's registry.
func (m *Metrics) Register() error {
	return m.RegisterTo(ctrlmetrics.Registry)
}

// RegisterTo adds the collectors to reg.
func (m *Metrics) RegisterTo(reg prometheus.Registerer) error {
	for _, c := range m.collectors() {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register the operator's metrics: %w", err)
		}
	}
	return nil
}

// Families returns the name and type of every metric m exports (a
// histogram's name without its _bucket, _sum and _count suffixes).
func (m *Metrics) Families() map[string]Type {
	return maps.Clone(m.families)
}

// A builder makes collectors and records their names and types.
type builder map[string]Type

// counter returns a new CounterVec and records it.
func (b builder) counter(name, help string, labels ...string) *prometheus.CounterVec {
	b[name] = TypeCounter
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// gauge returns a new GaugeVec and records it.
func (b builder) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	b[name] = TypeGauge
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
}

// histogram returns a new HistogramVec and records it.
func (b builder) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	b[name] = TypeHistogram
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
}

var _ budget.Observer = Observer{}

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
