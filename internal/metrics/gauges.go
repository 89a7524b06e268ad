package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// The states of lms_enrollment_learners. Each learner of an Enrollment is in
// exactly one: a learner past the due date who has not completed is overdue,
// and only overdue.
const (
	// StateNotStarted: assigned, no progress yet.
	StateNotStarted = "notStarted"
	// StateInProgress: some progress, not completed.
	StateInProgress = "inProgress"
	// StateCompleted: completed the training.
	StateCompleted = "completed"
	// StateOverdue: not completed, and past the due date.
	StateOverdue = "overdue"
)

// EnrollmentStates returns the states of lms_enrollment_learners.
func EnrollmentStates() []string {
	return []string{StateNotStarted, StateInProgress, StateCompleted, StateOverdue}
}

// SetEnrollmentLearners publishes the learners of the Enrollment ns/name by
// state. Every state gets a series, 0 where counts has none, so that a state
// that empties drops to 0 instead of keeping its last value; keys other than
// the four states are not exported (a label must not take unbounded values).
func (m *Metrics) SetEnrollmentLearners(ns, name string, counts map[string]int) {
	for _, state := range EnrollmentStates() {
		m.EnrollmentLearners.WithLabelValues(ns, name, state).Set(float64(counts[state]))
	}
}

// ForgetEnrollment deletes the series of the Enrollment ns/name, once it is
// deleted.
func (m *Metrics) ForgetEnrollment(ns, name string) {
	m.EnrollmentLearners.DeletePartialMatch(prometheus.Labels{"namespace": ns, "enrollment": name})
}

// SetBudget publishes a connection's budget: usedLastHour calls sent in the
// last hour out of perHour allowed (left = perHour - usedLastHour).
func (m *Metrics) SetBudget(connection string, usedLastHour, perHour int) {
	m.BudgetUsed.WithLabelValues(connection).Set(float64(usedLastHour))
	m.BudgetLimit.WithLabelValues(connection).Set(float64(perHour))
}

// SetPaused publishes whether a connection is paused after an HTTP 429.
func (m *Metrics) SetPaused(connection string, paused bool) {
	v := 0.0
	if paused {
		v = 1
	}
	m.BudgetPaused.WithLabelValues(connection).Set(v)
}

// SetDeletionsHeld publishes how many operations the connection's deletion
// guard holds now.
func (m *Metrics) SetDeletionsHeld(connection string, held int) {
	m.DeletionsHeld.WithLabelValues(connection).Set(float64(held))
}

// AddDeletionsHeld counts n operations the connection's deletion guard has
// just held.
func (m *Metrics) AddDeletionsHeld(connection string, n int) {
	if n > 0 {
		m.DeletionsHeldTotal.WithLabelValues(connection).Add(float64(n))
	}
}

// ForgetConnection deletes the gauges of a deleted connection: its budget,
// its pause and its held deletions. Counters are kept, so that rates over
// them stay right until the manager restarts.
func (m *Metrics) ForgetConnection(connection string) {
	for _, g := range []*prometheus.GaugeVec{m.BudgetUsed, m.BudgetLimit, m.BudgetPaused, m.DeletionsHeld} {
		g.DeleteLabelValues(connection)
	}
}
